import type { Queryable } from "../../db/client.ts";
import type { CampaignStatus } from "../../db/schema/campaigns.ts";
import type { MessageStatus } from "../../db/schema/messages.ts";
import { IN_FLIGHT_STATUSES, sqlList } from "../../domain/message-status.ts";

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

/** Counts and money of a campaign's messages, from one scan of its index range. */
export async function tallyCampaign(q: Queryable, campaignId: string): Promise<CampaignTally> {
  const r = await q.query<{
    status: MessageStatus;
    n: number;
    fallback: number;
    inFlight: number;
    held: bigint;
    charged: bigint;
    refunded: bigint;
  }>(
    `select status, count(*)::int as n,
       count(*) filter (where fallback_of is not null)::int as fallback,
       count(*) filter (where in_flight_at_cancel)::int as "inFlight",
       coalesce(sum(price_held) filter (where settled_at is null), 0)::bigint as held,
       coalesce(sum(price_charged), 0)::bigint as charged,
       coalesce(sum(price_released), 0)::bigint as refunded
     from messages where campaign_id = $1 group by status`,
    [campaignId],
  );
  const counts = {
    total: 0,
    accepted: 0,
    queued: 0,
    sending: 0,
    sent: 0,
    delivered: 0,
    failed: 0,
    canceled: 0,
    expired: 0,
    fallback: 0,
    inFlightAtCancel: 0,
  };
  let held = 0n;
  let charged = 0n;
  let refunded = 0n;
  for (const row of r.rows) {
    counts[row.status] += row.n;
    counts.total += row.n;
    counts.fallback += row.fallback;
    counts.inFlightAtCancel += row.inFlight;
    held += row.held;
    charged += row.charged;
    refunded += row.refunded;
  }
  return { counts, held, charged, refunded };
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

const MESSAGE_COLUMNS = `id, org_id as "orgId", campaign_id as "campaignId", recipient, name, type,
  status, fallback_of as "fallbackOf", vendor_account_id as "vendorAccountId",
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
