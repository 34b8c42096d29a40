import Type from "typebox";
import type { Db } from "../../db/client.ts";
import { auditActor, type Principal, principalOf } from "../../http/auth.ts";
import { decodeCursor, ListQuery, Page, toPage } from "../../http/pagination.ts";
import { ErrorResponse, errorResponses, IdParams } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import type { Egress } from "../../lib/egress.ts";
import { AppError } from "../../lib/errors.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { idempotencyOf, runIdempotentSteps } from "../idempotency/index.ts";
import { findOrgInSubtree } from "../orgs/index.ts";
import { openFileLink } from "./file-links.ts";
import {
  findEffectiveRoomLimits,
  findFileContentOf,
  findGatewayInSubtree,
  findOwnRoomLimits,
  findRoomInSubtree,
  listGateways,
  listRoomPosts,
  listRooms,
} from "./queries.ts";
import { PLATFORM_ROOM_LIMITS } from "./run.ts";
import {
  CreateGatewayBody,
  CreateRoomBody,
  Gateway,
  Room,
  RoomLimitsAnswer,
  RoomLimitsBody,
  RoomListQuery,
  RoomPost,
  UpdateGatewayBody,
  UpdateRoomBody,
} from "./schemas.ts";
import {
  changeGateway,
  changeRoom,
  createGateway,
  createRoom,
  deleteGateway,
  deleteRoom,
  type GatewayView,
  gatewayView,
  type RoomView,
  roomPostView,
  roomView,
  setRoomLimits,
} from "./service.ts";

export interface RoomRouteDeps {
  db: Db;
  now: () => Date;
  box: SecretBox;
  /** The guard http gateways' URLs must pass. */
  egress: Egress;
}

/** Bot gateways, rooms, their posts and room limits; and the image links gateways fetch. */
export function roomRoutes(app: App, deps: RoomRouteDeps) {
  const { db } = deps;
  const gatewayOf = async (p: Principal, id: string) => {
    const row = await findGatewayInSubtree(db, id, p.orgPath);
    if (!row) throw new AppError("NOT_FOUND", "bot gateway not found");
    return row;
  };
  const roomOf = async (p: Principal, id: string) => {
    const row = await findRoomInSubtree(db, id, p.orgPath);
    if (!row) throw new AppError("NOT_FOUND", "room not found");
    return row;
  };

  app.post(
    "/v1/bot-gateways",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["rooms"],
        summary: "Connect a bot gateway (http: signed POSTs to its url; sandbox: recorded)",
        body: CreateGatewayBody,
        response: { 201: Gateway, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      // A generated secret is in the answer: a replay's stored answer is sealed.
      const scope = {
        orgId: p.orgId,
        idempotency: idempotencyOf(request, "POST /v1/bot-gateways"),
        seal: deps.box,
      };
      const result = await runIdempotentSteps<GatewayView>(db, scope, async (record) => {
        const view = await createGateway(
          deps,
          auditActor(p),
          { orgId: p.orgId, ...request.body },
          (q, created) => record(q, { statusCode: 201, body: created }),
        );
        return { statusCode: 201, body: view };
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/bot-gateways",
    {
      config: { scope: "read" },
      schema: {
        tags: ["rooms"],
        summary: "The organization's bot gateways, newest first",
        querystring: ListQuery,
        response: { 200: Page(Gateway), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listGateways(db, {
        orgId: principalOf(request).orgId,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(
        rows,
        limit,
        (g) => g.id,
        (g) => gatewayView(g),
      );
    },
  );

  app.get(
    "/v1/bot-gateways/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["rooms"],
        summary: "One bot gateway (never its secret)",
        params: IdParams,
        response: { 200: Gateway, ...errorResponses },
      },
    },
    async (request) => gatewayView(await gatewayOf(principalOf(request), request.params.id)),
  );

  app.patch(
    "/v1/bot-gateways/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["rooms"],
        summary: "Rename a gateway, change its url or its secret",
        params: IdParams,
        body: UpdateGatewayBody,
        response: { 200: Gateway, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const current = await gatewayOf(p, request.params.id);
      return changeGateway(deps, auditActor(p), current, request.body);
    },
  );

  app.delete(
    "/v1/bot-gateways/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["rooms"],
        summary: "Remove a gateway no room uses (409 while rooms do)",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await deleteGateway(deps, auditActor(p), await gatewayOf(p, request.params.id));
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/v1/rooms",
    {
      config: { scope: "send" },
      schema: {
        tags: ["rooms"],
        summary: "Add a chat room reachable through a gateway of the organization or an ancestor",
        body: CreateRoomBody,
        response: { 201: Room, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const scope = { orgId: p.orgId, idempotency: idempotencyOf(request, "POST /v1/rooms") };
      const result = await runIdempotentSteps<RoomView>(db, scope, async (record) => ({
        statusCode: 201,
        body: await createRoom(
          deps,
          auditActor(p),
          { orgId: p.orgId, ...request.body },
          (q, view) => record(q, { statusCode: 201, body: view }),
        ),
      }));
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/rooms",
    {
      config: { scope: "read" },
      schema: {
        tags: ["rooms"],
        summary: "The organization's rooms, newest first",
        querystring: RoomListQuery,
        response: { 200: Page(Room), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listRooms(db, {
        orgId: principalOf(request).orgId,
        gatewayId: request.query.gatewayId ?? null,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (r) => r.id, roomView);
    },
  );

  app.get(
    "/v1/rooms/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["rooms"],
        summary: "One room",
        params: IdParams,
        response: { 200: Room, ...errorResponses },
      },
    },
    async (request) => roomView(await roomOf(principalOf(request), request.params.id)),
  );

  app.patch(
    "/v1/rooms/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["rooms"],
        summary:
          "Change a room: name, gateway, external id, mode, or move it to another organization",
        params: IdParams,
        body: UpdateRoomBody,
        response: { 200: Room, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const current = await roomOf(p, request.params.id);
      return changeRoom(deps, { ...auditActor(p), scopePath: p.orgPath }, current, request.body);
    },
  );

  app.delete(
    "/v1/rooms/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["rooms"],
        summary: "Delete a room: it gets nothing more, its posts stay readable to the ledger",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await deleteRoom(deps, auditActor(p), await roomOf(p, request.params.id));
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/v1/rooms/:id/posts",
    {
      config: { scope: "read" },
      schema: {
        tags: ["rooms"],
        summary:
          "A room's posts, newest first, with their status, slot, money and the gateway's answer",
        params: IdParams,
        querystring: ListQuery,
        response: { 200: Page(RoomPost), ...errorResponses },
      },
    },
    async (request) => {
      const room = await roomOf(principalOf(request), request.params.id);
      const limit = request.query.limit ?? 50;
      const rows = await listRoomPosts(db, {
        roomId: room.id,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (r) => r.id, roomPostView);
    },
  );

  const limitsOf = async (orgId: string) => ({
    orgId,
    own: await findOwnRoomLimits(db, orgId),
    effective: await findEffectiveRoomLimits(db, orgId, PLATFORM_ROOM_LIMITS),
  });

  app.get(
    "/v1/orgs/:id/room-limits",
    {
      config: { scope: "read" },
      schema: {
        tags: ["rooms"],
        summary: "An organization's room limits: its own and those that hold for its rooms",
        params: IdParams,
        response: { 200: RoomLimitsAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const org = await findOrgInSubtree(db, request.params.id, principalOf(request).orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      return limitsOf(org.id);
    },
  );

  app.put(
    "/v1/orgs/:id/room-limits",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["rooms"],
        summary:
          "Set stricter room limits for an organization and its subtree (never looser than 1 per 30 s, 50 a day)",
        params: IdParams,
        body: RoomLimitsBody,
        response: { 200: RoomLimitsAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = await findOrgInSubtree(db, request.params.id, p.orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      await setRoomLimits(deps, auditActor(p), org.id, request.body);
      return limitsOf(org.id);
    },
  );

  app.get(
    "/f/:id",
    {
      logLevel: "warn",
      schema: {
        operationId: "getPostImage",
        tags: ["rooms"],
        summary: "A room post's image, for the bot gateway: a sealed link that expires in an hour",
        description:
          "Public, no credentials: the sealed `sig` names the file and its expiry. Expired, altered or for another file → 404.",
        security: [],
        params: IdParams,
        querystring: Type.Object(
          { sig: Type.String({ maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Unknown({ description: "The image's bytes" }), 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const link = openFileLink(deps.box, request.query.sig, deps.now());
      const file =
        link && link.fileId === request.params.id
          ? await findFileContentOf(db, link.fileId, link.orgId)
          : null;
      if (!file) throw new AppError("NOT_FOUND", "file not found");
      return reply
        .header("content-type", file.mime)
        .header("cache-control", "private, max-age=3600")
        .send(file.data);
    },
  );
}
