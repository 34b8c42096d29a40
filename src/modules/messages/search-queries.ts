// Finding an organization's messages across its campaigns (GET /v1/messages).
import type { Db, Queryable } from "../../db/client.ts";
import type { MessageStatus } from "../../db/schema/messages.ts";
import { MESSAGE_COLUMNS, type MessageRow } from "../campaigns/index.ts";

export interface MessageSearch {
  orgId: string;
  /** E.164. */
  phone: string | null;
  status: MessageStatus | null;
  campaignId: string | null;
  /** Created at or after `from`, and before `until`. */
  from: Date | null;
  until: Date | null;
  /** The last message of the previous page (and its campaign, for a search without a number or campaign). */
  before: { messageId: string; campaignId: string | null } | null;
  limit: number;
}

const filters = (m: string) => `($2::text is null or ${m}.status = $2)
  and ($3::timestamptz is null or ${m}.created_at >= $3)
  and ($4::timestamptz is null or ${m}.created_at < $4)`;

/**
 * A page of messages, newest first. Which index answers depends on what is asked:
 *
 * - a number: messages_recipient_idx (org_id, recipient, id), read backwards
 *   from the cursor: one range per number, however many messages the
 *   organization has (an index-only scan of the page's ids). Its price is
 *   paid on the hot path: no move of a message is a HOT update, so each of
 *   a message's moves writes an entry in it too — bench:pipeline on
 *   PostgreSQL counts 50 index entries touched per message with it, 45
 *   without (an insert and four moves). A narrower index would not help:
 *   the organization leads every hot index, and without the id each page
 *   of a much-messaged number would be a sort.
 * - a campaign: messages_campaign_idx (campaign_id, id), backwards.
 * - neither: the organization's campaigns newest first (campaigns_org_idx),
 *   and of each its newest messages, no more than a page of them, read only
 *   as far as the page needs (a nested loop under the limit). Newest first
 *   is then by campaign, then by message. A campaign completed before
 *   `from` is skipped unread (no message is created after its campaign
 *   completes). Rare statuses over many campaigns read far: a number or a
 *   campaign is the way to search a large organization.
 *
 * Every way reads its index in order and stops at the page's end. Bitmap
 * scans are refused for the statement (SET LOCAL, in its own transaction):
 * a campaign newer than the statistics is estimated at a few hundred rows,
 * and for fewer rows than a page the planner would rather collect all of a
 * fresh 1,000,000-message campaign and sort it, page after page (the figures
 * are with pageCampaignMessagesForExport, campaigns/results-queries.ts).
 */
export async function searchMessages(db: Db, s: MessageSearch): Promise<MessageRow[]> {
  return db.tx(async (q) => {
    await q.query("set local enable_bitmapscan = off");
    return findMessages(q, s);
  });
}

async function findMessages(q: Queryable, s: MessageSearch): Promise<MessageRow[]> {
  const common = [s.orgId, s.status, s.from, s.until, s.limit];
  if (s.phone !== null || s.campaignId !== null) {
    const which =
      s.phone !== null
        ? "recipient = $6 and ($7::text is null or campaign_id = $7)"
        : "($6::text is null or recipient = $6) and campaign_id = $7";
    const r = await q.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from messages
       where org_id = $1 and ${which} and ${filters("messages")}
         and ($8::text is null or id < $8)
       order by id desc limit $5`,
      [...common, s.phone, s.campaignId, s.before?.messageId ?? null],
    );
    return r.rows;
  }
  const r = await q.query<MessageRow>(
    `select m.* from campaigns c cross join lateral (
       select ${MESSAGE_COLUMNS} from messages
       where campaign_id = c.id and ${filters("messages")}
         and ($6::text is null or c.id <> $6 or id < $7::text)
       order by id desc limit $5
     ) m
     where c.org_id = $1 and ($6::text is null or c.id <= $6)
       and ($4::timestamptz is null or c.created_at < $4)
       and ($3::timestamptz is null or c.completed_at is null or c.completed_at >= $3)
     order by c.id desc, m.id desc
     limit $5`,
    [...common, s.before?.campaignId ?? null, s.before?.messageId ?? null],
  );
  return r.rows;
}

/** Whether the campaign is the organization's own (a search names only its own). */
export async function findOrgCampaign(
  q: Queryable,
  orgId: string,
  campaignId: string,
): Promise<boolean> {
  const r = await q.query("select 1 from campaigns where id = $1 and org_id = $2", [
    campaignId,
    orgId,
  ]);
  return r.rows.length > 0;
}
