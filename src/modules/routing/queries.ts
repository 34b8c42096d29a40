import type { Queryable } from "../../db/client.ts";
import type { RoutingChannel } from "../../db/schema/vendors.ts";

export interface RoutingRow {
  orgId: string;
  depth: number;
  channel: RoutingChannel;
  primaryAccountId: string;
  secondaryAccountId: string | null;
}

/** The routing rows of an organization and of its ancestors, nearest first. */
export async function findRoutingChain(q: Queryable, orgPath: string): Promise<RoutingRow[]> {
  const r = await q.query<RoutingRow>(
    `select r.org_id as "orgId", o.depth, r.channel, r.primary_account_id as "primaryAccountId",
       r.secondary_account_id as "secondaryAccountId"
     from org_routing r join orgs o on o.id = r.org_id
     where $1 like o.path || '%'
     order by o.depth desc`,
    [orgPath],
  );
  return r.rows;
}

/** Replaces an organization's own routing (channels not given are removed: inherited again). */
export async function replaceRouting(
  q: Queryable,
  orgId: string,
  rows: { channel: RoutingChannel; primaryAccountId: string; secondaryAccountId: string | null }[],
): Promise<void> {
  await q.query("delete from org_routing where org_id = $1", [orgId]);
  if (rows.length === 0) return;
  await q.query(
    `insert into org_routing (org_id, channel, primary_account_id, secondary_account_id)
     select $1, u.channel, u.primary_id, u.secondary_id
     from unnest($2::text[], $3::text[], $4::text[]) as u(channel, primary_id, secondary_id)`,
    [
      orgId,
      rows.map((r) => r.channel),
      rows.map((r) => r.primaryAccountId),
      rows.map((r) => r.secondaryAccountId),
    ],
  );
}

export interface RoutingUse {
  orgId: string;
  channel: RoutingChannel;
  part: "primary" | "secondary";
}

/** Where routing names this account (a few, for the error that refuses a change). */
export async function findRoutingUses(
  q: Queryable,
  accountId: string,
  limit = 10,
): Promise<RoutingUse[]> {
  const r = await q.query<RoutingUse>(
    `select org_id as "orgId", channel,
       case when primary_account_id = $1 then 'primary' else 'secondary' end as part
     from org_routing where primary_account_id = $1 or secondary_account_id = $1
     order by org_id, channel limit $2`,
    [accountId, limit],
  );
  return r.rows;
}
