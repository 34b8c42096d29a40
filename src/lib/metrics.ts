import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  messagesAccepted: Counter;
  /** Schedule runs finished (or logged skipped), by status. */
  scheduleRuns: Counter<"status">;
  /** When the scheduler last finished a round (seconds since the epoch). */
  schedulerLastTick: Gauge;
  /** How late the oldest due active schedule is, seconds (0: none is due). */
  schedulerLag: Gauge;
  instrument(app: FastifyInstance): void;
}

/** One registry per process (not prom-client's global), so tests can build many. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: "alimi_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const messagesAccepted = new Counter({
    name: "alimi_messages_accepted_total",
    help: "Messages accepted for sending",
    registers: [registry],
  });
  const scheduleRuns = new Counter({
    name: "alimi_schedule_runs_total",
    help: "Schedule runs finished or skipped, by status",
    labelNames: ["status"] as const,
    registers: [registry],
  });
  const schedulerLastTick = new Gauge({
    name: "alimi_scheduler_last_tick_seconds",
    help: "When the scheduler last finished a round (Unix time)",
    registers: [registry],
  });
  const schedulerLag = new Gauge({
    name: "alimi_scheduler_lag_seconds",
    help: "How late the oldest due active schedule is (0 when none is due)",
    registers: [registry],
  });
  return {
    registry,
    messagesAccepted,
    scheduleRuns,
    schedulerLastTick,
    schedulerLag,
    instrument(app) {
      app.addHook("onResponse", async (request, reply) => {
        httpDuration.observe(
          {
            method: request.method,
            route: request.routeOptions.url ?? "unmatched",
            status: String(reply.statusCode),
          },
          reply.elapsedTime / 1000,
        );
      });
    },
  };
}
