import Type from "typebox";
import { formatKoreanNumber } from "../../domain/phone.ts";
import { principalOf } from "../../http/auth.ts";
import { errorResponses, IdParams, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { idempotencyOf, runIdempotent } from "../idempotency/index.ts";
import {
  findSenderInSubtree,
  insertKakaoChannel,
  type KakaoChannelRow,
  listKakaoChannels,
  listSenders,
  type SenderRow,
} from "./queries.ts";
import { markSenderVerified, registerSender } from "./service.ts";

const Sender = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: Type.Enum(["pending", "verified"]),
  isDefault: Type.Boolean(),
  createdAt: IsoTime,
  verifiedAt: Nullable(IsoTime),
});

const senderView = (s: SenderRow) => ({
  id: s.id,
  number: formatKoreanNumber(s.number),
  status: s.status,
  isDefault: s.isDefault,
  createdAt: s.createdAt.toISOString(),
  verifiedAt: s.verifiedAt?.toISOString() ?? null,
});

export function senderRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/senders",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["senders"],
        summary: "Register a caller number (verified by the platform operator)",
        body: Type.Object(
          { number: Type.String({ minLength: 1, maxLength: 30 }) },
          { additionalProperties: false },
        ),
        response: { 201: Sender, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const idempotency = idempotencyOf(request, "POST /v1/senders");
      const result = await runIdempotent(deps.db, { orgId: p.orgId, idempotency }, async (q) => {
        const sender = await registerSender(q, {
          orgId: p.orgId,
          number: request.body.number,
          // The operator's own numbers need no one else's verification.
          verified: p.orgKind === "platform",
        });
        return { statusCode: 201, body: senderView(sender) };
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/senders",
    {
      config: { scope: "read" },
      schema: {
        tags: ["senders"],
        summary: "The organization's caller numbers",
        response: { 200: Type.Object({ data: Type.Array(Sender), nextCursor: Type.Null() }) },
      },
    },
    async (request) => ({
      data: (await listSenders(deps.db, principalOf(request).orgId)).map(senderView),
      nextCursor: null,
    }),
  );

  app.post(
    "/v1/senders/:id/verify",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["senders"],
        summary: "Verify a caller number (platform operator only)",
        params: IdParams,
        response: { 200: Sender, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const found = await findSenderInSubtree(deps.db, request.params.id, p.orgPath);
      if (!found) throw new AppError("NOT_FOUND", "sender not found");
      if (p.orgKind !== "platform") {
        throw new AppError("FORBIDDEN", "only the platform operator verifies caller numbers");
      }
      return senderView(await markSenderVerified(deps.db, found.id));
    },
  );
}

const KakaoChannel = Type.Object({
  id: Type.String(),
  name: Type.String(),
  senderKey: Nullable(Type.String()),
  pfId: Nullable(Type.String()),
  isDefault: Type.Boolean(),
  createdAt: IsoTime,
});

const channelView = (c: KakaoChannelRow) => ({
  id: c.id,
  name: c.name,
  senderKey: c.senderKey,
  pfId: c.pfId,
  isDefault: c.isDefault,
  createdAt: c.createdAt.toISOString(),
});

/**
 * KakaoTalk channels (Alimtalk sender profiles). Registering one here does
 * not register it with Kakao: the vendor does that; this records which
 * channel the organization's Alimtalk goes out under.
 */
export function kakaoChannelRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/kakao-channels",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["senders"],
        summary: "Register a KakaoTalk channel (sender key for NHN/Aligo, pfId for SOLAPI)",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            senderKey: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            pfId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: KakaoChannel, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name, senderKey, pfId } = request.body;
      if (!senderKey && !pfId) {
        throw new AppError("VALIDATION_FAILED", "give the channel's senderKey, its pfId, or both", {
          details: [
            { path: "/senderKey", code: "REQUIRED", message: "senderKey or pfId is required" },
          ],
        });
      }
      const orgId = principalOf(request).orgId;
      const idempotency = idempotencyOf(request, "POST /v1/kakao-channels");
      const result = await runIdempotent(deps.db, { orgId, idempotency }, async (q) => {
        const row = await insertKakaoChannel(q, {
          id: newId("kch"),
          orgId,
          name,
          senderKey: senderKey ?? null,
          pfId: pfId ?? null,
        });
        return { statusCode: 201, body: channelView(row) };
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/kakao-channels",
    {
      config: { scope: "read" },
      schema: {
        tags: ["senders"],
        summary: "The organization's KakaoTalk channels",
        response: { 200: Type.Object({ data: Type.Array(KakaoChannel), nextCursor: Type.Null() }) },
      },
    },
    async (request) => ({
      data: (await listKakaoChannels(deps.db, principalOf(request).orgId)).map(channelView),
      nextCursor: null,
    }),
  );
}
