// A month's statement: per organization and type, what was charged and what
// was given back. Messages come from stats_deltas (kept with every
// transition, by the hour the charge or the refund happened, so a month is
// a range of hours and nothing counts messages); room posts from room_posts
// (a post is charged when its gateway takes it, released when it fails).
import type { Queryable } from "../../db/client.ts";

export interface StatementRow {
  orgId: string;
  orgName: string;
  type: string;
  /** Messages (or posts) charged. */
  charged: number;
  /** Messages (or posts) whose hold was given back. */
  refunded: number;
  chargedAmount: bigint;
  refundedAmount: bigint;
}

/** Whose lines: one organization's, or (includeChildren) its whole subtree's. */
export type StatementScope = { orgId: string } | { orgPath: string };

export async function statementRows(
  q: Queryable,
  options: { scope: StatementScope; from: Date; to: Date },
): Promise<StatementRow[]> {
  const { scope } = options;
  const whose = "orgId" in scope ? "o.id = $1" : "o.path like $1 || '%'";
  const r = await q.query<StatementRow>(
    `with scoped as (select id, name, path from orgs o where ${whose}),
     lines as (
       select s.org_id, s.type, sum(s.delivered)::bigint as charged,
         sum(s.failed + s.expired)::bigint as refunded,
         sum(s.charged)::bigint as charged_amount, sum(s.refunded)::bigint as refunded_amount
       from stats_deltas s
       where s.org_id in (select id from scoped) and s.hour >= $2 and s.hour < $3
       group by s.org_id, s.type
       union all
       select p.org_id, 'bot',
         count(*) filter (where p.status = 'posted' and p.price_charged > 0),
         count(*) filter (where p.status <> 'posted' and p.price_held > 0),
         coalesce(sum(p.price_charged), 0)::bigint,
         coalesce(sum(p.price_held - p.price_charged), 0)::bigint
       from room_posts p
       where p.org_id in (select id from scoped) and p.status <> 'reserved'
         and p.updated_at >= $2 and p.updated_at < $3
       group by p.org_id
     )
     select l.org_id as "orgId", o.name as "orgName", l.type,
       l.charged::int as charged, l.refunded::int as refunded,
       l.charged_amount as "chargedAmount", l.refunded_amount as "refundedAmount"
     from lines l join scoped o on o.id = l.org_id
     where l.charged > 0 or l.refunded > 0 or l.charged_amount > 0 or l.refunded_amount > 0
     order by o.path, l.type`,
    ["orgId" in scope ? scope.orgId : scope.orgPath, options.from, options.to],
  );
  return r.rows;
}
