import type { Queryable } from "../../db/client.ts";
import type { OrgKind } from "../../domain/vocabulary.ts";

export interface ChildMargins {
  orgId: string;
  name: string;
  kind: OrgKind;
  messages: number;
  charged: bigint;
  margin: bigint;
}

/**
 * What an organization earned in [from, to) on each child's subtree, from
 * the margin bookings settlement wrote (margin_bookings_org_idx).
 */
export async function marginsByChild(
  q: Queryable,
  options: { orgId: string; from: Date; to: Date },
): Promise<ChildMargins[]> {
  const r = await q.query<ChildMargins>(
    `select b.child_id as "orgId", o.name, o.kind, sum(b.messages)::int as messages,
       sum(b.charged)::bigint as charged, sum(b.margin)::bigint as margin
     from margin_bookings b join orgs o on o.id = b.child_id
     where b.org_id = $1 and b.created_at >= $2 and b.created_at < $3
     group by b.child_id, o.name, o.kind
     order by o.name, b.child_id`,
    [options.orgId, options.from, options.to],
  );
  return r.rows;
}
