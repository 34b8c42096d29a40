// Bot gateways, rooms, their posts and the organizations' room limits. Every
// statement is scoped by organization: by the caller's subtree (its path)
// for what the API reads, by the schedule's organization for what a run does.
import type { Queryable } from "../../db/client.ts";
import type { BotGatewayKind, RoomMode, RoomPostStatus } from "../../domain/vocabulary.ts";

export interface GatewayRow {
  id: string;
  orgId: string;
  name: string;
  kind: BotGatewayKind;
  url: string | null;
  secretEnc: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const GATEWAY_COLUMNS = `g.id, g.org_id as "orgId", g.name, g.kind, g.url, g.secret_enc as "secretEnc",
  g.created_at as "createdAt", g.updated_at as "updatedAt"`;

export async function insertGateway(
  q: Queryable,
  g: {
    id: string;
    orgId: string;
    name: string;
    kind: BotGatewayKind;
    url: string | null;
    secretEnc: string | null;
  },
): Promise<GatewayRow> {
  const r = await q.query<GatewayRow>(
    `insert into bot_gateways as g (id, org_id, name, kind, url, secret_enc)
     values ($1, $2, $3, $4, $5, $6)
     returning ${GATEWAY_COLUMNS}`,
    [g.id, g.orgId, g.name, g.kind, g.url, g.secretEnc],
  );
  return r.rows[0]!;
}

/** A gateway of the subtree at `scopePath`, unless removed. */
export async function findGatewayInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<GatewayRow | null> {
  const r = await q.query<GatewayRow>(
    `select ${GATEWAY_COLUMNS} from bot_gateways g join orgs o on o.id = g.org_id
     where g.id = $1 and g.deleted_at is null and o.path like $2 || '%'`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

/**
 * A gateway a room of `orgId` may use: one of the organization itself or of
 * an ancestor (a headquarters runs the bot, its branches have the rooms).
 */
export async function findGatewayUsableBy(
  q: Queryable,
  id: string,
  orgId: string,
): Promise<GatewayRow | null> {
  const r = await q.query<GatewayRow>(
    `select ${GATEWAY_COLUMNS}
     from bot_gateways g join orgs owner on owner.id = g.org_id, orgs o
     where g.id = $1 and g.deleted_at is null and o.id = $2 and o.path like owner.path || '%'`,
    [id, orgId],
  );
  return r.rows[0] ?? null;
}

export async function listGateways(
  q: Queryable,
  options: { orgId: string; before: string | null; limit: number },
): Promise<GatewayRow[]> {
  const r = await q.query<GatewayRow>(
    `select ${GATEWAY_COLUMNS} from bot_gateways g
     where g.org_id = $1 and g.deleted_at is null and ($2::text is null or g.id < $2)
     order by g.id desc limit $3`,
    [options.orgId, options.before, options.limit],
  );
  return r.rows;
}

/** Changes a gateway's name, URL or secret (null leaves each as it is). */
export async function updateGateway(
  q: Queryable,
  change: { id: string; name: string | null; url: string | null; secretEnc: string | null },
): Promise<GatewayRow> {
  const r = await q.query<GatewayRow>(
    `update bot_gateways g
     set name = coalesce($2, name), url = coalesce($3, url), secret_enc = coalesce($4, secret_enc),
       updated_at = now()
     where g.id = $1 and g.deleted_at is null
     returning ${GATEWAY_COLUMNS}`,
    [change.id, change.name, change.url, change.secretEnc],
  );
  return r.rows[0]!;
}

/**
 * Removes a gateway no room uses: the gateway row is locked first, so a room
 * created with it at the same moment either comes first (and the removal is
 * refused) or finds it removed. Returns the rooms that still use it (nothing
 * removed then).
 */
export async function removeGatewayUnlessUsed(q: Queryable, id: string): Promise<number> {
  await q.query("select id from bot_gateways where id = $1 for update", [id]);
  const used = await q.query<{ n: number }>(
    "select count(*)::int as n from rooms where gateway_id = $1 and deleted_at is null",
    [id],
  );
  const n = used.rows[0]?.n ?? 0;
  if (n > 0) return n;
  await q.query("update bot_gateways set deleted_at = now(), updated_at = now() where id = $1", [
    id,
  ]);
  return 0;
}

/** Locks a gateway for a room that is being given it (see removeGatewayUnlessUsed). */
export async function lockLiveGateway(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query(
    "select id from bot_gateways where id = $1 and deleted_at is null for share",
    [id],
  );
  return r.rows.length > 0;
}

export interface RoomRow {
  id: string;
  orgId: string;
  gatewayId: string;
  name: string;
  externalId: string;
  mode: RoomMode;
  createdAt: Date;
  updatedAt: Date;
}

const ROOM_COLUMNS = `r.id, r.org_id as "orgId", r.gateway_id as "gatewayId", r.name,
  r.external_id as "externalId", r.mode, r.created_at as "createdAt", r.updated_at as "updatedAt"`;

export async function insertRoom(
  q: Queryable,
  room: {
    id: string;
    orgId: string;
    gatewayId: string;
    name: string;
    externalId: string;
    mode: RoomMode;
  },
): Promise<RoomRow> {
  const r = await q.query<RoomRow>(
    `insert into rooms as r (id, org_id, gateway_id, name, external_id, mode)
     values ($1, $2, $3, $4, $5, $6)
     returning ${ROOM_COLUMNS}`,
    [room.id, room.orgId, room.gatewayId, room.name, room.externalId, room.mode],
  );
  return r.rows[0]!;
}

/** A room of the subtree at `scopePath`, unless deleted. */
export async function findRoomInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<RoomRow | null> {
  const r = await q.query<RoomRow>(
    `select ${ROOM_COLUMNS} from rooms r join orgs o on o.id = r.org_id
     where r.id = $1 and r.deleted_at is null and o.path like $2 || '%'`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

export async function listRooms(
  q: Queryable,
  options: { orgId: string; gatewayId: string | null; before: string | null; limit: number },
): Promise<RoomRow[]> {
  const r = await q.query<RoomRow>(
    `select ${ROOM_COLUMNS} from rooms r
     where r.org_id = $1 and r.deleted_at is null
       and ($2::text is null or r.gateway_id = $2) and ($3::text is null or r.id < $3)
     order by r.id desc limit $4`,
    [options.orgId, options.gatewayId, options.before, options.limit],
  );
  return r.rows;
}

export async function updateRoom(
  q: Queryable,
  change: {
    id: string;
    orgId: string;
    gatewayId: string;
    name: string;
    externalId: string;
    mode: RoomMode;
  },
): Promise<RoomRow> {
  const r = await q.query<RoomRow>(
    `update rooms r
     set org_id = $2, gateway_id = $3, name = $4, external_id = $5, mode = $6, updated_at = now()
     where r.id = $1 and r.deleted_at is null
     returning ${ROOM_COLUMNS}`,
    [change.id, change.orgId, change.gatewayId, change.name, change.externalId, change.mode],
  );
  return r.rows[0]!;
}

/** Deletes a room: it keeps its row for its posts and gets nothing more. */
export async function markRoomDeleted(q: Queryable, id: string): Promise<void> {
  await q.query(
    "update rooms set deleted_at = now(), updated_at = now() where id = $1 and deleted_at is null",
    [id],
  );
}

export interface RoomPostRow {
  id: string;
  orgId: string;
  runId: string;
  roomId: string;
  gatewayId: string;
  seq: number;
  kind: "text" | "image";
  fileId: string | null;
  status: RoomPostStatus;
  slotAt: Date | null;
  postedAt: Date | null;
  test: boolean;
  walletOrgId: string | null;
  priceHeld: bigint;
  priceCharged: bigint;
  priceChain: { orgId: string; bot: string }[] | null;
  errorCode: string | null;
  errorMessage: string | null;
  response: unknown;
  createdAt: Date;
}

const POST_COLUMNS = `p.id, p.org_id as "orgId", p.run_id as "runId", p.room_id as "roomId",
  p.gateway_id as "gatewayId", p.seq, p.kind, p.file_id as "fileId", p.status,
  p.slot_at as "slotAt", p.posted_at as "postedAt", p.test, p.wallet_org_id as "walletOrgId",
  p.price_held as "priceHeld", p.price_charged as "priceCharged", p.price_chain as "priceChain",
  p.error_code as "errorCode", p.error_message as "errorMessage", p.response,
  p.created_at as "createdAt"`;

/** The post a run made (or reserved) at this place, if it did. */
export async function findRunPost(
  q: Queryable,
  key: { runId: string; roomId: string; seq: number },
): Promise<RoomPostRow | null> {
  const r = await q.query<RoomPostRow>(
    `select ${POST_COLUMNS} from room_posts p where p.run_id = $1 and p.room_id = $2 and p.seq = $3`,
    [key.runId, key.roomId, key.seq],
  );
  return r.rows[0] ?? null;
}

/** What a post needs of its room at send time: the room, its gateway, and whether it may post. */
export interface RoomTarget {
  roomId: string;
  orgId: string;
  externalId: string;
  mode: RoomMode;
  gatewayId: string;
  gatewayKind: BotGatewayKind;
  gatewayUrl: string | null;
  gatewaySecretEnc: string | null;
}

const TARGET_COLUMNS = `r.id as "roomId", r.org_id as "orgId", r.external_id as "externalId", r.mode,
  g.id as "gatewayId", g.kind as "gatewayKind", g.url as "gatewayUrl",
  g.secret_enc as "gatewaySecretEnc"`;

/**
 * The room, locked until the transaction ends, if it is still the
 * organization's and neither it nor its gateway is deleted. The lock is what
 * serialises the reservations of one room's slots across processes.
 */
export async function lockRoomTarget(
  q: Queryable,
  roomId: string,
  orgId: string,
): Promise<RoomTarget | null> {
  const r = await q.query<RoomTarget>(
    `select ${TARGET_COLUMNS}
     from rooms r join bot_gateways g on g.id = r.gateway_id
     where r.id = $1 and r.org_id = $2 and r.deleted_at is null and g.deleted_at is null
     for update of r`,
    [roomId, orgId],
  );
  return r.rows[0] ?? null;
}

/** The same, unlocked: checked again just before a post is sent. */
export async function findRoomTarget(
  q: Queryable,
  roomId: string,
  orgId: string,
): Promise<RoomTarget | null> {
  const r = await q.query<RoomTarget>(
    `select ${TARGET_COLUMNS}
     from rooms r join bot_gateways g on g.id = r.gateway_id
     where r.id = $1 and r.org_id = $2 and r.deleted_at is null and g.deleted_at is null`,
    [roomId, orgId],
  );
  return r.rows[0] ?? null;
}

/** A room's latest slot and the run that took it (under the room's lock). */
export async function findLastSlot(
  q: Queryable,
  roomId: string,
): Promise<{ slotAt: Date; runId: string } | null> {
  const r = await q.query<{ slotAt: Date; runId: string }>(
    `select slot_at as "slotAt", run_id as "runId" from room_posts
     where room_id = $1 and slot_at is not null
     order by slot_at desc limit 1`,
    [roomId],
  );
  return r.rows[0] ?? null;
}

/**
 * The day `at` falls in, in the time zone (its start and the next day's),
 * and how many slots the room has taken in it.
 */
export async function countDaySlots(
  q: Queryable,
  options: { roomId: string; at: Date; timezone: string },
): Promise<{ dayStart: Date; nextDayStart: Date; count: number }> {
  const r = await q.query<{ dayStart: Date; nextDayStart: Date; count: number }>(
    `with d as (
       select date_trunc('day', $2::timestamptz at time zone $3) at time zone $3 as day_start,
         (date_trunc('day', $2::timestamptz at time zone $3) + interval '1 day') at time zone $3
           as next_day_start
     )
     select d.day_start as "dayStart", d.next_day_start as "nextDayStart",
       (select count(*)::int from room_posts
        where room_id = $1 and slot_at >= d.day_start and slot_at < d.next_day_start) as count
     from d`,
    [options.roomId, options.at, options.timezone],
  );
  return r.rows[0]!;
}

export interface NewRoomPost {
  id: string;
  orgId: string;
  runId: string;
  roomId: string;
  gatewayId: string;
  seq: number;
  kind: "text" | "image";
  fileId: string | null;
  status: RoomPostStatus;
  slotAt: Date | null;
  test: boolean;
  walletOrgId: string | null;
  priceHeld: bigint;
  priceChain: { orgId: string; bot: string }[] | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export async function insertRoomPost(q: Queryable, p: NewRoomPost): Promise<RoomPostRow> {
  const r = await q.query<RoomPostRow>(
    `insert into room_posts as p (id, org_id, run_id, room_id, gateway_id, seq, kind, file_id, status,
       slot_at, test, wallet_org_id, price_held, price_chain, error_code, error_message)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     returning ${POST_COLUMNS}`,
    [
      p.id,
      p.orgId,
      p.runId,
      p.roomId,
      p.gatewayId,
      p.seq,
      p.kind,
      p.fileId,
      p.status,
      p.slotAt,
      p.test,
      p.walletOrgId,
      p.priceHeld,
      p.priceChain === null ? null : JSON.stringify(p.priceChain),
      p.errorCode,
      p.errorMessage,
    ],
  );
  return r.rows[0]!;
}

/**
 * Records a reserved post's outcome, once: only a `reserved` post moves, so
 * of two processes finishing the same post (a rerun beside a slow first run)
 * one records it and the other gets null and moves no money.
 */
export async function finishRoomPost(
  q: Queryable,
  outcome: {
    id: string;
    status: "posted" | "failed" | "skipped";
    postedAt: Date | null;
    priceCharged: bigint;
    errorCode: string | null;
    errorMessage: string | null;
    response: unknown;
  },
): Promise<RoomPostRow | null> {
  const r = await q.query<RoomPostRow>(
    `update room_posts p
     set status = $2, posted_at = $3, price_charged = $4, error_code = $5, error_message = $6,
       response = $7, updated_at = now()
     where p.id = $1 and p.status = 'reserved'
     returning ${POST_COLUMNS}`,
    [
      outcome.id,
      outcome.status,
      outcome.postedAt,
      outcome.priceCharged,
      outcome.errorCode,
      outcome.errorMessage,
      outcome.response === undefined ? null : JSON.stringify(outcome.response),
    ],
  );
  return r.rows[0] ?? null;
}

/** A room's posts, newest first. */
export async function listRoomPosts(
  q: Queryable,
  options: { roomId: string; before: string | null; limit: number },
): Promise<RoomPostRow[]> {
  const r = await q.query<RoomPostRow>(
    `select ${POST_COLUMNS} from room_posts p
     where p.room_id = $1 and ($2::text is null or p.id < $2)
     order by p.id desc limit $3`,
    [options.roomId, options.before, options.limit],
  );
  return r.rows;
}

/** Whether a file is the organization's own image (a post's image must be). */
export async function isOrgFile(q: Queryable, orgId: string, fileId: string): Promise<boolean> {
  const r = await q.query("select 1 from files where id = $1 and org_id = $2", [fileId, orgId]);
  return r.rows.length > 0;
}

export interface RoomLimits {
  minIntervalSeconds: number;
  dailyLimit: number;
}

/** The limits an organization set itself, if it did. */
export async function findOwnRoomLimits(q: Queryable, orgId: string): Promise<RoomLimits | null> {
  const r = await q.query<RoomLimits>(
    `select min_interval_seconds as "minIntervalSeconds", daily_limit as "dailyLimit"
     from room_limits where org_id = $1`,
    [orgId],
  );
  return r.rows[0] ?? null;
}

/**
 * The limits that hold for an organization's rooms: the strictest of its own
 * and its ancestors', never looser than `floor` (the platform's).
 */
export async function findEffectiveRoomLimits(
  q: Queryable,
  orgId: string,
  floor: RoomLimits,
): Promise<RoomLimits> {
  const r = await q.query<{ minIntervalSeconds: number | null; dailyLimit: number | null }>(
    `select max(l.min_interval_seconds) as "minIntervalSeconds", min(l.daily_limit) as "dailyLimit"
     from orgs o
     join room_limits l on l.org_id = any(string_to_array(rtrim(o.path, '/'), '/'))
     where o.id = $1`,
    [orgId],
  );
  const row = r.rows[0];
  return {
    minIntervalSeconds: Math.max(floor.minIntervalSeconds, row?.minIntervalSeconds ?? 0),
    dailyLimit: Math.min(floor.dailyLimit, row?.dailyLimit ?? floor.dailyLimit),
  };
}

export async function upsertRoomLimits(
  q: Queryable,
  orgId: string,
  limits: RoomLimits,
): Promise<void> {
  await q.query(
    `insert into room_limits (org_id, min_interval_seconds, daily_limit) values ($1, $2, $3)
     on conflict (org_id) do update
     set min_interval_seconds = excluded.min_interval_seconds,
       daily_limit = excluded.daily_limit, updated_at = now()`,
    [orgId, limits.minIntervalSeconds, limits.dailyLimit],
  );
}

/** Books an ancestor's margin on one room post, for the margin report. */
export async function insertPostMarginBooking(
  q: Queryable,
  b: {
    id: string;
    orgId: string;
    childId: string;
    senderOrgId: string;
    runId: string;
    charged: bigint;
    margin: bigint;
  },
): Promise<void> {
  await q.query(
    `insert into margin_bookings (id, org_id, child_id, sender_org_id, campaign_id, messages, charged, margin)
     values ($1, $2, $3, $4, $5, 1, $6, $7)`,
    [b.id, b.orgId, b.childId, b.senderOrgId, b.runId, b.charged, b.margin],
  );
}

/** A file's bytes and type, if it is the organization's (for a post's image link). */
export async function findFileContentOf(
  q: Queryable,
  fileId: string,
  orgId: string,
): Promise<{ mime: string; data: Buffer } | null> {
  const r = await q.query<{ mime: string; data: Uint8Array }>(
    "select mime, data from files where id = $1 and org_id = $2",
    [fileId, orgId],
  );
  const row = r.rows[0];
  if (!row) return null;
  // PGlite answers bytea as a Uint8Array, node-postgres as a Buffer.
  const data = Buffer.isBuffer(row.data)
    ? row.data
    : Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength);
  return { mime: row.mime, data };
}
