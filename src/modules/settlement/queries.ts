import type { Queryable } from "../../db/client.ts";
import { messagesInTurn } from "../../db/in-turn.ts";
import type { MessageType } from "../../domain/message-content.ts";
import { FINAL_STATUSES, IN_FLIGHT_STATUSES, sqlList } from "../../domain/message-status.ts";
import { loadChain, type StoredLevel } from "../../domain/pricing.ts";
import type { Settled } from "../messages/index.ts";

// Spelled out in the SQL (not a parameter) so the planner can use the partial
// index messages_settle_idx, whose predicate is built from the same list.
const FINAL_LIST = sqlList(FINAL_STATUSES);
const IN_FLIGHT_LIST = sqlList(IN_FLIGHT_STATUSES);

/**
 * Settles messages in one statement: those that reached a final status, and
 * those charged on acceptance (sent through a vendor account their
 * organization controls) as soon as the vendor has accepted them.
 *
 * - Charged on acceptance: captures its own-account price (never more than
 *   its hold), whatever status it has reached by now: a "failed" from the
 *   account's holder releases nothing.
 * - Otherwise delivered captures its own type's price (never more than its
 *   hold), and anything else releases the hold (a failed Alimtalk message
 *   that handed its hold to its fallback holds nothing: it settles with
 *   nothing to charge or release).
 *
 * This is the one statement that writes `settled_at`, and only where it was
 * null: no message is settled twice, whichever of the two ways it comes.
 * Either up to `limit` of any campaign (the settler), or every canceled
 * message of one campaign (a cancel, in its own transaction). Returns the sums
 * per campaign for the ledger, with what was captured by type for the margins.
 */
export async function settleFinalMessages(
  q: Queryable,
  options: { now: Date; limit: number } | { now: Date; canceledOf: string },
): Promise<Settled[]> {
  const canceledOf = "canceledOf" in options;
  const r = await q.query<SettledRow>(
    `with recursive ${canceledOf ? CANCELED_OF_CAMPAIGN : IN_TURN}
     priced as (
       select m.id,
         case when m.capture_on_accept then least(coalesce(m.unit_price_own, m.unit_price), m.price_held)
              when m.status = 'delivered' then least(m.unit_price, m.price_held)
              else 0 end as charge
       from messages m join s on s.id = m.id
     ),
     u as (
       update messages m set settled_at = $1,
         price_charged = priced.charge,
         price_released = m.price_held - priced.charge
       from priced where m.id = priced.id
       returning m.org_id, m.campaign_id, m.type, m.capture_on_accept, m.price_charged, m.price_released
     )
     select u.org_id as "orgId", c.wallet_org_id as "walletOrgId", u.campaign_id as "campaignId",
       u.type, u.capture_on_accept as own, count(*)::int as messages,
       (count(*) filter (where u.price_charged > 0))::int as captured,
       sum(u.price_charged)::bigint as charged, sum(u.price_released)::bigint as released,
       case when jsonb_array_length(c.price_chain) > 1 then c.price_chain end as "priceChain"
     from u join campaigns c on c.id = u.campaign_id
     group by u.org_id, c.wallet_org_id, u.campaign_id, u.type, u.capture_on_accept, c.price_chain`,
    [options.now, "canceledOf" in options ? options.canceledOf : options.limit],
  );
  return perCampaign(r.rows);
}

/** One row of a settlement: one campaign's messages of one type and kind of account. */
interface SettledRow {
  orgId: string;
  walletOrgId: string;
  campaignId: string;
  type: MessageType;
  own: boolean;
  messages: number;
  captured: number;
  charged: bigint;
  released: bigint;
  priceChain: StoredLevel[] | null;
}

function perCampaign(rows: readonly SettledRow[]): Settled[] {
  const byCampaign = new Map<string, Settled>();
  for (const row of rows) {
    let g = byCampaign.get(row.campaignId);
    if (!g) {
      g = {
        orgId: row.orgId,
        walletOrgId: row.walletOrgId,
        campaignId: row.campaignId,
        messages: 0,
        charged: 0n,
        released: 0n,
        captured: [],
        priceChain: row.priceChain && loadChain(row.priceChain),
      };
      byCampaign.set(row.campaignId, g);
    }
    g.messages += row.messages;
    g.charged += row.charged;
    g.released += row.released;
    if (row.captured > 0) g.captured.push({ type: row.type, own: row.own, count: row.captured });
  }
  return [...byCampaign.values()];
}

/** What the settler may settle: final, or sent and charged on acceptance (messages_settle_idx). */
const unsettled = (m: string) =>
  `${m}.settled_at is null
   and (${m}.status in (${FINAL_LIST}) or (${m}.status = 'sent' and ${m}.capture_on_accept))`;

/**
 * The settler's pick: organizations in turn, as the dispatcher's claim does
 * (src/db/in-turn.ts, over messages_settle_idx), so one tenant's million
 * settling never keeps another's single message waiting; oldest first.
 */
const IN_TURN = `${messagesInTurn({
  name: "s",
  where: unsettled,
  orderBy: "m.id",
  limit: "$2",
})},`;

/** A cancel's pick: every canceled, unsettled message of one campaign ($2). */
const CANCELED_OF_CAMPAIGN = `s as (
       select id from messages
       where settled_at is null and status = 'canceled' and campaign_id = $2::text
       for update skip locked
     ),`;

/**
 * Campaigns all of whose messages (fallbacks included) are final and settled
 * become `completed` (a canceled one keeps its status and gets its
 * completion time). Decided from the campaign's kept counts
 * (campaign_counts, written by the same transactions that move its
 * messages), so a campaign of a million messages is a few rows to sum, not
 * a million to look at, while the caller holds wallet rows.
 */
export async function completeCampaigns(q: Queryable, ids: string[], now: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await q.query<{ id: string }>(
    `update campaigns c set completed_at = $2,
       status = case when c.status = 'canceled' then 'canceled' else 'completed' end
     where c.id = any($1::text[]) and c.completed_at is null
       and not exists (
         select 1 from campaign_counts k where k.campaign_id = c.id
         group by k.campaign_id
         having sum(k.messages) filter (where k.status in (${IN_FLIGHT_LIST})) <> 0
             or sum(k.unsettled) <> 0)
     returning c.id`,
    [ids, now],
  );
  return r.rows.map((row) => row.id);
}

/**
 * Completes the campaigns of these messages (just made final) that are done,
 * for messages settled before they were final: charged on acceptance, they
 * were settled when the vendor took them, so no later settlement batch comes
 * to complete their campaign. Callers run it in the transaction that made the
 * messages final; a campaign with anything still open is left to the settler.
 */
export async function completeSettledCampaigns(
  q: Queryable,
  messageIds: string[],
  now: Date,
): Promise<string[]> {
  if (messageIds.length === 0) return [];
  const r = await q.query<{ campaignId: string }>(
    `select distinct campaign_id as "campaignId" from messages
     where id = any($1::text[]) and settled_at is not null and capture_on_accept`,
    [messageIds],
  );
  return completeCampaigns(
    q,
    r.rows.map((row) => row.campaignId),
    now,
  );
}
