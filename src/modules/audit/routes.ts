import Type from "typebox";
import type { Db } from "../../db/client.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import { listAudit } from "./queries.ts";

const Entry = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  actor: Type.Object({
    orgId: Type.String({ description: "The caller's own organization (with X-Alimi-Org too)" }),
    keyId: Nullable(Type.String()),
    userId: Nullable(Type.String()),
  }),
  action: Type.String(),
  target: Type.Object({ type: Type.String(), id: Type.String() }),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: IsoTime,
});

export function auditRoutes(app: App, deps: { db: Db }) {
  app.get(
    "/v1/audit",
    {
      config: { scope: "read" },
      schema: {
        tags: ["audit"],
        summary: "Who changed what in the caller's subtree, newest first",
        querystring: Type.Object(
          {
            targetId: Type.Optional(Type.String({ maxLength: 100 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Entry), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listAudit(deps.db, {
        scopePath: principalOf(request).orgPath,
        targetId: request.query.targetId ?? null,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(
        rows,
        limit,
        (e) => e.id,
        (e) => ({
          id: e.id,
          orgId: e.orgId,
          actor: { orgId: e.actorOrgId, keyId: e.actorKeyId, userId: e.actorUserId },
          action: e.action,
          target: { type: e.targetType, id: e.targetId },
          details: e.details,
          createdAt: e.createdAt.toISOString(),
        }),
      );
    },
  );
}
