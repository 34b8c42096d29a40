import type { Queryable } from "../../db/client.ts";
import type { MessageType } from "../../domain/message-content.ts";

const SIGNING_KEY_SETTING = "link_signing_key";

/**
 * The key link codes are signed with, made by the first process that needs
 * it (two at once: the first insert wins, both read it). Kept in plain text:
 * it only stops recipients from making codes for others; whoever reads the
 * database reads the links and their clicks anyway.
 */
export async function ensureSigningKey(q: Queryable, candidate: string): Promise<string> {
  await q.query(
    `insert into settings (key, value) values ($1, to_jsonb($2::text)) on conflict (key) do nothing`,
    [SIGNING_KEY_SETTING, candidate],
  );
  const r = await q.query<{ value: string }>("select value from settings where key = $1", [
    SIGNING_KEY_SETTING,
  ]);
  const value = r.rows[0]?.value;
  if (typeof value !== "string") throw new Error("the link signing key could not be stored");
  return value;
}

/** Which of these link keys are taken already (a new link's key must be unique). */
export async function findTakenLinkKeys(
  q: Queryable,
  keys: readonly string[],
): Promise<Set<string>> {
  const r = await q.query<{ key: string }>(
    "select key from campaign_links where key = any($1::text[])",
    [keys],
  );
  return new Set(r.rows.map((row) => row.key));
}

export interface NewCampaignLink {
  key: string;
  idx: number;
  url: string;
}

/** A campaign's links, in the transaction that writes the campaign. */
export async function insertCampaignLinks(
  q: Queryable,
  options: { orgId: string; campaignId: string; links: readonly NewCampaignLink[] },
): Promise<void> {
  const { links } = options;
  if (links.length === 0) return;
  await q.query(
    `insert into campaign_links (key, org_id, campaign_id, idx, url)
     select key, $1, $2, idx, url from unnest($3::text[], $4::int[], $5::text[]) as l(key, idx, url)`,
    [
      options.orgId,
      options.campaignId,
      links.map((l) => l.key),
      links.map((l) => l.idx),
      links.map((l) => l.url),
    ],
  );
}

export interface ResolvedLink {
  key: string;
  orgId: string;
  campaignId: string;
  url: string;
}

/**
 * A link by its key, for the public redirect: deliberately not scoped to an
 * organization, since whoever follows a link has no credentials. Only a code
 * whose MAC verified reaches this query.
 */
export async function findLinkByKey(q: Queryable, key: string): Promise<ResolvedLink | null> {
  const r = await q.query<ResolvedLink>(
    `select key, org_id as "orgId", campaign_id as "campaignId", url
     from campaign_links where key = $1`,
    [key],
  );
  return r.rows[0] ?? null;
}

/** The link prefix a campaign's texts were counted with; null when it tracks no link. */
export async function findCampaignLinkPrefix(
  q: Queryable,
  campaignId: string,
): Promise<string | null> {
  const r = await q.query<{ prefix: string | null }>(
    `select content->'links'->>'prefix' as prefix from campaigns where id = $1`,
    [campaignId],
  );
  return r.rows[0]?.prefix ?? null;
}

/** Clicks of one link by one message's recipient, as buffered between flushes. */
export interface ClickBatchRow {
  key: string;
  recipientIndex: number;
  /** The type of the message that carried the link (from the code). */
  type: MessageType;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

export interface RecordedClicks {
  /** Clicks stored (those of links that exist). */
  clicks: number;
  /** Messages clicked for the first time. */
  firstClicks: number;
}

// Flushes from every process take turns (a transaction-level advisory lock,
// a few milliseconds a second each), so that their upserts never wait on
// each other's rows in opposite orders.
const FLUSH_LOCK = "alimi.link_clicks";

/**
 * Records a flush's clicks in one statement (one transaction):
 *
 * - link_clicks: per link and recipient, inserted or added to — a link's
 *   unique clicks are its rows;
 * - message_clicks: per message (campaign, recipient index, type), likewise;
 *   a row whose total is exactly what this flush added was inserted now: the
 *   message's first click. Its first_at stays what that flush wrote (a later
 *   flush from a process a second behind never moves it), so the statistics'
 *   hour of the first click and the row agree: a recount of message_clicks by
 *   organization, hour of first_at and type gives stats_deltas' `clicked`;
 * - stats_deltas: those first clicks, per organization, UTC hour of the
 *   first click and type (`clicked`). Exactly once per message, whatever the
 *   number of processes: a concurrent flush of the same message waits for
 *   this one and then finds the row (its total grows past what it added).
 *
 * Rows must be unique per (key, recipientIndex, type).
 */
export async function recordClicks(
  q: Queryable,
  rows: readonly ClickBatchRow[],
): Promise<RecordedClicks> {
  if (rows.length === 0) return { clicks: 0, firstClicks: 0 };
  const r = await q.query<RecordedClicks>(
    `with lock as (select pg_advisory_xact_lock(hashtextextended($7, 0))),
     batch as materialized (
       select b.key, b.idx, b.type, b.n, b.first_at, b.last_at, l.org_id, l.campaign_id
       from lock,
         unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::timestamptz[], $6::timestamptz[])
           as b(key, idx, type, n, first_at, last_at)
         join campaign_links l on l.key = b.key
     ),
     -- Run to completion though nothing reads it, like every data-modifying CTE.
     pairs as (
       insert into link_clicks as c (link_key, recipient_index, org_id, campaign_id, total,
         first_at, last_at)
       select key, idx, min(org_id), min(campaign_id), sum(n), min(first_at), max(last_at)
       from batch group by key, idx order by key, idx
       on conflict (link_key, recipient_index) do update
         set total = c.total + excluded.total, first_at = least(c.first_at, excluded.first_at),
           last_at = greatest(c.last_at, excluded.last_at)
       returning 1
     ),
     sent as (
       select campaign_id, idx, type, min(org_id) as org_id, sum(n) as n,
         min(first_at) as first_at, max(last_at) as last_at
       from batch group by campaign_id, idx, type
     ),
     clicked as (
       insert into message_clicks as c (campaign_id, recipient_index, type, org_id, total,
         first_at, last_at)
       select campaign_id, idx, type, org_id, n, first_at, last_at from sent
       order by campaign_id, idx, type
       on conflict (campaign_id, recipient_index, type) do update
         set total = c.total + excluded.total, last_at = greatest(c.last_at, excluded.last_at)
       returning campaign_id, recipient_index, type, org_id, total, first_at
     ),
     firsts as (
       select c.org_id, c.type, c.first_at from clicked c
       join sent s on s.campaign_id = c.campaign_id and s.idx = c.recipient_index and s.type = c.type
       where c.total = s.n
     ),
     stats as (
       insert into stats_deltas (org_id, hour, type, clicked)
       select org_id, date_trunc('hour', first_at at time zone 'UTC') at time zone 'UTC', type,
         count(*)
       from firsts group by 1, 2, 3
       returning clicked
     )
     select (select coalesce(sum(n), 0) from batch)::int as clicks,
       (select coalesce(sum(clicked), 0) from stats)::int as "firstClicks"`,
    [
      rows.map((row) => row.key),
      rows.map((row) => row.recipientIndex),
      rows.map((row) => row.type),
      rows.map((row) => row.count),
      rows.map((row) => row.firstAt),
      rows.map((row) => row.lastAt),
      FLUSH_LOCK,
    ],
  );
  return r.rows[0] ?? { clicks: 0, firstClicks: 0 };
}

export interface MessageClicks {
  total: number;
  firstAt: Date | null;
}

/**
 * Clicks of messages of the subtree at `scopePath`, by message id (those
 * without a click are absent). A message's clicks are found by its campaign,
 * recipient index and type, through the primary keys of both tables.
 */
export async function findMessageClicks(
  q: Queryable,
  options: { messageIds: readonly string[]; scopePath: string },
): Promise<Map<string, MessageClicks>> {
  if (options.messageIds.length === 0) return new Map();
  const r = await q.query<{ id: string; total: number; firstAt: Date }>(
    `select m.id, c.total::int as total, c.first_at as "firstAt"
     from messages m
     join message_clicks c on c.campaign_id = m.campaign_id
       and c.recipient_index = m.recipient_index and c.type = m.type
     where m.id = any($1::text[]) and m.org_id in (select id from orgs where path like $2 || '%')`,
    [options.messageIds, options.scopePath],
  );
  return new Map(r.rows.map((row) => [row.id, { total: row.total, firstAt: row.firstAt }]));
}

export interface LinkCounts {
  url: string;
  clicks: number;
  uniqueClicks: number;
}

export interface CampaignClicks {
  /** Messages with at least one click. */
  clicked: number;
  /** The campaign's tracked links in the order its content names them. */
  links: LinkCounts[];
}

/**
 * Click counts of campaigns of the subtree at `scopePath`: messages clicked
 * (message_clicks rows) and per link its clicks and unique clicks
 * (link_clicks rows), each read through its primary key's leading column.
 */
export async function findCampaignClicks(
  q: Queryable,
  options: { campaignIds: readonly string[]; scopePath: string },
): Promise<Map<string, CampaignClicks>> {
  const found = new Map<string, CampaignClicks>(
    options.campaignIds.map((id) => [id, { clicked: 0, links: [] }]),
  );
  if (options.campaignIds.length === 0) return found;
  const r = await q.query<{
    campaignId: string;
    url: string | null;
    clicks: number;
    uniqueClicks: number;
    clicked: number;
  }>(
    `with scoped as (
       select id, (select count(*) from message_clicks mc where mc.campaign_id = c.id) as clicked
       from campaigns c
       where id = any($1::text[]) and org_id in (select id from orgs where path like $2 || '%')
     )
     select s.id as "campaignId", s.clicked::int as clicked, l.url,
       coalesce(lc.clicks, 0)::int as clicks, coalesce(lc.unique_clicks, 0)::int as "uniqueClicks"
     from scoped s
     left join campaign_links l on l.campaign_id = s.id
     left join lateral (
       select sum(c.total) as clicks, count(*) as unique_clicks
       from link_clicks c where c.link_key = l.key
     ) lc on true
     order by s.id, l.idx`,
    [options.campaignIds, options.scopePath],
  );
  for (const row of r.rows) {
    const campaign = found.get(row.campaignId);
    if (!campaign) continue;
    campaign.clicked = row.clicked;
    if (row.url !== null) {
      campaign.links.push({ url: row.url, clicks: row.clicks, uniqueClicks: row.uniqueClicks });
    }
  }
  return found;
}
