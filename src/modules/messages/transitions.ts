// The moves of the message lifecycle, each one statement over a batch. Every
// WHERE clause names the statuses a move may start from (domain/message-status),
// so a late, repeated or reordered input can never move a message backwards.
// Every status move of a message lives here, and each takes its time from the
// caller's clock (no now() in the SQL).
//
// The claim: a dispatcher's claim writes a fresh token into `locked_by`, and
// the moves that complete a claimed attempt (markSent, markRetry, markFailed
// with a `claim`) change only a message whose `locked_by` is still that token,
// as graphile/worker compares `locked_by` on completion. A worker whose lease
// ran out and whose batch was claimed again changes nothing. Vendor reports
// complete nobody's claim and pass none.
//
// `settled_at` is written in one place, the settlement statement
// (settlement/queries.ts), and nowhere here: it is the moment a hold is turned
// into ledger entries, so only the code that books those entries may say it
// happened. A failed Alimtalk message that hands its hold to its fallback
// therefore moves the amount itself (its own `price_held` becomes 0, the
// child's is the old one) and is settled later like any other final message,
// with nothing to charge or release; at every commit the wallet's `held`
// still equals the sum of the unsettled messages' holds.
//
// Who controls the evidence decides when a message is charged. markSent marks
// a message sent through a vendor account the platform does not own
// (`capture_on_accept`): that account's holder also holds its delivery reports
// (the signing secret, the path token), so settlement captures the message as
// soon as the vendor has accepted it, and a later "failed" changes its status,
// never its money. Such a message keeps its hold when it fails; a fallback it
// plans gets a hold of its own (fallback-holds.ts), in the same transaction.
//
// A canceled campaign: cancelPendingMessages cancels what never left us and
// marks what was with the vendor or on its way (`in_flight_at_cancel`). The
// moves that could send one of its messages again (markRetry, a lease that
// expired) or create a fallback to send (markFailed) read the campaign's status
// under a KEY SHARE lock, which a cancel's FOR UPDATE conflicts with: either
// the cancel committed first and they see it, or it waits for them and then
// finds their result (a queued message) and cancels it. A message claimed when
// its campaign was canceled is therefore accepted by the vendor (and keeps its
// real outcome), refused by it (failed, with no fallback of ours), or
// canceled: never tried again.
import type { Queryable } from "../../db/client.ts";
import { messagesInTurn } from "../../db/in-turn.ts";
import type { MessageType } from "../../domain/message-content.ts";
import { predecessorsOf } from "../../domain/message-status.ts";
import type { Captured, PriceLevel } from "../../domain/pricing.ts";
import { newIds } from "../../lib/ids.ts";

const SENT_FROM = predecessorsOf("sent");
const DELIVERED_FROM = predecessorsOf("delivered");
const FAILED_FROM = predecessorsOf("failed");
const QUEUED_FROM = predecessorsOf("queued");
const EXPIRED_FROM = predecessorsOf("expired");
const CANCELED_FROM = predecessorsOf("canceled");
/** With the vendor, or on its way there: a cancel does not stop these. */
const IN_FLIGHT_AT_CANCEL = ["sending", "sent"];

export interface ClaimedMessage {
  id: string;
  orgId: string;
  campaignId: string;
  recipient: string;
  type: MessageType;
  fallbackType: "sms" | "lms" | null;
  variables: Record<string, string> | null;
  /** Vendor calls made so far (this claim's not yet counted). */
  attempts: number;
  /** The recipient's index in the campaign (shared by a message and its fallback). */
  recipientIndex: number;
  /** Claims in a row that found no vendor account. */
  routeMisses: number;
  /** The account and error of the previous attempt, if any. */
  lastAccountId: string | null;
  lastError: string | null;
}

/**
 * Claims up to `limit` due messages for this worker, fairly across
 * organizations, in one statement.
 *
 * Why lanes: messages are claimed per organization in rotation, not in one
 * global run_at order (src/db/in-turn.ts: a loose index scan over
 * messages_queue_idx finds the organizations with due work, one index probe
 * each), and each lane gets an equal share of the batch. A 200,000-message campaign of one
 * organization therefore takes at most its share of each claim while another
 * organization's single message goes out in the very next claim, and within
 * a lane priority 0 (single sends, fallbacks) goes before bulk work.
 * `for update skip locked` lets several workers claim at once without
 * waiting for each other; the lease (`locked_until`) hands a crashed
 * worker's batch back to the queue. `locked_by` gets the claim's own token
 * (fresh for every claim, not only per worker): each completion compares it,
 * so a worker whose lease ran out and whose batch was claimed again (by
 * another worker, or by itself) changes nothing. A claim does not count as an
 * attempt: `attempts` grows when a vendor is called (messages/transitions).
 */
export async function claimMessages(
  q: Queryable,
  options: {
    /** This claim's token, written to `locked_by`. */
    claim: string;
    now: Date;
    leaseUntil: Date;
    limit: number;
    /** Only priority 0 (single sends, fallbacks), through messages_express_idx. */
    expressOnly?: boolean;
  },
): Promise<ClaimedMessage[]> {
  // Spelled out rather than a parameter so that the planner picks the partial index.
  const due = (m: string) =>
    `${m}.status = 'queued' ${options.expressOnly ? `and ${m}.priority = 0` : ""} and ${m}.run_at <= $1`;
  const r = await q.query<ClaimedMessage>(
    `with recursive ${messagesInTurn({
      name: "picked",
      where: due,
      orderBy: "m.priority, m.run_at",
      limit: "$2",
    })}
     update messages m set status = 'sending', locked_by = $3, locked_until = $4
     from picked where m.id = picked.id
     returning m.id, m.org_id as "orgId", m.campaign_id as "campaignId", m.recipient, m.type,
       m.fallback_type as "fallbackType", m.variables, m.attempts,
       m.recipient_index as "recipientIndex", m.route_misses as "routeMisses",
       m.vendor_account_id as "lastAccountId", m.error_code as "lastError"`,
    [options.now, options.limit, options.claim, options.leaseUntil],
  );
  return r.rows;
}

export interface Accepted {
  id: string;
  /** The claim token the dispatcher holds the message under; absent only outside a claim (tests, tools). */
  claim?: string;
  vendorAccountId: string;
  vendorMessageId: string;
  nativeFallback: boolean;
  /** Why this account (primary, or secondary and why): the message's trace. */
  routeReason: string;
}

/**
 * The vendor took these messages: `sent`, with its ids; the call counts as an
 * attempt. A message already past `sent`, or claimed again by another worker
 * since (its lease ran out), is left alone: the holder of the newer claim
 * records its own answer (the vendor deduplicates by our message id).
 *
 * In the same statement: a message sent through an account the platform does
 * not own is marked `capture_on_accept` (settlement captures it now), and the
 * delivery reports that came before this acceptance was recorded (parked,
 * reports/service.ts) are made due at once, about the message itself or about
 * the fallback the vendor sent in its place, so that they apply now rather
 * than at their next backoff check.
 */
export async function markSent(q: Queryable, items: Accepted[], now: Date): Promise<number> {
  if (items.length === 0) return 0;
  const r = await q.query<{ n: number }>(
    `with u as (
       select * from unnest($1::text[], $2::text[], $3::text[], $4::bool[], $7::text[], $8::text[])
         as u(id, account, vid, native, reason, claim)
     ),
     own as (
       select va.id from vendor_accounts va join orgs o on o.id = va.org_id
       where va.id in (select account from u) and o.kind <> 'platform'
     ),
     sent as (
       update messages m set status = 'sent', vendor_account_id = u.account,
         vendor_message_id = u.vid, native_fallback = u.native, route_reason = u.reason,
         sent_at = $5, locked_by = null, locked_until = null, error_code = null,
         error_message = null, attempts = m.attempts + 1, route_misses = 0,
         capture_on_accept = u.account in (select id from own)
       from u
       where m.id = u.id and m.status = any($6::text[])
         and (u.claim is null or m.locked_by = u.claim)
       returning m.vendor_account_id as account, m.vendor_message_id as vid
     ),
     direct as (
       update delivery_reports r set next_attempt_at = $5
       from sent
       where r.vendor_account_id = sent.account and r.vendor_message_id = sent.vid
         and r.applied_at is null and r.next_attempt_at > $5
     ),
     via_fallback as (
       update delivery_reports r set next_attempt_at = $5
       from sent
       where r.vendor_account_id = sent.account and r.fallback_of = sent.vid
         and r.applied_at is null and r.fallback_of is not null and r.next_attempt_at > $5
     )
     select count(*)::int as n from sent`,
    [
      items.map((i) => i.id),
      items.map((i) => i.vendorAccountId),
      items.map((i) => i.vendorMessageId),
      items.map((i) => i.nativeFallback),
      now,
      SENT_FROM,
      items.map((i) => i.routeReason),
      items.map((i) => i.claim ?? null),
    ],
  );
  return r.rows[0]?.n ?? 0;
}

export interface Retry {
  id: string;
  /** The claim token the dispatcher holds the message under. */
  claim: string;
  /** Whether a vendor was called (counts as an attempt), or the message never left us. */
  called: boolean;
  /** No vendor account could take it: counted apart from attempts, until NO_ROUTE. */
  unroutable?: boolean;
  runAt: Date;
  code: string;
  message: string;
  /** The account the attempt went to, if it reached one. */
  vendorAccountId: string | null;
}

/**
 * The campaigns of the messages `ids` name, locked KEY SHARE: what a cancel's
 * FOR UPDATE waits for, and what waits for a cancel (see the top of the file).
 * Spelled as a CTE over `u`, the statement's own unnest of message ids.
 */
const CAMPAIGNS_OF_U = `c as (
       select c.id, c.status = 'canceled' as canceled from campaigns c
       where c.id in (select m.campaign_id from messages m join u on u.id = m.id)
       order by c.id
       for key share
     )`;

/**
 * A transient error, or no route for now: back to the queue until `runAt`.
 * `attempts` counts vendor calls only; `route_misses` counts the claims in a
 * row that found no account. The account is kept: after a timeout the vendor
 * may have the message, so it goes there again.
 *
 * Not if its campaign was canceled meanwhile: then the message never reached
 * the vendor (or its answer never came) and is not sent again. It becomes
 * `canceled`, and settlement releases its hold.
 */
export async function markRetry(q: Queryable, items: Retry[]): Promise<number> {
  if (items.length === 0) return 0;
  const r = await q.query(
    `with u as (
       select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $6::text[],
                            $7::text[], $8::bool[], $9::bool[])
         as u(id, run_at, code, msg, account, claim, called, unroutable)
     ),
     ${CAMPAIGNS_OF_U}
     update messages m set
       status = case when c.canceled then 'canceled' else 'queued' end,
       run_at = case when c.canceled then m.run_at else u.run_at end,
       error_code = case when c.canceled then 'CANCELED' else u.code end,
       error_message = case when c.canceled
         then 'the campaign was canceled; not sent again after: ' || u.msg else u.msg end,
       locked_by = null, locked_until = null,
       vendor_account_id = coalesce(u.account, m.vendor_account_id),
       attempts = m.attempts + case when u.called then 1 else 0 end,
       route_misses = case when u.unroutable then m.route_misses + 1 else 0 end
     from u, c
     where m.id = u.id and c.id = m.campaign_id and m.status = any($5::text[])
       and m.locked_by = u.claim`,
    [
      items.map((i) => i.id),
      items.map((i) => i.runAt),
      items.map((i) => i.code),
      items.map((i) => i.message),
      QUEUED_FROM,
      items.map((i) => i.vendorAccountId),
      items.map((i) => i.claim),
      items.map((i) => i.called),
      items.map((i) => i.unroutable === true),
    ],
  );
  return r.affectedRows;
}

export interface Failure {
  id: string;
  code: string;
  message: string;
  /** The dispatcher's claim token; absent for failures a vendor reported. */
  claim?: string;
  /** Whether this failure is the answer to a vendor call (counts as an attempt). */
  called?: boolean;
}

/** A fallback created for a message charged on acceptance: it needs a hold of its own. */
export interface UnfundedFallback {
  id: string;
  orgId: string;
  campaignId: string;
  /** The hold it needs: its type's dearer price. */
  held: bigint;
}

export interface FailedMessages {
  failed: string[];
  fallbacks: number;
  /**
   * Fallbacks created as `accepted`, waiting for their hold: the caller funds
   * them in the same transaction (fallback-holds.ts fundFallbacks). Only a
   * message that was sent can be charged on acceptance, so a dispatcher's
   * failures (claimed messages, never sent) never produce any.
   */
  unfunded: UnfundedFallback[];
}

/**
 * Fails messages. A failed Alimtalk message with a planned fallback creates
 * its fallback SMS/LMS in the same statement. With the vendor's native
 * fallback the child starts as `sent` — the vendor is sending it and will
 * report it — otherwise as `queued` for us to send, ahead of bulk work. The
 * unique index on `fallback_of` makes a second creation impossible. `p` locks
 * the rows first so that the amount handed over is the one the row holds
 * when it fails.
 *
 * Whose hold the fallback carries:
 * - the parent is charged on delivery (platform account): the parent hands
 *   its whole hold over; the child holds the parent's amount and captures only
 *   its own price, the parent keeps none (and is later settled with nothing
 *   charged or released);
 * - the parent was charged on acceptance (`capture_on_accept`): its hold stays
 *   with it — it is captured, whatever this failure says — and the child is
 *   created `accepted` holding its own type's dearer price, for the caller to
 *   fund from the wallet (or refuse) before the transaction commits.
 *
 * A canceled campaign gets no fallback that we would send (the parent keeps
 * its hold, to be settled); a fallback the vendor sends itself is its real
 * outcome and is recorded.
 */
export async function markFailed(
  q: Queryable,
  items: Failure[],
  now: Date,
): Promise<FailedMessages> {
  if (items.length === 0) return { failed: [], fallbacks: 0, unfunded: [] };
  const r = await q.query<{
    id: string;
    child: string | null;
    unfunded: boolean;
    orgId: string;
    campaignId: string;
    childHeld: bigint | null;
  }>(
    `with u as (
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $7::text[], $8::bool[])
         as u(id, code, msg, child_id, claim, called)
     ),
     ${CAMPAIGNS_OF_U},
     p as (
       select m.id, m.price_held as held, m.capture_on_accept as own,
         m.type = 'alimtalk' and m.fallback_type is not null
           and (m.native_fallback or not c.canceled) as falls_back
       from messages m join u on u.id = m.id join c on c.id = m.campaign_id
       where m.status = any($6::text[]) and (u.claim is null or m.locked_by = u.claim)
       for update of m
     ),
     f as (
       update messages m set status = 'failed', failed_at = $5, error_code = u.code,
         error_message = u.msg, locked_by = null, locked_until = null,
         attempts = m.attempts + case when u.called then 1 else 0 end,
         price_held = case when p.falls_back and not p.own then 0 else m.price_held end
       from u join p on p.id = u.id
       where m.id = u.id and m.status = any($6::text[])
       returning m.*, p.held as held_before, p.falls_back, p.own, u.child_id
     ),
     children as (
       insert into messages (id, org_id, campaign_id, recipient_index, recipient, name, variables,
         group_id, type, fallback_of, status, priority, unit_price, unit_price_own, price_held,
         run_at, vendor_account_id, native_fallback, capture_on_accept, sent_at)
       select f.child_id, f.org_id, f.campaign_id, f.recipient_index, f.recipient, f.name,
         f.variables, f.group_id, f.fallback_type, f.id,
         case when f.own then 'accepted' when f.native_fallback then 'sent' else 'queued' end, 0,
         case when f.own then x.price else least(x.price, f.held_before) end,
         case when f.own then x.own_price else least(x.own_price, f.held_before) end,
         case when f.own then greatest(x.price, x.own_price) else f.held_before end,
         $5,
         case when f.native_fallback then f.vendor_account_id end,
         f.native_fallback,
         -- Sent by the vendor through the parent's own account: charged on acceptance too.
         f.own and f.native_fallback,
         case when f.native_fallback then $5::timestamptz end
       from f join orgs o on o.id = f.org_id join plans p on p.id = o.plan_id
         cross join lateral (
           select case f.fallback_type when 'sms' then p.price_sms else p.price_lms end as price,
             case f.fallback_type when 'sms' then coalesce(p.price_own_sms, p.price_sms)
               else coalesce(p.price_own_lms, p.price_lms) end as own_price
         ) x
       where f.falls_back
       on conflict (fallback_of) where fallback_of is not null do nothing
       returning id, fallback_of, status, price_held
     )
     select f.id, ch.id as child, coalesce(ch.status = 'accepted', false) as unfunded,
       f.org_id as "orgId", f.campaign_id as "campaignId", ch.price_held as "childHeld"
     from f left join children ch on ch.fallback_of = f.id`,
    [
      items.map((i) => i.id),
      items.map((i) => i.code),
      items.map((i) => i.message),
      newIds("msg", items.length),
      now,
      FAILED_FROM,
      items.map((i) => i.claim ?? null),
      items.map((i) => i.called === true),
    ],
  );
  return {
    failed: r.rows.map((row) => row.id),
    fallbacks: r.rows.filter((row) => row.child !== null).length,
    unfunded: r.rows
      .filter((row) => row.unfunded && row.child !== null)
      .map((row) => ({
        id: row.child!,
        orgId: row.orgId,
        campaignId: row.campaignId,
        held: row.childHeld ?? 0n,
      })),
  };
}

/**
 * The answer for fallbacks created `accepted` (markFailed): funded ones go
 * out (`queued`, or `sent` when the vendor sends them itself); the others hold
 * nothing — not sent and `failed` INSUFFICIENT_CREDITS, or, sent by the
 * vendor already, recorded as sent and not charged.
 */
export async function startFallbacks(
  q: Queryable,
  items: { id: string; funded: boolean }[],
  now: Date,
): Promise<number> {
  if (items.length === 0) return 0;
  const r = await q.query(
    `update messages m set
       status = case when m.native_fallback then 'sent' when u.funded then 'queued' else 'failed' end,
       price_held = case when u.funded then m.price_held else 0 end,
       failed_at = case when u.funded or m.native_fallback then null else $2::timestamptz end,
       error_code = case when u.funded then null else 'INSUFFICIENT_CREDITS' end,
       error_message = case when u.funded then null
         when m.native_fallback then 'sent by the vendor; not charged: the credits could not cover it'
         else 'not sent: the credits could not cover the fallback' end
     from unnest($1::text[], $3::bool[]) as u(id, funded)
     where m.id = u.id and m.status = 'accepted'`,
    [items.map((i) => i.id), now, items.map((i) => i.funded)],
  );
  return r.affectedRows;
}

export interface Progress {
  id: string;
  status: "sent" | "delivered";
  at: Date;
}

/** What a batch of deliveries settled, per campaign, for the ledger. */
export interface Settled {
  orgId: string;
  /** The wallet the campaign's holds are on. */
  walletOrgId: string;
  campaignId: string;
  messages: number;
  charged: bigint;
  released: bigint;
  /** The messages captured, by type and kind of account: what margins are booked on. */
  captured: Captured[];
  /** The campaign's price chain when it has ancestors to pay margins to; else null. */
  priceChain: PriceLevel[] | null;
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

/**
 * Cancels every message of the campaign that has not gone to a vendor yet,
 * and marks those that have, or are on their way (`sending`, `sent`), as in
 * flight at the cancel: they keep their real outcome. The caller holds the
 * campaign's row lock and settles the canceled ones (releasing their holds)
 * in the same transaction. One statement, so a message claimed between the
 * cancel's snapshot and its update is re-read as `sending` and marked.
 */
export async function cancelPendingMessages(
  q: Queryable,
  campaignId: string,
): Promise<{ canceled: number; inFlight: number }> {
  const r = await q.query<{ canceled: number; inFlight: number }>(
    `with u as (
       update messages set
         status = case when status = any($2::text[]) then 'canceled' else status end,
         locked_by = case when status = any($2::text[]) then null else locked_by end,
         locked_until = case when status = any($2::text[]) then null else locked_until end,
         in_flight_at_cancel = status = any($3::text[])
       where campaign_id = $1 and (status = any($2::text[]) or status = any($3::text[]))
       returning in_flight_at_cancel
     )
     select count(*) filter (where not in_flight_at_cancel)::int as canceled,
       count(*) filter (where in_flight_at_cancel)::int as "inFlight"
     from u`,
    [campaignId, CANCELED_FROM, IN_FLIGHT_AT_CANCEL],
  );
  return r.rows[0] ?? { canceled: 0, inFlight: 0 };
}

/**
 * Messages whose worker died mid-batch (lease expired) go back to the queue.
 * Sending them again is safe: our message id is the vendor-side key. Their
 * token is cleared, so the dead worker, should it wake, completes nothing.
 * Those of a canceled campaign are canceled instead, never sent again.
 */
export async function requeueExpiredLeases(q: Queryable, now: Date): Promise<number> {
  const r = await q.query(
    `with c as (
       select c.id, c.status = 'canceled' as canceled from campaigns c
       where c.id in (select campaign_id from messages where status = 'sending' and locked_until < $1)
       order by c.id
       for key share
     )
     update messages m set status = case when c.canceled then 'canceled' else 'queued' end,
       run_at = $1, locked_by = null, locked_until = null,
       error_code = case when c.canceled then 'CANCELED' else m.error_code end,
       error_message = case when c.canceled
         then 'the campaign was canceled; the attempt in progress was not finished'
         else m.error_message end
     from c
     where m.campaign_id = c.id and m.status = 'sending' and m.locked_until < $1`,
    [now],
  );
  return r.affectedRows;
}
