// Messages that were sent but never got a final report: asked of the vendor
// once the window has passed, and expired (their holds released) when the
// vendor cannot say either.
import type { Db, Queryable } from "../../db/client.ts";
import type { VendorAdapter, VendorName } from "../../vendors/vendor.ts";
import { markExpired } from "../messages/transitions.ts";
import { ingestReports } from "../reports/service.ts";
import type { VendorDirectory } from "../vendor-accounts/service.ts";

interface Overdue {
  id: string;
  vendorAccountId: string | null;
  vendorMessageId: string | null;
}

/** Sent messages still waiting for a final report since before `before`. */
async function findOverdue(q: Queryable, before: Date, limit: number): Promise<Overdue[]> {
  const r = await q.query<Overdue>(
    `select id, vendor_account_id as "vendorAccountId", vendor_message_id as "vendorMessageId"
     from messages where status = 'sent' and sent_at < $1
     order by sent_at limit $2`,
    [before, limit],
  );
  return r.rows;
}

export interface ReconcileRound {
  overdue: number;
  polled: number;
  resolved: number;
  expired: number;
}

export async function reconcileOnce(options: {
  db: Db;
  directory: VendorDirectory;
  adapters: Record<VendorName, VendorAdapter | undefined>;
  now: Date;
  reconcileAfterMs: number;
  limit?: number;
}): Promise<ReconcileRound> {
  const { db, now } = options;
  const overdue = await findOverdue(
    db,
    new Date(now.getTime() - options.reconcileAfterMs),
    options.limit ?? 1000,
  );
  const round: ReconcileRound = { overdue: overdue.length, polled: 0, resolved: 0, expired: 0 };
  const resolved = new Set<string>();
  const byAccount = new Map<string, Overdue[]>();
  for (const m of overdue) {
    if (!m.vendorAccountId || !m.vendorMessageId) continue;
    const list = byAccount.get(m.vendorAccountId);
    if (list) list.push(m);
    else byAccount.set(m.vendorAccountId, [m]);
  }
  for (const [accountId, messages] of byAccount) {
    const account = await options.directory.get(accountId);
    const adapter = account ? options.adapters[account.vendor] : undefined;
    if (!account || !adapter?.canPoll) continue;
    for (let start = 0; start < messages.length; start += adapter.batchSize) {
      const chunk = messages.slice(start, start + adapter.batchSize);
      round.polled += chunk.length;
      try {
        const { reports } = await adapter.poll(
          account,
          chunk.map((m) => ({ id: m.id, vendorMessageId: m.vendorMessageId! })),
        );
        // Final results, and news of a vendor's own fallback (which names it for later polls).
        const finals = reports.filter((r) => r.status !== "sent" || r.fallbackOf !== null);
        await ingestReports(db, {
          vendorAccountId: accountId,
          source: "poll",
          reports: finals,
          now,
        });
        const byVid = new Map(chunk.map((m) => [m.vendorMessageId, m.id]));
        for (const r of finals) {
          if (r.status === "sent") continue;
          const id = byVid.get(r.vendorMessageId);
          if (id) resolved.add(id);
        }
      } catch {
        // The vendor could not be asked this time: nothing is expired for it
        // either, the next round asks again.
        for (const m of chunk) resolved.add(m.id);
      }
    }
  }
  round.resolved = resolved.size;
  round.expired = await markExpired(
    db,
    overdue.filter((m) => !resolved.has(m.id)).map((m) => m.id),
    now,
  );
  return round;
}
