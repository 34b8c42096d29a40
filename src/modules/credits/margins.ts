// Margins down the tree, booked with settlement: for each campaign with
// ancestors in its price chain, each ancestor is credited what it sold above
// its own price (src/domain/pricing.ts), into the wallet it spends, and a
// margin booking records the messages, what they were sold at and the margin
// for the margin report. Exact: prices are whole hundredths, margins are
// their differences times the messages captured.
import type { Queryable } from "../../db/client.ts";
import { type Captured, marginsOf, type PriceLevel } from "../../domain/pricing.ts";
import { newId } from "../../lib/ids.ts";
import { type Movement, spendingWallets } from "./queries.ts";

interface WithChain {
  orgId: string;
  campaignId: string;
  captured: Captured[];
  priceChain: PriceLevel[] | null;
}

/**
 * The margin movements of a settlement batch, with their bookings written.
 * An ancestor in wallet mode `parent` earns into the wallet it spends; the
 * entry names it as the organization the movement is for.
 */
export async function planMargins(
  q: Queryable,
  groups: readonly WithChain[],
  batch: string,
): Promise<Movement[]> {
  const bookings: {
    id: string;
    orgId: string;
    childId: string;
    senderOrgId: string;
    campaignId: string;
    messages: number;
    charged: bigint;
    margin: bigint;
  }[] = [];
  for (const g of groups) {
    if (!g.priceChain || g.captured.length === 0) continue;
    for (const m of marginsOf(g.priceChain, g.captured)) {
      bookings.push({ id: newId("mgn"), senderOrgId: g.orgId, campaignId: g.campaignId, ...m });
    }
  }
  if (bookings.length === 0) return [];
  await q.query(
    `insert into margin_bookings (id, org_id, child_id, sender_org_id, campaign_id, messages, charged, margin)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
       $7::bigint[], $8::bigint[])`,
    [
      bookings.map((b) => b.id),
      bookings.map((b) => b.orgId),
      bookings.map((b) => b.childId),
      bookings.map((b) => b.senderOrgId),
      bookings.map((b) => b.campaignId),
      bookings.map((b) => b.messages),
      bookings.map((b) => b.charged),
      bookings.map((b) => b.margin),
    ],
  );
  const earning = bookings.filter((b) => b.margin > 0n);
  const wallets = await spendingWallets(q, [...new Set(earning.map((b) => b.orgId))]);
  return earning.map((b) => ({
    id: newId("led"),
    orgId: wallets.get(b.orgId) ?? b.orgId,
    forOrgId: b.orgId,
    kind: "margin",
    balanceDelta: b.margin,
    heldDelta: 0n,
    idempotencyKey: `margin:${b.campaignId}:${batch}:${b.orgId}`,
    campaignId: b.campaignId,
    memo: `${b.messages} messages of ${b.childId}`,
  }));
}

/**
 * The order wallets are moved in within one transaction: down the tree (by
 * depth), then by id — the order a transfer, from a parent to a descendant,
 * locks them in.
 */
export async function walletOrder(
  q: Queryable,
  orgIds: string[],
): Promise<(orgId: string) => number> {
  const unique = [...new Set(orgIds)];
  if (unique.length <= 1) return () => 0;
  const r = await q.query<{ id: string }>(
    "select id from orgs where id = any($1::text[]) order by depth, id",
    [unique],
  );
  const rank = new Map(r.rows.map((row, i) => [row.id, i]));
  return (orgId) => rank.get(orgId) ?? 0;
}
