import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  messagesAccepted: Counter;
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
  return {
    registry,
    messagesAccepted,
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
