// The moves of the message lifecycle, each one statement over a batch. Every
// WHERE clause names the statuses a move may start from (domain/message-status),
// so a late, repeated or reordered input can never move a message backwards.
import type { Queryable } from "../../db/client.ts";
import { predecessorsOf } from "../../domain/message-status.ts";
import { newIds } from "../../lib/ids.ts";

const SENT_FROM = predecessorsOf("sent");
const DELIVERED_FROM = predecessorsOf("delivered");
const FAILED_FROM = predecessorsOf("failed");
const QUEUED_FROM = predecessorsOf("queued");
const EXPIRED_FROM = predecessorsOf("expired");

export interface Accepted {
  id: string;
  vendorAccountId: string;
  vendorMessageId: string;
  nativeFallback: boolean;
  /** Why this account (primary, or secondary and why): the message's trace. */
  routeReason: string;
}

/**
 * The vendor took these messages: `sent`, with its ids. A message whose lease
 * was lost to another worker still becomes `sent` (the vendor has it), and a
 * message already past `sent` is left alone.
 */
export async function markSent(q: Queryable, items: Accepted[], now: Date): Promise<number> {
  if (items.length === 0) return 0;
  const r = await q.query(
    `update messages m set status = 'sent', vendor_account_id = u.account,
       vendor_message_id = u.vid, native_fallback = u.native, route_reason = u.reason,
       sent_at = $5, locked_by = null, locked_until = null, error_code = null, error_message = null
     from unnest($1::text[], $2::text[], $3::text[], $4::bool[], $7::text[])
       as u(id, account, vid, native, reason)
     where m.id = u.id and m.status = any($6::text[])`,
    [
      items.map((i) => i.id),
      items.map((i) => i.vendorAccountId),
      items.map((i) => i.vendorMessageId),
      items.map((i) => i.nativeFallback),
      now,
      SENT_FROM,
      items.map((i) => i.routeReason),
    ],
  );
  return r.affectedRows;
}

export interface Retry {
  id: string;
  runAt: Date;
  code: string;
  message: string;
  /** The account the attempt went to, if it reached one. */
  vendorAccountId: string | null;
}

/**
 * A transient error: back to the queue until `runAt`. The account is kept:
 * after a timeout the vendor may have the message, so it goes there again.
 */
export async function markRetry(q: Queryable, items: Retry[]): Promise<number> {
  if (items.length === 0) return 0;
  const r = await q.query(
    `update messages m set status = 'queued', run_at = u.run_at, error_code = u.code,
       error_message = u.msg, locked_by = null, locked_until = null,
       vendor_account_id = coalesce(u.account, m.vendor_account_id)
     from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $6::text[])
       as u(id, run_at, code, msg, account)
     where m.id = u.id and m.status = any($5::text[])`,
    [
      items.map((i) => i.id),
      items.map((i) => i.runAt),
      items.map((i) => i.code),
      items.map((i) => i.message),
      QUEUED_FROM,
      items.map((i) => i.vendorAccountId),
    ],
  );
  return r.affectedRows;
}

export interface Failure {
  id: string;
  code: string;
  message: string;
}

/**
 * Fails messages. A failed Alimtalk message with a planned fallback creates
 * its fallback SMS/LMS in the same statement and hands its whole hold over
 * to it (the parent is settled with nothing charged or released; the child
 * holds the same amount and captures only its own price). With the vendor's
 * native fallback the child starts as `sent` — the vendor is sending it and
 * will report it — otherwise as `queued` for us to send, ahead of bulk work.
 * The unique index on `fallback_of` makes a second creation impossible.
 */
export async function markFailed(
  q: Queryable,
  items: Failure[],
  now: Date,
): Promise<{ failed: string[]; fallbacks: number }> {
  if (items.length === 0) return { failed: [], fallbacks: 0 };
  const r = await q.query<{ id: string; fallback: boolean }>(
    `with f as (
       update messages m set status = 'failed', failed_at = $5, error_code = u.code,
         error_message = u.msg, locked_by = null, locked_until = null,
         settled_at = case when m.type = 'alimtalk' and m.fallback_type is not null
                           then $5 else m.settled_at end
       from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as u(id, code, msg, child_id)
       where m.id = u.id and m.status = any($6::text[])
       returning m.*, u.child_id
     ),
     children as (
       insert into messages (id, org_id, campaign_id, recipient_index, recipient, name, variables,
         type, fallback_of, status, priority, unit_price, price_held, run_at, vendor_account_id,
         native_fallback, sent_at)
       select f.child_id, f.org_id, f.campaign_id, f.recipient_index, f.recipient, f.name,
         f.variables, f.fallback_type, f.id,
         case when f.native_fallback then 'sent' else 'queued' end, 0,
         least(case f.fallback_type when 'sms' then p.price_sms else p.price_lms end, f.price_held),
         f.price_held, $5,
         case when f.native_fallback then f.vendor_account_id end,
         f.native_fallback,
         case when f.native_fallback then $5::timestamptz end
       from f join orgs o on o.id = f.org_id join plans p on p.id = o.plan_id
       where f.type = 'alimtalk' and f.fallback_type is not null
       on conflict (fallback_of) where fallback_of is not null do nothing
       returning fallback_of
     )
     select f.id, exists (select 1 from children c where c.fallback_of = f.id) as fallback from f`,
    [
      items.map((i) => i.id),
      items.map((i) => i.code),
      items.map((i) => i.message),
      newIds("msg", items.length),
      now,
      FAILED_FROM,
    ],
  );
  return {
    failed: r.rows.map((row) => row.id),
    fallbacks: r.rows.filter((row) => row.fallback).length,
  };
}

export interface Progress {
  id: string;
  status: "sent" | "delivered";
  at: Date;
}

/** What a batch of deliveries settled, per campaign, for the ledger. */
export interface Settled {
  orgId: string;
  campaignId: string;
  messages: number;
  charged: bigint;
  released: bigint;
}

/** Applies `sent` and `delivered` reports, each only from the statuses it may follow. */
export async function markProgress(q: Queryable, items: Progress[]): Promise<number> {
  if (items.length === 0) return 0;
  const r = await q.query(
    `update messages m set status = u.status,
       sent_at = coalesce(m.sent_at, u.at),
       delivered_at = case when u.status = 'delivered' then u.at else m.delivered_at end,
       locked_by = null, locked_until = null
     from unnest($1::text[], $2::text[], $3::timestamptz[]) as u(id, status, at)
     where m.id = u.id
       and m.status = any(case u.status when 'sent' then $4::text[] else $5::text[] end)`,
    [
      items.map((i) => i.id),
      items.map((i) => i.status),
      items.map((i) => i.at),
      SENT_FROM,
      DELIVERED_FROM,
    ],
  );
  return r.affectedRows;
}

/** Sent messages whose final result never came: `expired`, to be released. */
export async function markExpired(q: Queryable, ids: string[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await q.query(
    `update messages set status = 'expired', failed_at = $2, error_code = 'EXPIRED',
       error_message = 'no final report from the vendor'
     where id = any($1::text[]) and status = any($3::text[])`,
    [ids, now, EXPIRED_FROM],
  );
  return r.affectedRows;
}
