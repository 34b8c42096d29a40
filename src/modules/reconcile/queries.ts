// The reconciler's statements: which sent messages are due to be polled or
// expired, and the poll schedule kept on each message (next_poll_at, polls).
import type { Queryable } from "../../db/client.ts";

export interface DuePoll {
  id: string;
  vendorAccountId: string | null;
  vendorMessageId: string | null;
  sentAt: Date;
  polls: number;
}

/**
 * Takes up to `limit` sent messages whose poll is due — never polled and sent
 * at least ALIMI_POLL_AFTER ago (`firstDueSentBefore`), or due again — and
 * leases them to this poller by moving `next_poll_at` to `leaseUntil`, so
 * other pollers skip them while the vendor is asked (and a crashed poller's
 * messages are due again when the lease ends). Accounts this poller is still
 * polling (`busyAccounts`) are left for later. Skips rows locked by report
 * appliers instead of waiting for them.
 */
export async function claimDuePolls(
  q: Queryable,
  options: {
    now: Date;
    firstDueSentBefore: Date;
    leaseUntil: Date;
    busyAccounts: string[];
    limit: number;
  },
): Promise<DuePoll[]> {
  const r = await q.query<DuePoll>(
    // Two scans, each an index range on messages_poll_idx (an OR of both
    // would filter every sent message instead, once a second).
    `with never_polled as (
       select id from messages
       where status = 'sent' and next_poll_at is null and sent_at <= $2
         and coalesce(vendor_account_id, '') <> all($4::text[])
       limit $5
       for update skip locked
     ),
     due_again as (
       select id from messages
       where status = 'sent' and next_poll_at <= $1
         and coalesce(vendor_account_id, '') <> all($4::text[])
       limit $5
       for update skip locked
     ),
     due as (
       select id from never_polled union all select id from due_again limit $5
     )
     update messages m set next_poll_at = $3
     from due where m.id = due.id
     returning m.id, m.vendor_account_id as "vendorAccountId",
       m.vendor_message_id as "vendorMessageId", m.sent_at as "sentAt", m.polls`,
    [
      options.now,
      options.firstDueSentBefore,
      options.leaseUntil,
      options.busyAccounts,
      options.limit,
    ],
  );
  return r.rows;
}

/**
 * Records a poll that left these messages without a final result: one more
 * poll counted and the next one due at `next`. Messages that left `sent`
 * meanwhile (their result came) are not touched.
 */
export async function schedulePolls(
  q: Queryable,
  items: { id: string; next: Date }[],
): Promise<number> {
  if (items.length === 0) return 0;
  const r = await q.query(
    `update messages m set polls = m.polls + 1, next_poll_at = u.next
     from unnest($1::text[], $2::timestamptz[]) as u(id, next)
     where m.id = u.id and m.status = 'sent'`,
    [items.map((i) => i.id), items.map((i) => i.next)],
  );
  return r.affectedRows;
}
