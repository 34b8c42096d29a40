// A worker is a boring loop: run one tick, sleep until woken or until the
// interval passes, repeat; stop() lets the current tick finish.
import type { FastifyBaseLogger } from "fastify";

export interface WorkerLoop {
  readonly name: string;
  /** Runs the next tick now instead of waiting for the interval. */
  wake(): void;
  stop(): Promise<void>;
}

export function startLoop(options: {
  name: string;
  intervalMs: number;
  logger: FastifyBaseLogger;
  /** Returns true when there may be more work right away. */
  tick: () => Promise<boolean>;
}): WorkerLoop {
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  let pendingWake = false;

  const sleep = () =>
    new Promise<void>((resolve) => {
      if (pendingWake) {
        pendingWake = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, options.intervalMs);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const running = (async () => {
    while (!stopped) {
      let more = false;
      try {
        more = await options.tick();
      } catch (err) {
        options.logger.error({ err, worker: options.name }, "worker tick failed");
      }
      if (!more && !stopped) await sleep();
    }
  })();

  return {
    name: options.name,
    wake() {
      if (wakeUp) wakeUp();
      else pendingWake = true;
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
    },
  };
}
