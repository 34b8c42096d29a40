// The scheduler: every ALIMI_SCHEDULER_INTERVAL (and whenever a schedule is
// made or changed) a round claims the due schedules and carries out their
// runs; the work is in the schedules module. Any number of these may run,
// in one process or many: each occurrence runs once (src/modules/schedules/scheduler.ts).
import {
  findOldestDue,
  runSchedulerRound,
  type SchedulerDeps,
  type SchedulerPolicy,
} from "../modules/schedules/index.ts";
import { startLoop, type WorkerLoop } from "./loop.ts";

/** What /health and /metrics tell of the scheduler. */
export interface SchedulerHealth {
  lastTickAt: Date | null;
  /** How late the oldest due active schedule was after the last round; 0: none was due. */
  lagMs: number;
}

export function startScheduler(
  options: SchedulerDeps & {
    intervalMs: number;
    policy: SchedulerPolicy;
    health: SchedulerHealth;
    onWake: (listener: () => void) => void;
    /** Told after each round (the metrics' gauges). */
    onRound?: (health: SchedulerHealth) => void;
  },
): WorkerLoop {
  const { health } = options;
  const loop = startLoop({
    name: "scheduler",
    intervalMs: options.intervalMs,
    logger: options.logger,
    async tick() {
      const more = await runSchedulerRound(options, options.policy);
      const now = options.now();
      const oldest = await findOldestDue(options.db, now);
      health.lastTickAt = now;
      health.lagMs = oldest ? Math.max(0, now.getTime() - oldest.getTime()) : 0;
      options.onRound?.(health);
      return more;
    },
  });
  options.onWake(() => loop.wake());
  return loop;
}
