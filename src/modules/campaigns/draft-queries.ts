import type { Queryable } from "../../db/client.ts";
import type { CampaignDraft, CampaignStatus } from "../../db/schema/campaigns.ts";
import { isNightTime, nextMorning } from "../../domain/advertising.ts";
import { loadChain, type PriceLevel, type StoredLevel } from "../../domain/pricing.ts";

export interface DraftRow {
  id: string;
  orgId: string;
  walletOrgId: string;
  /** Null on campaigns from before price chains: priced as the organization is now. */
  priceChain: PriceLevel[] | null;
  status: CampaignStatus;
  draft: CampaignDraft | null;
  sendAt: Date | null;
  totalCount: number;
  heldTotal: bigint;
  launchedAt: Date | null;
}

/**
 * Locks a campaign of the subtree at `scopePath` for a change to its draft:
 * parts, launch and discard take turns. Null when it is not in the subtree.
 */
export async function lockDraft(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<DraftRow | null> {
  const r = await q.query<DraftRow & { priceChain: StoredLevel[] | null }>(
    `select id, org_id as "orgId", wallet_org_id as "walletOrgId", price_chain as "priceChain",
       status, draft, send_at as "sendAt",
       total_count as "totalCount", held_total as "heldTotal", launched_at as "launchedAt"
     from campaigns
     where id = $1 and org_id in (select id from orgs where path like $2 || '%')
     for update`,
    [id, scopePath],
  );
  const row = r.rows[0];
  return row ? { ...row, priceChain: row.priceChain && loadChain(row.priceChain) } : null;
}

/**
 * Which of these numbers (E.164) an earlier part of the draft already holds.
 * One pass over the campaign's messages (messages_campaign_idx) against the
 * part's numbers hashed: no index on recipients, which every send would pay for.
 */
export async function findDraftRecipients(
  q: Queryable,
  campaignId: string,
  numbers: string[],
): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const r = await q.query<{ recipient: string }>(
    `select recipient from messages where campaign_id = $1 and recipient = any($2::text[])`,
    [campaignId, numbers],
  );
  return new Set(r.rows.map((row) => row.recipient));
}

/** A part was added: the draft's recipients and holds grow by it. */
export async function growDraft(
  q: Queryable,
  part: { id: string; given: number; messages: number; held: bigint },
): Promise<void> {
  await q.query(
    `update campaigns set total_count = total_count + $2, held_total = held_total + $3,
       draft = jsonb_set(draft, '{given}', to_jsonb((draft->>'given')::int + $4))
     where id = $1`,
    [part.id, part.messages, part.held, part.given],
  );
}

export async function markLaunched(
  q: Queryable,
  launch: { id: string; status: "queued" | "scheduled"; sendAt: Date | null; now: Date },
): Promise<void> {
  await q.query(`update campaigns set status = $2, send_at = $3, launched_at = $4 where id = $1`, [
    launch.id,
    launch.status,
    launch.sendAt,
    launch.now,
  ]);
}

/** Deletes a draft's messages; what they held, for the release. */
export async function deleteDraftMessages(
  q: Queryable,
  id: string,
): Promise<{ messages: number; held: bigint }> {
  const r = await q.query<{ messages: number; held: bigint }>(
    `with gone as (delete from messages where campaign_id = $1 and status = 'draft'
                   returning price_held)
     select count(*)::int as messages, coalesce(sum(price_held), 0)::bigint as held from gone`,
    [id],
  );
  return r.rows[0]!;
}

export async function markDiscarded(q: Queryable, id: string, now: Date): Promise<void> {
  await q.query(
    `update campaigns set status = 'discarded', canceled_at = $2, completed_at = $2,
       total_count = 0, held_total = 0
     where id = $1`,
    [id, now],
  );
}

/**
 * Queues up to `limit` messages of one launched draft, due at its send time
 * (or now), and marks the draft released once none is left. The campaign row
 * is locked (SKIP LOCKED: another process releasing it, or a cancel, goes
 * first), so a cancel either finds these messages queued, or waits and finds
 * none left in `draft`. One pass in id order from where the last batch
 * ended (`released_through`): over campaigns_releasing_idx, then a range of
 * messages_campaign_idx.
 *
 * The advertising night is judged here, when the draft goes out (its parts
 * could not know when that would be): advertising due between 21:00 and
 * 08:00 in the organization's time zone waits for 08:00, except to contacts
 * with night consent (by contacts_org_phone_key).
 */
export async function releaseLaunchedDraft(
  q: Queryable,
  options: { now: Date; limit: number },
): Promise<{ campaignId: string; queued: number } | null> {
  const c = await q.query<{
    id: string;
    runAt: Date;
    through: string | null;
    advertising: boolean;
    timezone: string;
  }>(
    `select c.id, greatest(coalesce(c.send_at, $1::timestamptz), $1::timestamptz) as "runAt",
       c.released_through as through, c.advertising, o.timezone
     from campaigns c join orgs o on o.id = c.org_id
     where c.launched_at is not null and c.released_at is null
     order by c.launched_at limit 1 for update of c skip locked`,
    [options.now],
  );
  const campaign = c.rows[0];
  if (!campaign) return null;
  const night = campaign.advertising && isNightTime(campaign.runAt, campaign.timezone);
  const morning = night ? nextMorning(campaign.runAt, campaign.timezone) : null;
  const r = await q.query<{ queued: number; last: string | null }>(
    `with picked as (
       select id from messages
       where campaign_id = $1 and ($4::text is null or id > $4) and status = 'draft'
       order by id limit $3
     ),
     moved as (
       update messages m set status = 'queued',
         run_at = case
           when $5::timestamptz is not null and not exists (
             select 1 from contacts k
             where k.org_id = m.org_id and k.phone = m.recipient and k.night_consent_at is not null
           ) then $5::timestamptz
           else $2::timestamptz end
       from picked where m.id = picked.id
       returning m.id
     )
     select count(*)::int as queued, max(id) as last from moved`,
    [campaign.id, campaign.runAt, options.limit, campaign.through, morning],
  );
  const { queued, last } = r.rows[0]!;
  await q.query(
    `update campaigns set released_through = coalesce($3, released_through),
       released_at = case when $4 then $2::timestamptz end
     where id = $1`,
    [campaign.id, options.now, last, queued < options.limit],
  );
  return { campaignId: campaign.id, queued };
}
