import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.ts";
import { startDueCampaigns } from "../modules/campaigns/queries.ts";
import { startLoop } from "./loop.ts";

/**
 * Moves scheduled campaigns to `queued` when their time comes. Their messages
 * were queued at acceptance with `run_at = sendAt`, so the dispatcher needs
 * nothing from this loop; it keeps the campaign's status true.
 */
export function startScheduler(options: { db: Db; logger: FastifyBaseLogger; now: () => Date }) {
  return startLoop({
    name: "scheduler",
    intervalMs: 1000,
    logger: options.logger,
    async tick() {
      const started = await startDueCampaigns(options.db, options.now());
      if (started.length > 0)
        options.logger.info({ campaigns: started }, "scheduled campaigns started");
      return false;
    },
  });
}
