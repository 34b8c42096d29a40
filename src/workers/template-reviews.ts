// The template review poller: asks the vendors reviewing templates how each
// review stands, when each is due (src/domain/template-review.ts), and
// records their answers; the work is in the templates module.
import type { FastifyBaseLogger } from "fastify";
import { pollDueReviews, type ReviewDeps } from "../modules/templates/index.ts";
import { startLoop, type WorkerLoop } from "./loop.ts";

const IDLE_MS = 30_000;
/** Templates asked about per round; a full round goes again at once. */
const ROUND = 20;

export function startTemplateReviews(
  options: ReviewDeps & { logger: FastifyBaseLogger; intervalMs?: number },
): WorkerLoop {
  const { logger } = options;
  return startLoop({
    name: "template-reviews",
    intervalMs: options.intervalMs ?? IDLE_MS,
    logger,
    async tick() {
      return (await pollDueReviews(options, { limit: ROUND, logger })) === ROUND;
    },
  });
}
