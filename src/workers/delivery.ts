// The delivery workers: dispatcher, report applier, settler and reconciler.
// Each is a loop over one service call; they wake each other through the
// wake bus and otherwise poll at most every second.
//
// A dispatch loop waits for its round only a little (ROUND_PATIENCE_MS):
// past that, the round's vendor calls go on by themselves and the loop
// claims again, so one account's silent vendor holds up that account alone.
// How much may be in flight is bounded per account by the dispatcher's call
// slots; stop() waits for every round still sending.
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.ts";
import type { BreakerPolicy } from "../domain/circuit-breaker.ts";
import { foldCampaignCounts } from "../modules/campaigns/index.ts";
import {
  createDispatcher,
  type DispatchRound,
  type StartedRound,
} from "../modules/dispatch/service.ts";
import { createPoller } from "../modules/reconcile/service.ts";
import { applyPendingReports, type ParkingPolicy } from "../modules/reports/service.ts";
import { settleOnce } from "../modules/settlement/service.ts";
import type { VendorDirectory } from "../modules/vendor-accounts/service.ts";
import type { VendorAdapter, VendorName } from "../vendors/vendor.ts";
import { startLoop, type WorkerLoop } from "./loop.ts";
import type { WakeBus } from "./wake.ts";

export interface DeliveryWorkerOptions {
  db: Db;
  bus: WakeBus;
  directory: VendorDirectory;
  adapters: Record<VendorName, VendorAdapter | undefined>;
  logger: FastifyBaseLogger;
  now: () => Date;
  workerId: string;
  /** When sent messages without a final result are polled, and when they expire. */
  pollAfterMs: number;
  expireAfterMs: number;
  /** Dispatch loops in this process: more overlap vendor calls with database work. */
  dispatchConcurrency?: number;
  /** Vendor calls in flight at once per vendor account, in this process. */
  accountConcurrency?: number;
  claimSize?: number;
  leaseMs?: number;
  breakerPolicy?: BreakerPolicy;
  /** How long reports about unknown messages wait for them (default: DEFAULT_PARKING). */
  reportParking?: ParkingPolicy;
}

const IDLE_MS = 1000;
/**
 * A healthy vendor answers well within this, so a loop normally waits for
 * its whole round (and claims no more than can be sent); a slower one only
 * delays the next claim by this much.
 */
const ROUND_PATIENCE_MS = 1000;
const APPLY_BATCH = 5000;
const SETTLE_BATCH = 5000;

export function startDeliveryWorkers(options: DeliveryWorkerOptions): WorkerLoop[] {
  const { db, bus, logger, now } = options;
  const claimSize = options.claimSize ?? 1000;
  const dispatcher = createDispatcher({
    db,
    directory: options.directory,
    adapters: options.adapters,
    workerId: options.workerId,
    now,
    claimSize,
    leaseMs: options.leaseMs,
    breakerPolicy: options.breakerPolicy,
    accountConcurrency: options.accountConcurrency,
  });

  /**
   * Waits for a round's outcomes at most ROUND_PATIENCE_MS; the wakes its outcomes
   * call for happen when they are recorded, however long that takes.
   */
  async function awaitRound(
    name: string,
    round: StartedRound,
    wakes: (counts: DispatchRound) => void,
  ): Promise<void> {
    const recorded = round.done.then(wakes, (err: unknown) => {
      logger.error({ err, worker: name }, "dispatch round failed");
    });
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ROUND_PATIENCE_MS);
    });
    await Promise.race([recorded, patience]);
    clearTimeout(timer);
  }

  const dispatchLoops = Array.from({ length: options.dispatchConcurrency ?? 2 }, (_, i) =>
    startLoop({
      name: `dispatcher-${i}`,
      intervalMs: IDLE_MS,
      logger,
      async tick() {
        const round = await dispatcher.startRound();
        await awaitRound(`dispatcher-${i}`, round, (counts) => {
          // Reports that came before their acceptance was recorded can now apply.
          if (counts.sent > 0) bus.wake("reports");
          if (counts.failed > 0) {
            bus.wake("settle");
            bus.wake("dispatch");
          }
        });
        return round.claimed > 0;
      },
    }),
  );

  // Single sends and fallbacks have a loop of their own: a bulk round in
  // progress never delays them.
  const express = startLoop({
    name: "dispatcher-express",
    intervalMs: IDLE_MS,
    logger,
    async tick() {
      const round = await dispatcher.startRound("express");
      await awaitRound("dispatcher-express", round, (counts) => {
        if (counts.sent > 0) bus.wake("reports");
        if (counts.failed > 0) bus.wake("settle");
      });
      return round.claimed > 0;
    },
  });

  // The dispatch loops stop claiming, then every round still sending is
  // recorded (at most the longest vendor timeout) before stop() resolves.
  const drained = (loop: WorkerLoop): WorkerLoop => ({
    name: loop.name,
    wake: () => loop.wake(),
    async stop() {
      await loop.stop();
      await dispatcher.idle();
    },
  });

  const applier = startLoop({
    name: "report-applier",
    intervalMs: IDLE_MS,
    logger,
    async tick() {
      const round = await applyPendingReports(db, {
        now: now(),
        limit: APPLY_BATCH,
        parking: options.reportParking,
      });
      if (round.expired > 0) {
        logger.warn(
          { reports: round.expired },
          "delivery reports dropped: their message did not appear within the window",
        );
      }
      if (round.finals > 0) {
        bus.wake("settle");
        // A failed Alimtalk message may have queued its fallback.
        bus.wake("dispatch");
      }
      return round.claimed === APPLY_BATCH;
    },
  });

  const settler = startLoop({
    name: "settler",
    intervalMs: IDLE_MS,
    logger,
    async tick() {
      const round = await settleOnce(db, { now: now(), limit: SETTLE_BATCH });
      if (round.completed.length > 0) {
        logger.info({ campaigns: round.completed }, "campaigns completed");
        // Their counts change no more: one row per status from now on.
        await foldCampaignCounts(db, { campaignIds: round.completed });
      }
      // Organizations share a batch: one that settled anything may have more.
      return round.messages > 0;
    },
  });

  const poller = createPoller({
    db,
    directory: options.directory,
    adapters: options.adapters,
    schedule: { pollAfterMs: options.pollAfterMs, expireAfterMs: options.expireAfterMs },
    onIngested(result) {
      if (result.pending > 0) bus.wake("reports");
      if (result.finals > 0) {
        bus.wake("settle");
        bus.wake("dispatch");
      }
    },
    onError(err, accountId) {
      logger.warn({ err, vendorAccountId: accountId }, "poll failed; asking again later");
    },
  });

  // Lease recovery and polling: the polls run in tasks of their own, so a
  // slow vendor never holds up this loop (nor dispatch).
  const reconcilerLoop = startLoop({
    name: "reconciler",
    intervalMs: IDLE_MS,
    logger,
    async tick() {
      const requeued = await dispatcher.requeueExpiredLeases();
      if (requeued > 0) {
        logger.warn({ messages: requeued }, "leases expired: messages requeued");
        bus.wake("dispatch");
      }
      const round = await poller.tick(now());
      if (round.expired > 0) {
        logger.info({ messages: round.expired }, "messages expired without a final report");
        bus.wake("settle");
      }
      return false;
    },
  });
  const reconciler: WorkerLoop = {
    name: reconcilerLoop.name,
    wake: () => reconcilerLoop.wake(),
    async stop() {
      await reconcilerLoop.stop();
      await poller.idle();
    },
  };

  bus.on("dispatch", () => {
    express.wake();
    for (const loop of dispatchLoops) loop.wake();
  });
  bus.on("reports", () => applier.wake());
  bus.on("settle", () => settler.wake());
  return [...dispatchLoops.map(drained), drained(express), applier, settler, reconciler];
}
