// Delivery reports: stored durably and once each, then applied to messages.
// A report whose message is known is applied in the transaction that stores
// it; the rest (reports that came before the acceptance they are about was
// recorded, and vendors' native-fallback reports) are parked for the applier.
//
// Parking is bounded twice, since anyone holding an account's webhook secret
// can post reports about ids that will never exist. In time: a parked report
// waits ALIMI_UNKNOWN_REPORT_WINDOW for its message (made due at once when the
// acceptance is recorded, otherwise looked at with backoff, never once a
// second), then it is deleted and counted. In number: an account may have at
// most ALIMI_UNKNOWN_REPORT_LIMIT reports parked; beyond that the delivery is
// still answered 200 (a vendor would only retry a refusal) but the extra
// unknown reports are dropped and counted. The counts (report_drops) are what
// `alimi doctor` shows; the table itself holds only the reports that wait.
import type { Db, Queryable } from "../../db/client.ts";
import { retryTransient } from "../../db/retry.ts";
import { furthest } from "../../domain/message-status.ts";
import { isPastWindow, nextCheckAt } from "../../domain/report-parking.ts";
import type { DeliveryReport } from "../../vendors/vendor.ts";
import { failMessages, markProgress } from "../messages/index.ts";
import { completeSettledCampaigns } from "../settlement/index.ts";
import {
  claimPendingReports,
  countDroppedReports,
  countParkedReports,
  deferReports,
  deleteReports,
  findFallbacks,
  findMessagesByVendorIds,
  insertReports,
  markReportsApplied,
  type PendingReport,
  setFallbackVendorIds,
} from "./queries.ts";

/** How long, and how many, reports about messages not known yet may wait. */
export interface ParkingPolicy {
  /** How long a parked report waits for its message (ALIMI_UNKNOWN_REPORT_WINDOW). */
  windowMs: number;
  /** Parked reports one vendor account may have at once (ALIMI_UNKNOWN_REPORT_LIMIT). */
  limit: number;
}

export const DEFAULT_PARKING: ParkingPolicy = { windowMs: 10 * 60_000, limit: 10_000 };

const key = (account: string, vid: string) => `${account}\u0000${vid}`;

interface Applicable {
  messageId: string;
  status: "sent" | "delivered" | "failed";
  errorCode: string | null;
  rawCode: string | null;
  errorMessage: string | null;
  at: Date;
}

/**
 * Moves messages by their reports. Reports about one message fold into the
 * one that moves it furthest, and every move is forward-only in SQL, so
 * duplicates and any order give the same result. Returns how many messages
 * reached a final status (the settler's work). Settling here instead would
 * put the wallet's row lock in every report transaction, and concurrent
 * report deliveries for one busy organization would queue on it.
 */
async function applyToMessages(q: Queryable, reports: Applicable[], now: Date): Promise<number> {
  const perMessage = new Map<string, Applicable[]>();
  for (const r of reports) {
    const list = perMessage.get(r.messageId);
    if (list) list.push(r);
    else perMessage.set(r.messageId, [r]);
  }
  const failures = [];
  const progress = [];
  for (const [id, list] of perMessage) {
    const best = furthest(list)!;
    if (best.status === "failed") {
      failures.push({
        id,
        code: best.errorCode ?? "UNKNOWN",
        message: `${best.errorMessage ?? "failed"}${best.rawCode ? ` (${best.rawCode})` : ""}`,
      });
    } else {
      progress.push({ id, status: best.status, at: best.at });
    }
  }
  // Sorted ids give concurrent transactions the same lock order.
  failures.sort((a, b) => (a.id < b.id ? -1 : 1));
  progress.sort((a, b) => (a.id < b.id ? -1 : 1));
  // A failure may create a fallback that needs a hold of its own (a message
  // charged on acceptance): failMessages funds it in this transaction.
  const failed = await failMessages(q, failures, now);
  await markProgress(q, progress);
  const delivered = progress.filter((p) => p.status === "delivered").map((p) => p.id);
  // Messages charged on acceptance were settled already: their campaign may be done now.
  await completeSettledCampaigns(q, [...failed.failed, ...delivered], now);
  return failed.failed.length + delivered.length;
}

export interface IngestResult {
  received: number;
  stored: number;
  applied: number;
  /** Stored but left for the applier (parked). */
  pending: number;
  /** About unknown messages, and not stored: the account's parking was full. */
  dropped: number;
  finals: number;
}

/**
 * Stores a vendor's reports and applies those whose message is known, in one
 * transaction. Reports whose message is unknown are parked, up to the
 * account's limit; the rest of them are dropped and counted.
 */
export async function ingestReports(
  db: Db,
  options: {
    vendorAccountId: string;
    source: "webhook" | "poll";
    reports: DeliveryReport[];
    now: Date;
    parking?: ParkingPolicy;
  },
): Promise<IngestResult> {
  const { vendorAccountId, now } = options;
  const parking = options.parking ?? DEFAULT_PARKING;
  return retryTransient(() =>
    db.tx(async (q) => {
      const direct = options.reports.filter((r) => r.fallbackOf === null);
      const known = await findMessagesByVendorIds(
        q,
        direct.map((r) => ({ vendorAccountId, vendorMessageId: r.vendorMessageId })),
      );
      const idOf = new Map(known.map((m) => [m.vendorMessageId, m.id]));
      const messageIdOf = (r: DeliveryReport) =>
        r.fallbackOf === null ? (idOf.get(r.vendorMessageId) ?? null) : null;

      // What is about unknown messages parks only while the account has room.
      let room = 0;
      const unknown = options.reports.filter((r) => messageIdOf(r) === null).length;
      if (unknown > 0) {
        const parked = await countParkedReports(q, { vendorAccountId, limit: parking.limit });
        room = Math.max(0, parking.limit - parked);
      }
      const reports: DeliveryReport[] = [];
      for (const r of options.reports) {
        if (messageIdOf(r) !== null) reports.push(r);
        else if (room > 0) {
          reports.push(r);
          room -= 1;
        }
      }
      const dropped = options.reports.length - reports.length;
      await countDroppedReports(q, {
        reason: "over_limit",
        drops: [{ vendorAccountId, n: dropped }],
        now,
      });

      const messageIds = reports.map(messageIdOf);
      const stored = await insertReports(q, {
        vendorAccountId,
        source: options.source,
        reports,
        messageIds,
        receivedAt: now,
      });
      const fresh = new Set(stored.map((s) => `${s.vendorMessageId}\u0000${s.status}`));
      const applicable: Applicable[] = [];
      reports.forEach((r, i) => {
        const messageId = messageIds[i];
        if (!messageId || !fresh.delete(`${r.vendorMessageId}\u0000${r.status}`)) return;
        applicable.push({
          messageId,
          status: r.status,
          errorCode: r.error?.code ?? null,
          rawCode: r.error?.rawCode ?? null,
          errorMessage: r.error?.message ?? null,
          at: r.at,
        });
      });
      const finals = await applyToMessages(q, applicable, now);
      return {
        received: options.reports.length,
        stored: stored.length,
        applied: applicable.length,
        pending: stored.length - applicable.length,
        dropped,
        finals,
      };
    }),
  );
}

export interface ApplyRound {
  claimed: number;
  applied: number;
  /** Still waiting for their message, looked at again later. */
  deferred: number;
  /** Their window over and their message never seen: deleted and counted. */
  expired: number;
  /** Messages that reached a final status (the settler has work). */
  finals: number;
}

/**
 * Applies one batch of reports that could not be applied when they came.
 * A vendor's native-fallback report first fails its Alimtalk message (which
 * creates the fallback message holding the same credits) and then applies to
 * that fallback. Reports whose message is still unknown wait again, with
 * backoff, until their window is over; then they are deleted and counted.
 */
export async function applyPendingReports(
  db: Db,
  options: { now: Date; limit?: number; parking?: ParkingPolicy },
): Promise<ApplyRound> {
  const { now } = options;
  const { windowMs } = options.parking ?? DEFAULT_PARKING;
  return retryTransient(() =>
    db.tx(async (q) => {
      const pending = await claimPendingReports(q, { now, limit: options.limit ?? 5000 });
      const round: ApplyRound = {
        claimed: pending.length,
        applied: 0,
        deferred: 0,
        expired: 0,
        finals: 0,
      };
      if (pending.length === 0) return round;

      const viaFallback = pending.filter((r) => r.fallbackOf !== null);
      const parents = await findMessagesByVendorIds(
        q,
        viaFallback.map((r) => ({
          vendorAccountId: r.vendorAccountId,
          vendorMessageId: r.fallbackOf!,
        })),
      );
      if (parents.length > 0) {
        await failMessages(
          q,
          parents.map((p) => ({
            id: p.id,
            code: "FALLBACK_SENT",
            message: "the vendor sent the fallback instead of Alimtalk",
          })),
          now,
        );
      }
      const parentByVid = new Map(
        parents.map((p) => [key(p.vendorAccountId, p.vendorMessageId), p.id]),
      );
      const children = await findFallbacks(q, [...parentByVid.values()]);
      const childOf = new Map(children.map((c) => [c.fallbackOf, c.id]));
      const naming: { id: string; vendorMessageId: string }[] = [];
      const target = new Map<PendingReport, string>();
      for (const r of viaFallback) {
        const parent = parentByVid.get(key(r.vendorAccountId, r.fallbackOf!));
        const child = parent ? childOf.get(parent) : undefined;
        if (!child) continue;
        target.set(r, child);
        naming.push({ id: child, vendorMessageId: r.vendorMessageId });
      }
      await setFallbackVendorIds(q, naming);

      const direct = pending.filter((r) => r.fallbackOf === null);
      const found = await findMessagesByVendorIds(q, direct);
      const byVid = new Map(found.map((m) => [key(m.vendorAccountId, m.vendorMessageId), m.id]));
      for (const r of direct) {
        const id = byVid.get(key(r.vendorAccountId, r.vendorMessageId));
        if (id) target.set(r, id);
      }

      round.finals = await applyToMessages(
        q,
        [...target].map(([r, messageId]) => ({
          messageId,
          status: r.status,
          errorCode: r.errorCode,
          rawCode: r.rawCode,
          errorMessage: r.errorMessage,
          at: r.reportedAt,
        })),
        now,
      );
      const applied = [...target].map(([r, messageId]) => ({ id: r.id, messageId }));
      await markReportsApplied(q, applied, now);
      const orphans = pending.filter((r) => !target.has(r));
      const over = new Set(
        orphans.filter((r) => isPastWindow({ receivedAt: r.receivedAt, now, windowMs })),
      );
      const waiting = orphans.filter((r) => !over.has(r));
      await deferReports(
        q,
        waiting.map((r) => ({
          id: r.id,
          checks: r.checks + 1,
          nextAttemptAt: nextCheckAt({
            receivedAt: r.receivedAt,
            checks: r.checks + 1,
            now,
            windowMs,
          }),
        })),
      );
      const deleted = await deleteReports(
        q,
        [...over].map((r) => r.id),
      );
      await countDroppedReports(q, { reason: "expired", drops: deleted, now });
      round.applied = applied.length;
      round.deferred = waiting.length;
      round.expired = over.size;
      return round;
    }),
  );
}
