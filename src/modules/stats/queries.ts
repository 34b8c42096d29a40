// An organization's sending figures, read from stats_deltas (src/db/schema/stats.ts):
// a handful of rows per hour and message type, whatever the number of
// messages. No statement here counts messages.
import type { Queryable } from "../../db/client.ts";

/** Whose rows: one organization's, or (includeChildren) its whole subtree's. */
export type StatsScope = { orgId: string } | { orgPath: string };

const scopeClause = (scope: StatsScope, param: string) =>
  "orgId" in scope
    ? `s.org_id = ${param}`
    : `s.org_id in (select id from orgs where path like ${param} || '%')`;

const scopeValue = (scope: StatsScope) => ("orgId" in scope ? scope.orgId : scope.orgPath);

export interface StatsFigures {
  accepted: number;
  pending: number;
  sent: number;
  delivered: number;
  /** Of them, those that carried a tracked link. */
  deliveredTracked: number;
  failed: number;
  expired: number;
  clicked: number;
  charged: bigint;
  refunded: bigint;
}

interface FigureRow {
  accepted: bigint;
  pending: bigint;
  sent: bigint;
  delivered: bigint;
  deliveredTracked: bigint;
  failed: bigint;
  expired: bigint;
  clicked: bigint;
  charged: bigint;
  refunded: bigint;
}

const SUMS = `coalesce(sum(s.accepted), 0)::bigint as accepted,
  coalesce(sum(s.pending), 0)::bigint as pending, coalesce(sum(s.sent), 0)::bigint as sent,
  coalesce(sum(s.delivered), 0)::bigint as delivered,
  coalesce(sum(s.delivered_tracked), 0)::bigint as "deliveredTracked",
  coalesce(sum(s.failed), 0)::bigint as failed,
  coalesce(sum(s.expired), 0)::bigint as expired, coalesce(sum(s.clicked), 0)::bigint as clicked,
  coalesce(sum(s.charged), 0)::bigint as charged, coalesce(sum(s.refunded), 0)::bigint as refunded`;

const figures = (r: FigureRow): StatsFigures => ({
  accepted: Number(r.accepted),
  pending: Number(r.pending),
  sent: Number(r.sent),
  delivered: Number(r.delivered),
  deliveredTracked: Number(r.deliveredTracked),
  failed: Number(r.failed),
  expired: Number(r.expired),
  clicked: Number(r.clicked),
  charged: r.charged,
  refunded: r.refunded,
});

/**
 * The figures of the hours in [from, to) (null: unbounded), summed over
 * types, from stats_deltas_org_hour_idx: one range per organization.
 */
export async function sumStats(
  q: Queryable,
  options: { scope: StatsScope; from: Date | null; to: Date | null },
): Promise<StatsFigures> {
  const r = await q.query<FigureRow>(
    `select ${SUMS} from stats_deltas s
     where ${scopeClause(options.scope, "$1")}
       and ($2::timestamptz is null or s.hour >= $2) and ($3::timestamptz is null or s.hour < $3)`,
    [scopeValue(options.scope), options.from, options.to],
  );
  return figures(r.rows[0]!);
}

export interface BucketFigures extends StatsFigures {
  /** The bucket's start. */
  at: Date;
  type: string;
}

/**
 * The figures of the hours in [from, to) by bucket and message type: UTC
 * hours as they are, or the days of `timeZone` (each hour in the day it
 * starts in). Only buckets with rows come back; `type` null: every type.
 */
export async function sumStatsByBucket(
  q: Queryable,
  options: {
    scope: StatsScope;
    granularity: "hour" | "day";
    timeZone: string;
    from: Date;
    to: Date;
    type: string | null;
  },
): Promise<BucketFigures[]> {
  const r = await q.query<FigureRow & { at: Date; type: string }>(
    `select date_trunc($6::text, s.hour, $4::text) as at, s.type, ${SUMS} from stats_deltas s
     where ${scopeClause(options.scope, "$1")} and s.hour >= $2 and s.hour < $3
       and ($5::text is null or s.type = $5)
     group by 1, 2 order by 1, 2`,
    [
      scopeValue(options.scope),
      options.from,
      options.to,
      options.granularity === "hour" ? "UTC" : options.timeZone,
      options.type,
      options.granularity,
    ],
  );
  return r.rows.map((row) => ({ at: row.at, type: row.type, ...figures(row) }));
}

/**
 * Every bucket start in [from, to): UTC hours, or the local midnights of
 * `timeZone` (days of 23 or 25 hours where the zone changes its clocks).
 * `from` is the start of its own bucket.
 */
export async function listBuckets(
  q: Queryable,
  options: { granularity: "hour" | "day"; timeZone: string; from: Date; to: Date },
): Promise<Date[]> {
  const r = await q.query<{ at: Date }>(
    options.granularity === "hour"
      ? `select b as at from generate_series($1::timestamptz, $2::timestamptz - interval '1 microsecond',
           interval '1 hour') b`
      : `select b at time zone $3::text as at
         from generate_series(($1::timestamptz at time zone $3::text),
           ($2::timestamptz - interval '1 microsecond') at time zone $3::text, interval '1 day') b`,
    options.granularity === "hour"
      ? [options.from, options.to]
      : [options.from, options.to, options.timeZone],
  );
  return r.rows.map((row) => row.at);
}

/** The start of the bucket `at` falls in: its UTC hour, or its local day in `timeZone`. */
export async function bucketStart(
  q: Queryable,
  options: { granularity: "hour" | "day"; timeZone: string; at: Date },
): Promise<Date> {
  const r = await q.query<{ start: Date }>(
    "select date_trunc($1::text, $2::timestamptz, $3::text) as start",
    [options.granularity, options.at, options.granularity === "hour" ? "UTC" : options.timeZone],
  );
  return r.rows[0]!.start;
}

/** Contacts and groups an organization (or its subtree) keeps now. */
export async function countAddressBook(
  q: Queryable,
  scope: StatsScope,
): Promise<{ contacts: number; groups: number }> {
  const r = await q.query<{ contacts: number; groups: number }>(
    `select (select count(*)::int from contacts s where ${scopeClause(scope, "$1")}) as contacts,
       (select count(*)::int from contact_groups s where ${scopeClause(scope, "$1")}) as groups`,
    [scopeValue(scope)],
  );
  return r.rows[0]!;
}

/**
 * Folds the stats_deltas rows of busy buckets into one per (organization,
 * hour, type): buckets with more than `threshold` rows among the newest
 * `recent`. As foldCampaignCounts does for campaigns, in one statement: the
 * rows it deletes and the sums it inserts commit together, and a row that
 * another fold deleted first is skipped (it waits for that fold, then finds
 * the row gone), so no sum ever changes. A bucket whose sums are all zero
 * leaves no row. Returns the buckets folded.
 */
export async function foldStatsDeltas(
  q: Queryable,
  options: { threshold: number; recent: number },
): Promise<number> {
  const r = await q.query<{ n: number }>(
    `with busy as (
       select org_id, hour, type from stats_deltas
       where id > (select coalesce(max(id), 0) from stats_deltas) - $2
       group by org_id, hour, type having count(*) > $1
     ),
     gone as (
       delete from stats_deltas s using busy b
       where s.org_id = b.org_id and s.hour = b.hour and s.type = b.type
       returning s.*
     ),
     folded as (
       insert into stats_deltas (org_id, hour, type, accepted, pending, sent, delivered,
         delivered_tracked, failed, expired, clicked, charged, refunded)
       select org_id, hour, type, sum(accepted), sum(pending), sum(sent), sum(delivered),
         sum(delivered_tracked), sum(failed), sum(expired), sum(clicked), sum(charged),
         sum(refunded)
       from gone group by org_id, hour, type
       having sum(accepted) <> 0 or sum(pending) <> 0 or sum(sent) <> 0 or sum(delivered) <> 0
         or sum(delivered_tracked) <> 0 or sum(failed) <> 0 or sum(expired) <> 0
         or sum(clicked) <> 0 or sum(charged) <> 0 or sum(refunded) <> 0
       returning 1
     )
     select (select count(*) from busy)::int as n`,
    [options.threshold, options.recent],
  );
  return r.rows[0]?.n ?? 0;
}
