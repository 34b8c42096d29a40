// Delivery reports: stored durably and once each, then applied to messages.
// A report whose message is known is applied in the transaction that stores
// it; the rest (reports that came before the acceptance they are about was
// recorded, and vendors' native-fallback reports) wait for the applier.
import type { Db, Queryable } from "../../db/client.ts";
import { retryTransient } from "../../db/retry.ts";
import { furthest } from "../../domain/message-status.ts";
import type { DeliveryReport } from "../../vendors/vendor.ts";
import { markFailed, markProgress } from "../messages/index.ts";
import {
  claimPendingReports,
  deferReports,
  findFallbacks,
  findMessagesByVendorIds,
  insertReports,
  markReportsApplied,
  type PendingReport,
  setFallbackVendorIds,
} from "./queries.ts";

/** How long a report whose message is not known yet waits before it is tried again. */
const ORPHAN_RETRY_MS = 1_000;

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
  const failed = await markFailed(q, failures, now);
  await markProgress(q, progress);
  return failed.failed.length + progress.filter((p) => p.status === "delivered").length;
}

export interface IngestResult {
  received: number;
  stored: number;
  applied: number;
  /** Stored but left for the applier. */
  pending: number;
  finals: number;
}

/** Stores a vendor's reports and applies those whose message is known, in one transaction. */
export async function ingestReports(
  db: Db,
  options: {
    vendorAccountId: string;
    source: "webhook" | "poll";
    reports: DeliveryReport[];
    now: Date;
  },
): Promise<IngestResult> {
  const { vendorAccountId, reports, now } = options;
  return retryTransient(() =>
    db.tx(async (q) => {
      const direct = reports.filter((r) => r.fallbackOf === null);
      const known = await findMessagesByVendorIds(
        q,
        direct.map((r) => ({ vendorAccountId, vendorMessageId: r.vendorMessageId })),
      );
      const idOf = new Map(known.map((m) => [m.vendorMessageId, m.id]));
      const messageIds = reports.map((r) =>
        r.fallbackOf === null ? (idOf.get(r.vendorMessageId) ?? null) : null,
      );
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
        received: reports.length,
        stored: stored.length,
        applied: applicable.length,
        pending: stored.length - applicable.length,
        finals,
      };
    }),
  );
}

export interface ApplyRound {
  claimed: number;
  applied: number;
  deferred: number;
  /** Messages that reached a final status (the settler has work). */
  finals: number;
}

/**
 * Applies one batch of reports that could not be applied when they came.
 * A vendor's native-fallback report first fails its Alimtalk message (which
 * creates the fallback message holding the same credits) and then applies to
 * that fallback. Reports whose message is still unknown wait again.
 */
export async function applyPendingReports(
  db: Db,
  options: { now: Date; limit?: number },
): Promise<ApplyRound> {
  const { now } = options;
  return retryTransient(() =>
    db.tx(async (q) => {
      const pending = await claimPendingReports(q, { now, limit: options.limit ?? 5000 });
      const round: ApplyRound = { claimed: pending.length, applied: 0, deferred: 0, finals: 0 };
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
        await markFailed(
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
      const orphans = pending.filter((r) => !target.has(r)).map((r) => r.id);
      await deferReports(q, orphans, new Date(now.getTime() + ORPHAN_RETRY_MS));
      round.applied = applied.length;
      round.deferred = orphans.length;
      return round;
    }),
  );
}
