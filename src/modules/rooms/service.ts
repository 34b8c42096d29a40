// Managing bot gateways, rooms and room limits. Bad input is refused whole,
// with a JSON path for each problem, before anything is stored; secrets are
// sealed at rest and shown once, when Alimi generated them.
import type { Db, Queryable } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { formatCredits } from "../../domain/money.ts";
import type { BotGatewayKind, RoomMode } from "../../domain/vocabulary.ts";
import type { Egress } from "../../lib/egress.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { type Actor, insertAudit } from "../audit/index.ts";
import { findOrgInSubtree } from "../orgs/index.ts";
import { isGatewaySecret, newGatewaySecret } from "./gateway.ts";
import {
  findGatewayUsableBy,
  findOwnRoomLimits,
  type GatewayRow,
  insertGateway,
  insertRoom,
  lockLiveGateway,
  markRoomDeleted,
  type RoomLimits,
  type RoomPostRow,
  type RoomRow,
  removeGatewayUnlessUsed,
  updateGateway,
  updateRoom,
  upsertRoomLimits,
} from "./queries.ts";
import { PLATFORM_ROOM_LIMITS } from "./run.ts";

export interface RoomDeps {
  db: Db;
  box: SecretBox;
  /** The guard http gateways' URLs must pass (the vendor URL overrides' rules). */
  egress: Egress;
}

const refused = (details: ErrorDetail[]) =>
  new AppError("VALIDATION_FAILED", details.map((d) => d.message).join("; "), { details });

export interface GatewayView {
  id: string;
  orgId: string;
  name: string;
  kind: BotGatewayKind;
  url: string | null;
  createdAt: string;
  updatedAt: string;
  /** Only in the answer that generated it. */
  secret?: string;
}

export function gatewayView(row: GatewayRow, secret?: string): GatewayView {
  return {
    id: row.id,
    orgId: row.orgId,
    name: row.name,
    kind: row.kind,
    url: row.url,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(secret ? { secret } : {}),
  };
}

/** Problems with an http gateway's URL: a URL the egress guard lets through. */
async function urlProblems(egress: Egress, url: string): Promise<ErrorDetail[]> {
  const parsed = URL.parse(url);
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    return [{ path: "/url", code: "INVALID_URL", message: "url is not an http(s) URL" }];
  }
  const verdict = await egress.check(parsed);
  return verdict.ok
    ? []
    : [{ path: "/url", code: "EGRESS_REFUSED", message: `url ${verdict.reason}` }];
}

function secretProblems(secret: string | undefined): ErrorDetail[] {
  return secret === undefined || isGatewaySecret(secret)
    ? []
    : [
        {
          path: "/secret",
          code: "INVALID_SECRET",
          message: "secret is not whsec_ followed by 24 to 64 bytes in base64",
        },
      ];
}

export async function createGateway(
  deps: RoomDeps,
  actor: Actor,
  input: { orgId: string; name: string; kind: BotGatewayKind; url?: string; secret?: string },
  inTransaction?: (q: Queryable, view: GatewayView) => Promise<void>,
): Promise<GatewayView> {
  const problems: ErrorDetail[] = [];
  if (input.kind === "sandbox") {
    if (input.url !== undefined)
      problems.push({ path: "/url", code: "NOT_ALLOWED", message: "a sandbox gateway has no url" });
    if (input.secret !== undefined)
      problems.push({
        path: "/secret",
        code: "NOT_ALLOWED",
        message: "a sandbox gateway has no secret",
      });
  } else if (input.url === undefined) {
    problems.push({ path: "/url", code: "REQUIRED", message: "an http gateway needs a url" });
  } else {
    problems.push(...(await urlProblems(deps.egress, input.url)));
  }
  if (input.kind === "http") problems.push(...secretProblems(input.secret));
  if (problems.length > 0) throw refused(problems);

  const generated = input.kind === "http" && input.secret === undefined ? newGatewaySecret() : null;
  const secret = input.kind === "http" ? (input.secret ?? generated) : null;
  return deps.db.tx(async (q) => {
    const row = await insertGateway(q, {
      id: newId("bgw"),
      orgId: input.orgId,
      name: input.name,
      kind: input.kind,
      url: input.kind === "http" ? (input.url ?? null) : null,
      secretEnc: secret ? deps.box.seal(secret) : null,
    });
    await insertAudit(q, {
      orgId: input.orgId,
      actor,
      action: "bot_gateway.created",
      targetType: "bot_gateway",
      targetId: row.id,
      details: { name: row.name, kind: row.kind, url: row.url, secretGenerated: !!generated },
    });
    const view = gatewayView(row, generated ?? undefined);
    await inTransaction?.(q, view);
    return view;
  });
}

export async function changeGateway(
  deps: RoomDeps,
  actor: Actor,
  current: GatewayRow,
  change: { name?: string; url?: string; secret?: string; rotateSecret?: boolean },
): Promise<GatewayView> {
  const problems: ErrorDetail[] = [];
  if (current.kind === "sandbox") {
    for (const field of ["url", "secret", "rotateSecret"] as const) {
      if (change[field] !== undefined)
        problems.push({
          path: `/${field}`,
          code: "NOT_ALLOWED",
          message: `a sandbox gateway has no ${field === "url" ? "url" : "secret"}`,
        });
    }
  } else {
    if (change.url !== undefined) problems.push(...(await urlProblems(deps.egress, change.url)));
    problems.push(...secretProblems(change.secret));
    if (change.secret !== undefined && change.rotateSecret)
      problems.push({
        path: "/rotateSecret",
        code: "CONFLICTING_FIELDS",
        message: "give a secret or ask for a new one, not both",
      });
  }
  if (problems.length > 0) throw refused(problems);
  const generated = change.rotateSecret ? newGatewaySecret() : null;
  const secret = change.secret ?? generated;
  return deps.db.tx(async (q) => {
    const row = await updateGateway(q, {
      id: current.id,
      name: change.name ?? null,
      url: change.url ?? null,
      secretEnc: secret ? deps.box.seal(secret) : null,
    });
    await insertAudit(q, {
      orgId: current.orgId,
      actor,
      action: "bot_gateway.updated",
      targetType: "bot_gateway",
      targetId: current.id,
      details: {
        changed: [
          ...(change.name !== undefined ? ["name"] : []),
          ...(change.url !== undefined ? ["url"] : []),
          ...(secret ? ["secret"] : []),
        ],
      },
    });
    return gatewayView(row, generated ?? undefined);
  });
}

export async function deleteGateway(deps: RoomDeps, actor: Actor, gateway: GatewayRow) {
  await deps.db.tx(async (q) => {
    const rooms = await removeGatewayUnlessUsed(q, gateway.id);
    if (rooms > 0) {
      throw new AppError(
        "CONFLICT",
        `${rooms} rooms still use this gateway: delete or move them first`,
        {
          details: [{ code: "GATEWAY_IN_USE", rooms }],
        },
      );
    }
    await insertAudit(q, {
      orgId: gateway.orgId,
      actor,
      action: "bot_gateway.deleted",
      targetType: "bot_gateway",
      targetId: gateway.id,
    });
  });
}

export interface RoomView {
  id: string;
  orgId: string;
  gatewayId: string;
  name: string;
  externalId: string;
  mode: RoomMode;
  createdAt: string;
  updatedAt: string;
}

export function roomView(row: RoomRow): RoomView {
  return {
    id: row.id,
    orgId: row.orgId,
    gatewayId: row.gatewayId,
    name: row.name,
    externalId: row.externalId,
    mode: row.mode,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const duplicateRoom = (err: unknown) =>
  isUniqueViolation(err, "rooms_gateway_external_key")
    ? new AppError("CONFLICT", "the gateway already has a room with this external id", {
        details: [{ path: "/externalId", code: "DUPLICATE_ROOM", message: "already a room" }],
      })
    : err;

/** The gateway, locked for the room being given it, if the room's organization may use it. */
async function usableGateway(q: Queryable, gatewayId: string, orgId: string): Promise<void> {
  const gateway = await findGatewayUsableBy(q, gatewayId, orgId);
  if (!gateway || !(await lockLiveGateway(q, gatewayId))) {
    throw refused([
      {
        path: "/gatewayId",
        code: "GATEWAY_NOT_FOUND",
        message: `gateway ${gatewayId} is not one of the organization's or its ancestors'`,
      },
    ]);
  }
}

export async function createRoom(
  deps: { db: Db },
  actor: Actor,
  input: { orgId: string; name: string; gatewayId: string; externalId: string; mode?: RoomMode },
  inTransaction?: (q: Queryable, view: RoomView) => Promise<void>,
): Promise<RoomView> {
  try {
    return await deps.db.tx(async (q) => {
      await usableGateway(q, input.gatewayId, input.orgId);
      const row = await insertRoom(q, {
        id: newId("room"),
        orgId: input.orgId,
        gatewayId: input.gatewayId,
        name: input.name,
        externalId: input.externalId,
        mode: input.mode ?? "live",
      });
      await insertAudit(q, {
        orgId: input.orgId,
        actor,
        action: "room.created",
        targetType: "room",
        targetId: row.id,
        details: { name: row.name, gatewayId: row.gatewayId, mode: row.mode },
      });
      const view = roomView(row);
      await inTransaction?.(q, view);
      return view;
    });
  } catch (err) {
    throw duplicateRoom(err);
  }
}

/**
 * Changes a room; `orgId` moves it to another organization of the caller's
 * subtree, whose schedules then post to it (and the old one's no longer).
 */
export async function changeRoom(
  deps: { db: Db },
  actor: Actor & { scopePath: string },
  current: RoomRow,
  change: {
    name?: string;
    gatewayId?: string;
    externalId?: string;
    mode?: RoomMode;
    orgId?: string;
  },
): Promise<RoomView> {
  try {
    return await deps.db.tx(async (q) => {
      const orgId = change.orgId ?? current.orgId;
      if (change.orgId !== undefined && change.orgId !== current.orgId) {
        if (!(await findOrgInSubtree(q, change.orgId, actor.scopePath))) {
          throw refused([
            {
              path: "/orgId",
              code: "ORG_NOT_FOUND",
              message: `organization ${change.orgId} is not in the caller's subtree`,
            },
          ]);
        }
      }
      const gatewayId = change.gatewayId ?? current.gatewayId;
      if (gatewayId !== current.gatewayId || orgId !== current.orgId) {
        await usableGateway(q, gatewayId, orgId);
      }
      const row = await updateRoom(q, {
        id: current.id,
        orgId,
        gatewayId,
        name: change.name ?? current.name,
        externalId: change.externalId ?? current.externalId,
        mode: change.mode ?? current.mode,
      });
      await insertAudit(q, {
        orgId: current.orgId,
        actor,
        action: "room.updated",
        targetType: "room",
        targetId: current.id,
        details: {
          changed: Object.keys(change).filter(
            (k) => change[k as keyof typeof change] !== undefined,
          ),
          ...(orgId !== current.orgId ? { movedTo: orgId } : {}),
        },
      });
      return roomView(row);
    });
  } catch (err) {
    throw duplicateRoom(err);
  }
}

export async function deleteRoom(deps: { db: Db }, actor: Actor, room: RoomRow): Promise<void> {
  await deps.db.tx(async (q) => {
    await markRoomDeleted(q, room.id);
    await insertAudit(q, {
      orgId: room.orgId,
      actor,
      action: "room.deleted",
      targetType: "room",
      targetId: room.id,
    });
  });
}

export interface RoomPostView {
  id: string;
  runId: string;
  roomId: string;
  seq: number;
  kind: "text" | "image";
  fileId: string | null;
  status: RoomPostRow["status"];
  slotAt: string | null;
  postedAt: string | null;
  test: boolean;
  held: string;
  charged: string;
  error: { code: string; message: string } | null;
  response: unknown;
  createdAt: string;
}

export function roomPostView(row: RoomPostRow): RoomPostView {
  return {
    id: row.id,
    runId: row.runId,
    roomId: row.roomId,
    seq: row.seq,
    kind: row.kind,
    fileId: row.fileId,
    status: row.status,
    slotAt: row.slotAt?.toISOString() ?? null,
    postedAt: row.postedAt?.toISOString() ?? null,
    test: row.test,
    held: formatCredits(row.priceHeld),
    charged: formatCredits(row.priceCharged),
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? "" } : null,
    response: row.response ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export interface RoomLimitsView {
  orgId: string;
  /** What the organization set itself (null: nothing). */
  own: RoomLimits | null;
  /** What holds for its rooms: the strictest of its own, its ancestors' and the platform's. */
  effective: RoomLimits;
}

/** Sets an organization's own room limits: stricter than the platform's, never looser. */
export async function setRoomLimits(
  deps: { db: Db },
  actor: Actor,
  orgId: string,
  limits: RoomLimits,
): Promise<void> {
  const problems: ErrorDetail[] = [];
  if (limits.minIntervalSeconds < PLATFORM_ROOM_LIMITS.minIntervalSeconds)
    problems.push({
      path: "/minIntervalSeconds",
      code: "LIMIT_TOO_LOOSE",
      message: `minIntervalSeconds may not be below ${PLATFORM_ROOM_LIMITS.minIntervalSeconds}`,
    });
  if (limits.minIntervalSeconds > 86_400)
    problems.push({
      path: "/minIntervalSeconds",
      code: "OUT_OF_RANGE",
      message: "minIntervalSeconds may not be above 86400 (a day)",
    });
  if (limits.dailyLimit > PLATFORM_ROOM_LIMITS.dailyLimit)
    problems.push({
      path: "/dailyLimit",
      code: "LIMIT_TOO_LOOSE",
      message: `dailyLimit may not be above ${PLATFORM_ROOM_LIMITS.dailyLimit}`,
    });
  if (limits.dailyLimit < 1)
    problems.push({
      path: "/dailyLimit",
      code: "OUT_OF_RANGE",
      message: "dailyLimit is at least 1",
    });
  if (problems.length > 0) throw refused(problems);
  await deps.db.tx(async (q) => {
    const before = await findOwnRoomLimits(q, orgId);
    await upsertRoomLimits(q, orgId, limits);
    await insertAudit(q, {
      orgId,
      actor,
      action: "room_limits.set",
      targetType: "org",
      targetId: orgId,
      details: { before, after: limits },
    });
  });
}
