// A campaign's results: the groups it was sent to and how each fared, and
// its messages a page at a time for the CSV export.
import type { Db, Queryable } from "../../db/client.ts";
import type { CampaignContent } from "../../db/schema/campaigns.ts";
import type { MessageStatus } from "../../db/schema/messages.ts";

/**
 * The groups a campaign is sent to, in the request's order (duplicates once,
 * at their first place), with their names as they are now: in the
 * transaction that accepts it. Groups that are not the organization's are
 * skipped (the audience has refused them already).
 */
export async function recordCampaignGroups(
  q: Queryable,
  options: { orgId: string; campaignId: string; groupIds: readonly string[] },
): Promise<void> {
  await q.query(
    `insert into campaign_groups (campaign_id, group_id, org_id, name, position)
     select $1, g.id, g.org_id, g.name, p.position
     from (select id, min(n)::int - 1 as position from unnest($3::text[]) with ordinality u(id, n)
           group by id) p
       join contact_groups g on g.id = p.id and g.org_id = $2`,
    [options.campaignId, options.orgId, options.groupIds],
  );
}

export interface GroupResult {
  groupId: string;
  name: string;
  /** Its members the campaign was sent to: recipients, not messages (a fallback is its original's). */
  total: number;
  delivered: number;
  /** Recipients whose last message failed (an Alimtalk that fell back is its fallback's outcome). */
  failed: number;
  expired: number;
  canceled: number;
  /** Not final yet. */
  pending: number;
}

/**
 * Per group of the campaign, what became of its members, counted from the
 * campaign's messages (messages_campaign_idx) in one pass: a recipient is
 * its original message and, if that failed and fell back, its fallback.
 * Every fallback's original failed, so the recipients whose outcome is a
 * failure are the failed messages less the fallbacks; a recipient is
 * delivered, expired or canceled by whichever of its messages is.
 */
export async function countGroupResults(q: Queryable, campaignId: string): Promise<GroupResult[]> {
  const r = await q.query<{
    groupId: string;
    name: string;
    total: number;
    delivered: number;
    failed: number;
    expired: number;
    canceled: number;
  }>(
    `with counted as (
       select group_id, count(*) filter (where fallback_of is null) as total,
         count(*) filter (where status = 'delivered') as delivered,
         count(*) filter (where status = 'failed') - count(*) filter (where fallback_of is not null)
           as failed,
         count(*) filter (where status = 'expired') as expired,
         count(*) filter (where status = 'canceled') as canceled
       from messages where campaign_id = $1 and group_id is not null
       group by group_id
     )
     select g.group_id as "groupId", g.name, coalesce(c.total, 0)::int as total,
       coalesce(c.delivered, 0)::int as delivered, coalesce(c.failed, 0)::int as failed,
       coalesce(c.expired, 0)::int as expired, coalesce(c.canceled, 0)::int as canceled
     from campaign_groups g left join counted c on c.group_id = g.group_id
     where g.campaign_id = $1
     order by g.position`,
    [campaignId],
  );
  return r.rows.map((row) => ({
    ...row,
    pending: row.total - row.delivered - row.failed - row.expired - row.canceled,
  }));
}

/**
 * Per group of the campaign, its members who clicked a tracked link of it
 * (one of their messages did): message_clicks names a message by its
 * recipient's index, which its original message carries with its group.
 */
export async function countGroupClicks(
  q: Queryable,
  campaignId: string,
): Promise<Map<string, number>> {
  const r = await q.query<{ groupId: string; clicked: number }>(
    `select m.group_id as "groupId", count(distinct m.recipient_index)::int as clicked
     from message_clicks k
       join messages m on m.campaign_id = k.campaign_id and m.recipient_index = k.recipient_index
         and m.fallback_of is null
     where k.campaign_id = $1 and m.group_id is not null
     group by m.group_id`,
    [campaignId],
  );
  return new Map(r.rows.map((row) => [row.groupId, row.clicked]));
}

/** The contents of campaigns, for rendering what their messages said. */
export async function findCampaignContents(
  q: Queryable,
  campaignIds: readonly string[],
): Promise<Map<string, CampaignContent>> {
  if (campaignIds.length === 0) return new Map();
  const r = await q.query<{ id: string; content: CampaignContent }>(
    "select id, content from campaigns where id = any($1::text[])",
    [campaignIds],
  );
  return new Map(r.rows.map((row) => [row.id, row.content]));
}

export interface ExportRow {
  id: string;
  recipient: string;
  name: string | null;
  type: string;
  fallbackOf: string | null;
  status: MessageStatus;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  priceCharged: bigint;
}

/**
 * A page of a campaign's messages in id order after `after`: a range of
 * messages_campaign_idx read in order, whatever the planner believes of the
 * campaign. A campaign newer than the table's statistics is estimated at a
 * few hundred rows, and for fewer rows than the page the planner prefers a
 * bitmap scan of all the campaign's rows and a sort: every page of a fresh
 * 1,000,000-message campaign then read all of it (0.45 s a page; the export
 * took 443 s on PostgreSQL). Bitmap scans are refused for this one
 * statement, in its own short transaction (SET LOCAL), so a page costs its
 * own rows: the same export took 6.4 s (node bench/results.ts).
 */
export async function pageCampaignMessagesForExport(
  db: Db,
  options: { campaignId: string; after: string; limit: number },
): Promise<ExportRow[]> {
  return db.tx(async (q) => {
    await q.query("set local enable_bitmapscan = off");
    const r = await q.query<ExportRow>(
      `select id, recipient, name, type, fallback_of as "fallbackOf", status, sent_at as "sentAt",
         delivered_at as "deliveredAt", failed_at as "failedAt", error_code as "errorCode",
         error_message as "errorMessage", price_charged as "priceCharged"
       from messages where campaign_id = $1 and id > $2 order by id limit $3`,
      [options.campaignId, options.after, options.limit],
    );
    return r.rows;
  });
}
