import type { Queryable } from "../../db/client.ts";

export interface WalletAudit {
  orgId: string;
  balance: bigint;
  held: bigint;
  ledgerBalance: bigint;
  ledgerHeld: bigint;
  unsettledHolds: bigint;
}

/**
 * Every wallet beside what its ledger, its messages and its room posts say it
 * should be (a message's hold is on its campaign's wallet; a post reserved for
 * its slot holds its price until the gateway has answered).
 * Read in one statement, so the figures come from one snapshot.
 */
export async function auditWallets(q: Queryable): Promise<WalletAudit[]> {
  const r = await q.query<WalletAudit>(
    `select w.org_id as "orgId", w.balance, w.held,
       coalesce(l.balance, 0)::bigint as "ledgerBalance",
       coalesce(l.held, 0)::bigint as "ledgerHeld",
       coalesce(m.held, 0)::bigint as "unsettledHolds"
     from wallets w
     left join (
       select org_id, sum(balance_delta) as balance, sum(held_delta) as held
       from ledger_entries group by org_id
     ) l on l.org_id = w.org_id
     left join (
       select org_id, sum(held) as held from (
         select c.wallet_org_id as org_id, m.price_held as held
         from messages m join campaigns c on c.id = m.campaign_id
         where m.settled_at is null
         union all
         select wallet_org_id, price_held from room_posts where status = 'reserved'
       ) h group by org_id
     ) m on m.org_id = w.org_id
     order by w.org_id`,
  );
  return r.rows;
}

/**
 * Messages whose settlement contradicts itself: charged while unsettled or
 * undelivered (unless charged on acceptance), settled while not final (unless
 * charged on acceptance and sent), charged on acceptance without having been
 * sent, a fallback left waiting for its hold, or settled without accounting
 * for its whole hold (charged + released = held, unless a failed Alimtalk
 * message handed the hold to its fallback — one charged on acceptance never
 * does).
 */
export async function findInconsistentMessages(
  q: Queryable,
  limit: number,
): Promise<{ id: string; problem: string }[]> {
  const r = await q.query<{ id: string; problem: string }>(
    `select id, problem from (
       select m.id,
         case
           when m.settled_at is null and (m.price_charged <> 0 or m.price_released <> 0)
             then 'charged or released but not settled'
           when m.status = 'accepted'
             then 'created but neither funded nor refused'
           when m.capture_on_accept and m.sent_at is null
             then 'charged on acceptance but never sent'
           when m.settled_at is not null
                and m.status not in ('delivered', 'failed', 'canceled', 'expired')
                and not (m.status = 'sent' and m.capture_on_accept)
             then 'settled while ' || m.status
           when m.price_charged <> 0 and m.status <> 'delivered' and not m.capture_on_accept
             then 'charged although not delivered'
           when m.settled_at is not null and m.price_charged + m.price_released <> m.price_held
                and (m.capture_on_accept
                     or not exists (select 1 from messages c where c.fallback_of = m.id))
             then 'settled without accounting for its whole hold'
         end as problem
       from messages m
     ) checked
     where problem is not null
     limit $1`,
    [limit],
  );
  return r.rows;
}

/** What became of delivery reports whose message was not known when they came. */
export interface ReportParking {
  /** Waiting now for their message to appear. */
  parked: number;
  /** Dropped so far, by reason (report_drops). */
  dropped: { expired: bigint; overLimit: bigint };
}

export async function auditReportParking(q: Queryable): Promise<ReportParking> {
  const r = await q.query<{ parked: number; expired: bigint; overLimit: bigint }>(
    `select
       (select count(*)::int from delivery_reports where applied_at is null) as parked,
       coalesce((select sum(count) from report_drops where reason = 'expired'), 0)::bigint
         as expired,
       coalesce((select sum(count) from report_drops where reason = 'over_limit'), 0)::bigint
         as "overLimit"`,
  );
  const row = r.rows[0]!;
  return { parked: row.parked, dropped: { expired: row.expired, overLimit: row.overLimit } };
}

/**
 * Campaigns whose kept counts (campaign_counts) differ from a count of their
 * messages, by status: one statement, so both sides come from one snapshot.
 */
export async function findMiscountedCampaigns(
  q: Queryable,
  limit: number,
): Promise<{ campaignId: string; status: string; kept: string; counted: string }[]> {
  const r = await q.query<{ campaignId: string; status: string; kept: string; counted: string }>(
    `with kept as (
       select campaign_id, status, sum(messages) as messages, sum(fallbacks) as fallbacks,
         sum(in_flight_at_cancel) as in_flight, sum(unsettled) as unsettled,
         sum(held) as held, sum(charged) as charged,
         sum(released) as released
       from campaign_counts group by campaign_id, status
     ),
     counted as (
       select campaign_id, status, count(*) as messages,
         count(*) filter (where fallback_of is not null) as fallbacks,
         count(*) filter (where in_flight_at_cancel) as in_flight,
         count(*) filter (where settled_at is null) as unsettled,
         coalesce(sum(price_held) filter (where settled_at is null), 0) as held,
         sum(price_charged) as charged, sum(price_released) as released
       from messages group by campaign_id, status
     ),
     compared as (
       select coalesce(k.campaign_id, c.campaign_id) as "campaignId",
         coalesce(k.status, c.status) as status,
         concat_ws(' ', coalesce(k.messages, 0), coalesce(k.fallbacks, 0), coalesce(k.in_flight, 0),
           coalesce(k.unsettled, 0), coalesce(k.held, 0), coalesce(k.charged, 0), coalesce(k.released, 0)) as kept,
         concat_ws(' ', coalesce(c.messages, 0), coalesce(c.fallbacks, 0), coalesce(c.in_flight, 0),
           coalesce(c.unsettled, 0), coalesce(c.held, 0), coalesce(c.charged, 0), coalesce(c.released, 0)) as counted
       from kept k full join counted c on c.campaign_id = k.campaign_id and c.status = k.status
     )
     select * from compared where kept <> counted limit $1`,
    [limit],
  );
  return r.rows;
}

/**
 * Buckets of stats_deltas (per organization, UTC hour and message type)
 * whose sums differ from a recount of the messages, each figure at the hour
 * of its own timestamp as the triggers count it (migration 0025): accepted
 * and pending at created_at, sent at sent_at, delivered at delivered_at,
 * failed and expired at failed_at, charged and refunded at settled_at;
 * delivered_tracked with delivered, for a message that carried a tracked
 * link (its campaign's buttons for an Alimtalk, its text otherwise).
 * `clicked` is the click recorder's and is not recounted here. One
 * statement, so both sides come from one snapshot.
 */
export async function findMiscountedStats(
  q: Queryable,
  limit: number,
): Promise<{ orgId: string; hour: Date; type: string; kept: string; counted: string }[]> {
  const r = await q.query<{
    orgId: string;
    hour: Date;
    type: string;
    kept: string;
    counted: string;
  }>(
    `with kept as (
       select org_id, hour, type, sum(accepted) as accepted, sum(pending) as pending,
         sum(sent) as sent, sum(delivered) as delivered,
         sum(delivered_tracked) as delivered_tracked, sum(failed) as failed,
         sum(expired) as expired, sum(charged) as charged, sum(refunded) as refunded
       from stats_deltas group by org_id, hour, type
     ),
     counted as (
       select m.org_id, v.hour, m.type, sum(v.accepted) as accepted, sum(v.pending) as pending,
         sum(v.sent) as sent, sum(v.delivered) as delivered,
         sum(v.delivered_tracked) as delivered_tracked, sum(v.failed) as failed,
         sum(v.expired) as expired, sum(v.charged) as charged, sum(v.refunded) as refunded
       from messages m
         left join lateral (
           select strpos(case when m.type = 'alimtalk' then (c.content -> 'buttons')::text
                              else c.content ->> 'text' end,
                         (c.content -> 'links' ->> 'prefix') || '{link') > 0 as tracked
           from campaigns c where c.id = m.campaign_id
         ) link on m.status = 'delivered'
         cross join lateral (values
         (case when m.status <> 'draft' then date_trunc('hour', m.created_at, 'UTC') end, 1,
           case when m.status in ('accepted', 'queued', 'sending', 'sent') then 1 else 0 end,
           0, 0, 0, 0, 0, 0::bigint, 0::bigint),
         (date_trunc('hour', m.sent_at, 'UTC'), 0, 0, 1, 0, 0, 0, 0, 0, 0),
         (case when m.status = 'delivered' then date_trunc('hour', m.delivered_at, 'UTC') end,
           0, 0, 0, 1, case when link.tracked then 1 else 0 end, 0, 0, 0, 0),
         (case when m.status in ('failed', 'expired') then date_trunc('hour', m.failed_at, 'UTC') end,
           0, 0, 0, 0, 0, (m.status = 'failed')::int, (m.status = 'expired')::int, 0, 0),
         (date_trunc('hour', m.settled_at, 'UTC'), 0, 0, 0, 0, 0, 0, 0, m.price_charged,
           m.price_released)
       ) v(hour, accepted, pending, sent, delivered, delivered_tracked, failed, expired, charged,
           refunded)
       where v.hour is not null
       group by m.org_id, v.hour, m.type
     ),
     compared as (
       select coalesce(k.org_id, c.org_id) as "orgId", coalesce(k.hour, c.hour) as hour,
         coalesce(k.type, c.type) as type,
         concat_ws(' ', coalesce(k.accepted, 0), coalesce(k.pending, 0), coalesce(k.sent, 0),
           coalesce(k.delivered, 0), coalesce(k.delivered_tracked, 0), coalesce(k.failed, 0),
           coalesce(k.expired, 0), coalesce(k.charged, 0), coalesce(k.refunded, 0)) as kept,
         concat_ws(' ', coalesce(c.accepted, 0), coalesce(c.pending, 0), coalesce(c.sent, 0),
           coalesce(c.delivered, 0), coalesce(c.delivered_tracked, 0), coalesce(c.failed, 0),
           coalesce(c.expired, 0), coalesce(c.charged, 0), coalesce(c.refunded, 0)) as counted
       from kept k full join counted c
         on c.org_id = k.org_id and c.hour = k.hour and c.type = k.type
     )
     select * from compared where kept <> counted order by "orgId", hour, type limit $1`,
    [limit],
  );
  return r.rows;
}

export interface MarginAudit {
  campaignId: string;
  /** What the sender paid for the captured messages. */
  charged: bigint;
  /** What the headquarters' plan prices them at: the platform's share. */
  platform: bigint;
  /** The margins booked above the sender, and their ledger entries. */
  booked: bigint;
  ledger: bigint;
}

/**
 * Campaigns whose captured messages were not paid for by exactly the
 * platform's price plus the margins booked above the sender, or whose margin
 * bookings differ from their `margin` ledger entries. The platform's price is
 * the last level of the campaign's frozen price chain, by type and kind of
 * account. One statement, one snapshot.
 */
export async function findMisbookedMargins(q: Queryable, limit: number): Promise<MarginAudit[]> {
  const r = await q.query<MarginAudit>(
    `with captured as (
       select campaign_id, type, capture_on_accept as own, count(*) as n,
         sum(price_charged) as charged
       from messages where price_charged > 0 group by campaign_id, type, capture_on_accept
     ),
     per_campaign as (
       select k.campaign_id, sum(k.charged) as charged,
         sum(k.n * ((c.price_chain -> -1 -> (case when k.own then 'own' else 'platform' end)
           ->> k.type)::bigint)) as platform
       from captured k join campaigns c on c.id = k.campaign_id
       where c.price_chain is not null
       group by k.campaign_id
     ),
     booked as (select campaign_id, sum(margin) as margin from margin_bookings group by campaign_id),
     ledger as (
       select campaign_id, sum(amount) as margin from ledger_entries
       where kind = 'margin' group by campaign_id
     )
     select p.campaign_id as "campaignId", p.charged::bigint, p.platform::bigint,
       coalesce(b.margin, 0)::bigint as booked, coalesce(l.margin, 0)::bigint as ledger
     from per_campaign p
     left join booked b on b.campaign_id = p.campaign_id
     left join ledger l on l.campaign_id = p.campaign_id
     where p.charged <> p.platform + coalesce(b.margin, 0)
        or coalesce(b.margin, 0) <> coalesce(l.margin, 0)
     limit $1`,
    [limit],
  );
  return r.rows;
}
