import Type from "typebox";
import { formatKoreanNumber } from "../../domain/phone.ts";
import { principalOf } from "../../http/auth.ts";
import { errorResponses, IdParams, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findSenderInSubtree, listSenders, type SenderRow } from "./queries.ts";
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
      const sender = await registerSender(deps.db, {
        orgId: p.orgId,
        number: request.body.number,
        // The operator's own numbers need no one else's verification.
        verified: p.orgKind === "platform",
      });
      return reply.status(201).send(senderView(sender));
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
