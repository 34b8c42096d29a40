// Campaign upkeep: queues the messages of launched drafts in batches (so a
// million-recipient launch starts sending at once and no statement moves a
// million rows), and folds the campaign_counts rows of busy campaigns and
// the stats_deltas rows of busy hours so that a read sums a handful of rows.
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.ts";
import { foldCampaignCounts, releaseLaunchedDraft } from "../modules/campaigns/index.ts";
import { foldStatsDeltas } from "../modules/stats/index.ts";
import { startLoop, type WorkerLoop } from "./loop.ts";
import type { WakeBus } from "./wake.ts";

const IDLE_MS = 1000;
/** Messages queued per transaction: about a tenth of a second of work on PostgreSQL. */
const RELEASE_BATCH = 10_000;
/** A campaign with more rows than this among the newest FOLD_RECENT is folded. */
const FOLD_THRESHOLD = 16;
const FOLD_RECENT = 50_000;

export function startCampaignUpkeep(options: {
  db: Db;
  bus: WakeBus;
  logger: FastifyBaseLogger;
  now: () => Date;
}): WorkerLoop {
  const { db, bus, logger, now } = options;
  const loop = startLoop({
    name: "campaign-upkeep",
    intervalMs: IDLE_MS,
    logger,
    async tick() {
      const released = await db.tx((q) =>
        releaseLaunchedDraft(q, { now: now(), limit: RELEASE_BATCH }),
      );
      if (released && released.queued > 0) bus.wake("dispatch");
      await foldCampaignCounts(db, { threshold: FOLD_THRESHOLD, recent: FOLD_RECENT });
      await foldStatsDeltas(db, { threshold: FOLD_THRESHOLD, recent: FOLD_RECENT });
      return released !== null;
    },
  });
  bus.on("campaigns", () => loop.wake());
  return loop;
}
