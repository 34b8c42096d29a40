import type { Queryable } from "../../db/client.ts";
import type { CampaignContent } from "../../db/schema/campaigns.ts";
import type { MessageType } from "../../domain/message-content.ts";

export interface ClaimedMessage {
  id: string;
  orgId: string;
  campaignId: string;
  recipient: string;
  type: MessageType;
  fallbackType: "sms" | "lms" | null;
  variables: Record<string, string> | null;
  /** Vendor calls made so far (this claim's not yet counted). */
  attempts: number;
  /** Claims in a row that found no vendor account. */
  routeMisses: number;
  /** The account and error of the previous attempt, if any. */
  lastAccountId: string | null;
  lastError: string | null;
}

/**
 * Claims up to `limit` due messages for this worker, fairly across
 * organizations, in one statement.
 *
 * Why lanes: messages are claimed per organization in rotation, not in one
 * global run_at order. A recursive CTE walks the distinct organizations that
 * have due work (a loose index scan over messages_queue_idx: one index probe
 * per organization, however many messages each has queued), and each lane
 * gets an equal share of the batch. A 200,000-message campaign of one
 * organization therefore takes at most its share of each claim while another
 * organization's single message goes out in the very next claim, and within
 * a lane priority 0 (single sends, fallbacks) goes before bulk work.
 * `for update skip locked` lets several workers claim at once without
 * waiting for each other; the lease (`locked_until`) hands a crashed
 * worker's batch back to the queue. `locked_by` gets the claim's own token
 * (fresh for every claim, not only per worker): each completion compares it,
 * so a worker whose lease ran out and whose batch was claimed again (by
 * another worker, or by itself) changes nothing. A claim does not count as an
 * attempt: `attempts` grows when a vendor is called (messages/transitions).
 */
export async function claimMessages(
  q: Queryable,
  options: {
    /** This claim's token, written to `locked_by`. */
    claim: string;
    now: Date;
    leaseUntil: Date;
    limit: number;
    /** Only priority 0 (single sends, fallbacks), through messages_express_idx. */
    expressOnly?: boolean;
  },
): Promise<ClaimedMessage[]> {
  // Spelled out rather than a parameter so that the planner picks the partial index.
  const lane = options.expressOnly ? "and priority = 0" : "";
  const r = await q.query<ClaimedMessage>(
    `with recursive lanes(org_id) as (
       (select org_id from messages
        where status = 'queued' ${lane} and run_at <= $1 order by org_id limit 1)
       union all
       select (select m.org_id from messages m
               where m.status = 'queued' ${lane} and m.run_at <= $1 and m.org_id > lanes.org_id
               order by m.org_id limit 1)
       from lanes where lanes.org_id is not null
     ),
     active as (select org_id from lanes where org_id is not null),
     share as (select greatest(1, $2::int / greatest(1, (select count(*)::int from active))) as n),
     picked as (
       select p.id from active a cross join lateral (
         select m.id from messages m
         where m.org_id = a.org_id and m.status = 'queued' ${lane} and m.run_at <= $1
         order by m.priority, m.run_at
         limit (select n from share)
         for update skip locked
       ) p
     )
     update messages m set status = 'sending', locked_by = $3, locked_until = $4
     from picked where m.id = picked.id
     returning m.id, m.org_id as "orgId", m.campaign_id as "campaignId", m.recipient, m.type,
       m.fallback_type as "fallbackType", m.variables, m.attempts, m.route_misses as "routeMisses",
       m.vendor_account_id as "lastAccountId", m.error_code as "lastError"`,
    [options.now, options.limit, options.claim, options.leaseUntil],
  );
  return r.rows;
}

/** Campaigns whose first messages are being sent now show `sending`. */
export async function markCampaignsSending(q: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query(
    `update campaigns set status = 'sending'
     where id = any($1::text[]) and status in ('queued', 'scheduled')`,
    [ids],
  );
}

export interface CampaignForDispatch {
  id: string;
  fromNumber: string | null;
  content: CampaignContent;
}

export async function findCampaignsForDispatch(
  q: Queryable,
  ids: string[],
): Promise<CampaignForDispatch[]> {
  const r = await q.query<CampaignForDispatch>(
    `select id, from_number as "fromNumber", content from campaigns where id = any($1::text[])`,
    [ids],
  );
  return r.rows;
}
