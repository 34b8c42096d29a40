// The webhook deliverer: a boring loop over deliverDue (modules/webhooks),
// woken when events are written (the `webhooks` topic: the triggers notify
// it as they commit on PostgreSQL, the API when it queues a test event or a
// replay), else looking again every second for retries that came due.
import type { FastifyBaseLogger } from "fastify";
import { CLAIM_SIZE, type DelivererDeps, deliverDue } from "../modules/webhooks/index.ts";
import { startLoop, type WorkerLoop } from "./loop.ts";
import type { WakeBus } from "./wake.ts";

const IDLE_MS = 1000;
/**
 * How long a claimed round is ours: longer than a round can take (each POST
 * times out after 15 s, a round is a few waves of them), so no delivery is
 * claimed twice while its attempt is under way.
 */
const LEASE_MS = 5 * 60_000;

export function startWebhookDeliverer(
  options: DelivererDeps & { bus: WakeBus; logger: FastifyBaseLogger; now: () => Date },
): WorkerLoop {
  const { bus, logger, now, ...deps } = options;
  const loop = startLoop({
    name: "webhooks",
    intervalMs: IDLE_MS,
    logger,
    async tick() {
      const round = await deliverDue(deps, { now, leaseMs: LEASE_MS });
      return round.claimed >= (deps.claimSize ?? CLAIM_SIZE);
    },
  });
  bus.on("webhooks", () => loop.wake());
  return loop;
}
