import type { Queryable } from "../../db/client.ts";
import type { CampaignStatus } from "../../db/schema/campaigns.ts";
import type { MessageStatus } from "../../db/schema/messages.ts";
import { IN_FLIGHT_STATUSES, MESSAGE_STATUSES, sqlList } from "../../domain/message-status.ts";

export interface CampaignRow {
  id: string;
  orgId: string;
  status: CampaignStatus;
  type: string;
  strategy: string;
  fromNumber: string | null;
  advertising: boolean;
  metadata: Record<string, unknown> | null;
  sendAt: Date | null;
  totalCount: number;
  heldTotal: bigint;
  createdAt: Date;
  completedAt: Date | null;
  canceledAt: Date | null;
  /** The organization's time zone, for the local times people read. */
  timezone: string;
}

const CAMPAIGN_COLUMNS = `id, org_id as "orgId", status, type, strategy, from_number as "fromNumber",
  advertising, metadata, send_at as "sendAt", total_count as "totalCount",
  held_total as "heldTotal", created_at as "createdAt", completed_at as "completedAt",
  canceled_at as "canceledAt",
  (select o.timezone from orgs o where o.id = campaigns.org_id) as timezone`;

const IN_SUBTREE = "org_id in (select id from orgs where path like $2 || '%')";

export async function findCampaignInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<CampaignRow | null> {
  const r = await q.query<CampaignRow>(
    `select ${CAMPAIGN_COLUMNS} from campaigns where id = $1 and ${IN_SUBTREE}`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

/** A page of an organization's campaigns, newest first; `before` is the last id of the previous page. */
export async function listCampaigns(
  q: Queryable,
  options: {
    orgId: string;
    status: CampaignStatus | null;
    /** Created at or after `from`, and before `to`. */
    from: Date | null;
    to: Date | null;
    /** Sent to this contact group (campaign_groups_group_idx). */
    groupId?: string | null;
    before: string | null;
    limit: number;
  },
): Promise<CampaignRow[]> {
  const r = await q.query<CampaignRow>(
    `select ${CAMPAIGN_COLUMNS} from campaigns
     where org_id = $1 and ($2::text is null or status = $2) and ($3::text is null or id < $3)
       and ($5::timestamptz is null or created_at >= $5)
       and ($6::timestamptz is null or created_at < $6)
       and ($7::text is null or id in (select g.campaign_id from campaign_groups g
                                       where g.org_id = $1 and g.group_id = $7))
     order by id desc limit $4`,
    [
      options.orgId,
      options.status,
      options.before,
      options.limit,
      options.from,
      options.to,
      options.groupId ?? null,
    ],
  );
  return r.rows;
}

/** Locks the campaign row for a state change (cancel). */
export async function lockCampaign(q: Queryable, id: string): Promise<CampaignRow | null> {
  const r = await q.query<CampaignRow>(
    `select ${CAMPAIGN_COLUMNS} from campaigns where id = $1 for update`,
    [id],
  );
  return r.rows[0] ?? null;
}

export interface CampaignTally {
  counts: Record<MessageStatus, number> & {
    total: number;
    fallback: number;
    /** Messages that were with the vendor, or on their way, when the campaign was canceled. */
    inFlightAtCancel: number;
  };
  held: bigint;
  charged: bigint;
  refunded: bigint;
}

interface CountRow {
  campaignId: string;
  status: MessageStatus;
  messages: number;
  fallbacks: number;
  inFlight: number;
  held: bigint;
  charged: bigint;
  released: bigint;
}

/**
 * Counts and money of campaigns, from their campaign_counts rows (a handful
 * per campaign, however many messages it has: see the table's comment).
 */
export async function tallyCampaigns(
  q: Queryable,
  campaignIds: readonly string[],
): Promise<Map<string, CampaignTally>> {
  const r = await q.query<CountRow>(
    `select campaign_id as "campaignId", status, sum(messages)::int as messages,
       sum(fallbacks)::int as fallbacks, sum(in_flight_at_cancel)::int as "inFlight",
       sum(held)::bigint as held, sum(charged)::bigint as charged,
       sum(released)::bigint as released
     from campaign_counts where campaign_id = any($1::text[])
     group by campaign_id, status`,
    [campaignIds],
  );
  const tallies = new Map<string, CampaignTally>(campaignIds.map((id) => [id, emptyTally()]));
  for (const row of r.rows) {
    const t = tallies.get(row.campaignId)!;
    t.counts[row.status] += row.messages;
    t.counts.total += row.messages;
    t.counts.fallback += row.fallbacks;
    t.counts.inFlightAtCancel += row.inFlight;
    t.held += row.held;
    t.charged += row.charged;
    t.refunded += row.released;
  }
  return tallies;
}

export async function tallyCampaign(q: Queryable, campaignId: string): Promise<CampaignTally> {
  return (await tallyCampaigns(q, [campaignId])).get(campaignId)!;
}

function emptyTally(): CampaignTally {
  const counts = {
    total: 0,
    fallback: 0,
    inFlightAtCancel: 0,
  } as CampaignTally["counts"];
  for (const s of MESSAGE_STATUSES) counts[s] = 0;
  return { counts, held: 0n, charged: 0n, refunded: 0n };
}

/**
 * Folds campaign_counts rows into one per status: of the given campaigns
 * (those that just completed), or else of campaigns with more than
 * `threshold` rows among the newest `recent` (the busy ones: a finished
 * campaign was folded as it completed, so it has no rows there). One
 * statement: the rows it deletes and the sums it inserts commit together,
 * and a row another fold deleted first is skipped (it waits for that fold,
 * then finds the row gone), so no sum ever changes. Returns the campaigns folded.
 */
export async function foldCampaignCounts(
  q: Queryable,
  options: { campaignIds: readonly string[] } | { threshold: number; recent: number },
): Promise<number> {
  const given = "campaignIds" in options;
  const r = await q.query<{ n: number }>(
    `with busy as (
       ${
         given
           ? "select unnest($1::text[]) as campaign_id"
           : `select campaign_id from campaign_counts
              where id > (select coalesce(max(id), 0) from campaign_counts) - $2
              group by campaign_id having count(*) > $1`
       }
     ),
     gone as (
       delete from campaign_counts c using busy where c.campaign_id = busy.campaign_id
       returning c.*
     ),
     folded as (
       insert into campaign_counts (org_id, campaign_id, status, messages, fallbacks,
         in_flight_at_cancel, unsettled, held, charged, released)
       select org_id, campaign_id, status, sum(messages), sum(fallbacks), sum(in_flight_at_cancel),
         sum(unsettled), sum(held), sum(charged), sum(released)
       from gone group by org_id, campaign_id, status
       having sum(messages) <> 0 or sum(fallbacks) <> 0 or sum(in_flight_at_cancel) <> 0
         or sum(unsettled) <> 0 or sum(held) <> 0 or sum(charged) <> 0 or sum(released) <> 0
       returning campaign_id
     )
     select count(distinct campaign_id)::int as n from folded`,
    given ? [options.campaignIds] : [options.threshold, options.recent],
  );
  return r.rows[0]?.n ?? 0;
}

export interface MessageRow {
  id: string;
  orgId: string;
  campaignId: string;
  recipient: string;
  name: string | null;
  type: string;
  status: MessageStatus;
  fallbackOf: string | null;
  /** The recipient's own variables (a contact's filled in). */
  variables: Record<string, string> | null;
  fallbackType: "sms" | "lms" | null;
  /** The recipient's index in the campaign: with the type, what its tracked links' codes name. */
  recipientIndex: number;
  /** The contact group it was sent to as a member of. */
  groupId: string | null;
  vendorAccountId: string | null;
  vendor: string | null;
  routeReason: string | null;
  attempts: number;
  priceHeld: bigint;
  priceCharged: bigint;
  priceReleased: bigint;
  settledAt: Date | null;
  /** Charged when the vendor accepted it (sent through an account its organization controls). */
  captureOnAccept: boolean;
  inFlightAtCancel: boolean;
  /** The fallback message created when this one failed, if any. */
  fallbackId: string | null;
  /** The organization's time zone. */
  timezone: string;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
}

export const MESSAGE_COLUMNS = `id, org_id as "orgId", campaign_id as "campaignId", recipient, name,
  type, status, fallback_of as "fallbackOf", variables, fallback_type as "fallbackType",
  recipient_index as "recipientIndex", group_id as "groupId", vendor_account_id as "vendorAccountId",
  (select va.vendor from vendor_accounts va where va.id = messages.vendor_account_id) as vendor,
  route_reason as "routeReason", attempts,
  price_held as "priceHeld", price_charged as "priceCharged",
  price_released as "priceReleased", settled_at as "settledAt",
  capture_on_accept as "captureOnAccept", in_flight_at_cancel as "inFlightAtCancel",
  (select f.id from messages f where f.fallback_of = messages.id) as "fallbackId",
  (select o.timezone from orgs o where o.id = messages.org_id) as timezone,
  error_code as "errorCode", error_message as "errorMessage", created_at as "createdAt",
  sent_at as "sentAt", delivered_at as "deliveredAt", failed_at as "failedAt"`;

export async function findMessageInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<MessageRow | null> {
  const r = await q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages where id = $1 and ${IN_SUBTREE}`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

/** A page of a campaign's messages in id order; `after` is the last id of the previous page. */
export async function listCampaignMessages(
  q: Queryable,
  options: {
    campaignId: string;
    status: MessageStatus | null;
    after: string | null;
    limit: number;
  },
): Promise<MessageRow[]> {
  const r = await q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages
     where campaign_id = $1 and ($2::text is null or status = $2) and ($3::text is null or id > $3)
     order by id limit $4`,
    [options.campaignId, options.status, options.after, options.limit],
  );
  return r.rows;
}

/** Marks a campaign canceled; it is also complete once none of its messages is in flight. */
export async function markCampaignCanceled(q: Queryable, id: string, now: Date): Promise<void> {
  await q.query(
    `update campaigns set status = 'canceled', canceled_at = $2::timestamptz,
       completed_at = case
         when exists (select 1 from messages where campaign_id = $1
                      and status in (${sqlList(IN_FLIGHT_STATUSES)}))
         then null else $2::timestamptz end
     where id = $1`,
    [id, now],
  );
}
