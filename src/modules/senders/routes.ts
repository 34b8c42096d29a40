import Type from "typebox";
import { formatKoreanNumber } from "../../domain/phone.ts";
import { principalOf } from "../../http/auth.ts";
import { errorResponses, IdParams, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { idempotencyOf, runIdempotent } from "../idempotency/index.ts";
import {
  findKakaoChannelInSubtree,
  findSenderInSubtree,
  type KakaoChannelRow,
  listKakaoChannels,
  listSenders,
  type SenderRow,
} from "./queries.ts";
import {
  markKakaoChannelVerified,
  markSenderVerified,
  registerKakaoChannel,
  registerSender,
} from "./service.ts";

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
  status: Type.Enum(["pending", "verified"]),
  isDefault: Type.Boolean(),
  createdAt: IsoTime,
  verifiedAt: Nullable(IsoTime),
});

const channelView = (c: KakaoChannelRow) => ({
  id: c.id,
  name: c.name,
  senderKey: c.senderKey,
  pfId: c.pfId,
  status: c.status,
  isDefault: c.isDefault,
  createdAt: c.createdAt.toISOString(),
  verifiedAt: c.verifiedAt?.toISOString() ?? null,
});

/**
 * KakaoTalk channels (Alimtalk sender profiles). Registering one here does
 * not register it with Kakao: the vendor does that; this records which
 * channel the organization's Alimtalk goes out under. A channel sends only
 * once the platform operator has verified that it is the organization's
 * (none of the vendors' documented APIs lets us check who owns a sender key),
 * and a sender key or pfId belongs to one organization on the platform.
 */
export function kakaoChannelRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/kakao-channels",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["senders"],
        summary:
          "Register a KakaoTalk channel (sender key for NHN/Aligo, pfId for SOLAPI), pending until verified",
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
      const p = principalOf(request);
      const { name, senderKey, pfId } = request.body;
      const idempotency = idempotencyOf(request, "POST /v1/kakao-channels");
      const result = await runIdempotent(deps.db, { orgId: p.orgId, idempotency }, async (q) => {
        const row = await registerKakaoChannel(q, {
          orgId: p.orgId,
          name,
          senderKey: senderKey ?? null,
          pfId: pfId ?? null,
          verified: p.orgKind === "platform",
        });
        return { statusCode: 201, body: channelView(row) };
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.post(
    "/v1/kakao-channels/:id/verify",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["senders"],
        summary: "Verify a KakaoTalk channel (platform operator only)",
        params: IdParams,
        response: { 200: KakaoChannel, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const found = await findKakaoChannelInSubtree(deps.db, request.params.id, p.orgPath);
      if (!found) throw new AppError("NOT_FOUND", "KakaoTalk channel not found");
      if (p.orgKind !== "platform") {
        throw new AppError("FORBIDDEN", "only the platform operator verifies KakaoTalk channels");
      }
      return channelView(await markKakaoChannelVerified(deps.db, found.id));
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
