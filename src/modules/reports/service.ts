// Delivery reports: stored first (durably, once each), applied in batches.
import type { Db } from "../../db/client.ts";
import { furthest } from "../../domain/message-status.ts";
import { markFailed, markProgress } from "../messages/transitions.ts";
import {
  claimPendingReports,
  deferReports,
  findFallbacks,
  findMessagesByVendorIds,
  markReportsApplied,
  type PendingReport,
  setFallbackVendorIds,
} from "./queries.ts";

/** How long a report whose message is not known yet waits before it is tried again. */
const ORPHAN_RETRY_MS = 1_000;

export interface ApplyRound {
  claimed: number;
  applied: number;
  deferred: number;
  /** Messages that reached a final status (the settler has work). */
  finals: number;
}

const key = (account: string, vid: string) => `${account}\u0000${vid}`;

/**
 * Applies one batch of stored reports in one transaction. Reports about the
 * same message are folded into the one that moves it furthest; every move is
 * forward-only in SQL, so duplicates and any order give the same result. A
 * vendor's native-fallback report first fails its Alimtalk message (which
 * creates the fallback message holding the same credits) and then applies to
 * that fallback. Reports whose message is unknown are kept for later.
 */
export async function applyPendingReports(
  db: Db,
  options: { now: Date; limit?: number },
): Promise<ApplyRound> {
  const { now } = options;
  return db.tx(async (q) => {
    const pending = await claimPendingReports(q, { now, limit: options.limit ?? 5000 });
    const round: ApplyRound = { claimed: pending.length, applied: 0, deferred: 0, finals: 0 };
    if (pending.length === 0) return round;

    // Native fallback: the report names the Alimtalk message it replaces.
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

    const perMessage = new Map<string, PendingReport[]>();
    for (const [r, id] of target) {
      const list = perMessage.get(id);
      if (list) list.push(r);
      else perMessage.set(id, [r]);
    }
    const failures = [];
    const progress = [];
    for (const [id, reports] of perMessage) {
      const best = furthest(reports)!;
      if (best.status === "failed") {
        failures.push({
          id,
          code: best.errorCode ?? "UNKNOWN",
          message: `${best.errorMessage ?? "failed"}${best.rawCode ? ` (${best.rawCode})` : ""}`,
        });
      } else {
        progress.push({ id, status: best.status, at: best.reportedAt });
      }
    }
    const failed = await markFailed(q, failures, now);
    await markProgress(q, progress);
    round.finals = failed.failed.length + progress.filter((p) => p.status === "delivered").length;

    const applied = [...target].map(([r, messageId]) => ({ id: r.id, messageId }));
    await markReportsApplied(q, applied, now);
    const orphans = pending.filter((r) => !target.has(r)).map((r) => r.id);
    await deferReports(q, orphans, new Date(now.getTime() + ORPHAN_RETRY_MS));
    round.applied = applied.length;
    round.deferred = orphans.length;
    return round;
  });
}
