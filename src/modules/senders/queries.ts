import type { Queryable } from "../../db/client.ts";

export interface SenderRow {
  id: string;
  orgId: string;
  number: string;
  status: "pending" | "verified";
  isDefault: boolean;
  createdAt: Date;
  verifiedAt: Date | null;
}

const SENDER_COLUMNS = `id, org_id as "orgId", number, status, is_default as "isDefault",
  created_at as "createdAt", verified_at as "verifiedAt"`;

/**
 * Registers a number for an organization; registering it again returns the
 * existing row (and verifies it if asked to).
 */
export async function upsertSender(
  q: Queryable,
  s: { id: string; orgId: string; number: string; verified: boolean },
): Promise<SenderRow> {
  const r = await q.query<SenderRow>(
    `insert into senders (id, org_id, number, status, verified_at)
     values ($1, $2, $3, case when $4 then 'verified' else 'pending' end, case when $4 then now() end)
     on conflict (org_id, number) do update
       set status = case when $4 then 'verified' else senders.status end,
           verified_at = coalesce(senders.verified_at, excluded.verified_at)
     returning ${SENDER_COLUMNS}`,
    [s.id, s.orgId, s.number, s.verified],
  );
  return r.rows[0]!;
}

/** Marks a sender verified. */
export async function verifySender(q: Queryable, id: string): Promise<SenderRow | null> {
  const r = await q.query<SenderRow>(
    `update senders set status = 'verified', verified_at = coalesce(verified_at, now())
     where id = $1 returning ${SENDER_COLUMNS}`,
    [id],
  );
  return r.rows[0] ?? null;
}

/** Makes the organization's oldest verified number its default if it has none. */
export async function ensureDefaultSender(q: Queryable, orgId: string): Promise<void> {
  await q.query(
    `update senders set is_default = true
     where id = (select id from senders where org_id = $1 and status = 'verified'
                 order by verified_at, id limit 1)
       and not exists (select 1 from senders where org_id = $1 and is_default)`,
    [orgId],
  );
}

export async function listSenders(q: Queryable, orgId: string): Promise<SenderRow[]> {
  const r = await q.query<SenderRow>(
    `select ${SENDER_COLUMNS} from senders where org_id = $1 order by id`,
    [orgId],
  );
  return r.rows;
}

export async function findSenderInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<SenderRow | null> {
  const r = await q.query<SenderRow>(
    `select ${SENDER_COLUMNS} from senders
     where id = $1 and org_id in (select id from orgs where path like $2 || '%')`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

export async function findSender(q: Queryable, id: string): Promise<SenderRow | null> {
  const r = await q.query<SenderRow>(`select ${SENDER_COLUMNS} from senders where id = $1`, [id]);
  return r.rows[0] ?? null;
}

export interface KakaoChannelRow {
  id: string;
  orgId: string;
  name: string;
  senderKey: string | null;
  pfId: string | null;
  status: "pending" | "verified";
  isDefault: boolean;
  createdAt: Date;
  verifiedAt: Date | null;
}

const CHANNEL_COLUMNS = `id, org_id as "orgId", name, sender_key as "senderKey", pf_id as "pfId",
  status, is_default as "isDefault", created_at as "createdAt", verified_at as "verifiedAt"`;

/**
 * Adds a channel, pending unless `verified`. A sender key or pfId already
 * registered anywhere on the platform violates kakao_channels_sender_key_key
 * or kakao_channels_pf_id_key.
 */
export async function insertKakaoChannel(
  q: Queryable,
  c: {
    id: string;
    orgId: string;
    name: string;
    senderKey: string | null;
    pfId: string | null;
    verified: boolean;
  },
): Promise<KakaoChannelRow> {
  const r = await q.query<KakaoChannelRow>(
    `insert into kakao_channels (id, org_id, name, sender_key, pf_id, status, verified_at)
     values ($1, $2, $3, $4, $5, case when $6 then 'verified' else 'pending' end,
       case when $6 then now() end)
     returning ${CHANNEL_COLUMNS}`,
    [c.id, c.orgId, c.name, c.senderKey, c.pfId, c.verified],
  );
  return r.rows[0]!;
}

/** Marks a channel verified. */
export async function verifyKakaoChannel(
  q: Queryable,
  id: string,
): Promise<KakaoChannelRow | null> {
  const r = await q.query<KakaoChannelRow>(
    `update kakao_channels set status = 'verified', verified_at = coalesce(verified_at, now())
     where id = $1 returning ${CHANNEL_COLUMNS}`,
    [id],
  );
  return r.rows[0] ?? null;
}

/** Makes the organization's oldest verified channel its default if it has none. */
export async function ensureDefaultKakaoChannel(q: Queryable, orgId: string): Promise<void> {
  await q.query(
    `update kakao_channels set is_default = true
     where id = (select id from kakao_channels where org_id = $1 and status = 'verified'
                 order by verified_at, id limit 1)
       and not exists (select 1 from kakao_channels where org_id = $1 and is_default)`,
    [orgId],
  );
}

export async function findKakaoChannel(q: Queryable, id: string): Promise<KakaoChannelRow | null> {
  const r = await q.query<KakaoChannelRow>(
    `select ${CHANNEL_COLUMNS} from kakao_channels where id = $1`,
    [id],
  );
  return r.rows[0] ?? null;
}

export async function findKakaoChannelInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<KakaoChannelRow | null> {
  const r = await q.query<KakaoChannelRow>(
    `select ${CHANNEL_COLUMNS} from kakao_channels
     where id = $1 and org_id in (select id from orgs where path like $2 || '%')`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

export async function listKakaoChannels(q: Queryable, orgId: string): Promise<KakaoChannelRow[]> {
  const r = await q.query<KakaoChannelRow>(
    `select ${CHANNEL_COLUMNS} from kakao_channels where org_id = $1 order by id`,
    [orgId],
  );
  return r.rows;
}

/**
 * The channel a send of the organization at `orgPath` goes out under: the one
 * named (only if it is the organization's own or an ancestor's, and
 * verified), else the nearest default up the tree (defaults are verified by
 * kakao_channels_default_verified_check); null when there is none.
 */
export async function findUsableKakaoChannel(
  q: Queryable,
  options: { orgPath: string; id: string | null },
): Promise<KakaoChannelRow | null> {
  const r = await q.query<KakaoChannelRow>(
    `select c.id, c.org_id as "orgId", c.name, c.sender_key as "senderKey", c.pf_id as "pfId",
       c.status, c.is_default as "isDefault", c.created_at as "createdAt",
       c.verified_at as "verifiedAt"
     from kakao_channels c join orgs o on o.id = c.org_id
     where $1 like o.path || '%' and c.status = 'verified'
       and (case when $2::text is null then c.is_default else c.id = $2 end)
     order by o.depth desc limit 1`,
    [options.orgPath, options.id],
  );
  return r.rows[0] ?? null;
}
