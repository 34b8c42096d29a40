import Type from "typebox";
import type { Db } from "../../db/client.ts";
import { ORG_KINDS } from "../../domain/vocabulary.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findOrgInSubtree, listOrgs } from "./queries.ts";
import { Org, orgView } from "./view.ts";

export function orgRoutes(app: App, deps: { db: Db }) {
  app.get(
    "/v1/orgs",
    {
      config: { scope: "read" },
      schema: {
        tags: ["organizations"],
        summary: "Search and page the organizations of the caller's subtree",
        querystring: Type.Object(
          {
            search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            kind: Type.Optional(Type.Enum([...ORG_KINDS])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Org), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listOrgs(deps.db, {
        scopePath: principalOf(request).orgPath,
        search: request.query.search ?? null,
        kind: request.query.kind ?? null,
        after: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (o) => o.id, orgView);
    },
  );

  app.get(
    "/v1/orgs/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["organizations"],
        summary: "One organization of the caller's subtree",
        params: IdParams,
        response: { 200: Org, ...errorResponses },
      },
    },
    async (request) => {
      const org = await findOrgInSubtree(deps.db, request.params.id, principalOf(request).orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      return orgView(org);
    },
  );
}
