import Type from "typebox";
import { ORG_KINDS, ORG_STATUSES } from "../../domain/vocabulary.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { holdQueuedMessages, releaseQueuedMessages } from "../messages/index.ts";
import { findOrgInSubtree, listOrgs } from "./queries.ts";
import { changeOrg, createChildOrg } from "./service.ts";
import { Org, orgView } from "./view.ts";

export function orgRoutes(app: App, deps: RouteDeps) {
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

  app.post(
    "/v1/orgs",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["organizations"],
        summary: "Create a child organization (of the caller's, or of parentId in its subtree)",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            kind: Type.Enum(ORG_KINDS.filter((k) => k !== "platform")),
            parentId: Type.Optional(Type.String({ maxLength: 100 })),
            timeZone: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Org, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { name, kind, parentId, timeZone } = request.body;
      const parent = parentId ? await findOrgInSubtree(deps.db, parentId, p.orgPath) : null;
      if (parentId && !parent) throw new AppError("NOT_FOUND", "parent organization not found");
      const org = await createChildOrg(deps.db, {
        name,
        kind,
        parentId: parent?.id ?? p.orgId,
        timezone: timeZone,
      });
      return reply.status(201).send(orgView(org));
    },
  );

  app.patch(
    "/v1/orgs/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["organizations"],
        summary: "Rename, move to another time zone, suspend or reactivate an organization",
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            timeZone: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(Type.Enum([...ORG_STATUSES])),
            rateLimit: Type.Optional(
              Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()], {
                description:
                  "Requests a second per key and user; set by a parent, null: the server's default",
              }),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Org, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = await findOrgInSubtree(deps.db, request.params.id, p.orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      const { name, timeZone, status, rateLimit } = request.body;
      if (rateLimit !== undefined && org.id === p.orgId) {
        throw new AppError("FORBIDDEN", "an organization's rate limit is set by its parent", {
          details: [
            { path: "/rateLimit", code: "SET_BY_PARENT", message: "ask your parent organization" },
          ],
        });
      }
      // Its parent suspends an organization; only its owner may suspend its own.
      if (status !== undefined && org.id === p.orgId && p.role !== "owner") {
        throw new AppError(
          "FORBIDDEN",
          "only an owner may suspend or reactivate its own organization",
        );
      }
      if (org.kind === "platform" && status === "suspended") {
        throw new AppError("FORBIDDEN", "the platform is not suspended");
      }
      const changed = await deps.db.tx(async (q) => {
        const updated = await changeOrg(q, org.id, { name, timezone: timeZone, status, rateLimit });
        if (status === "suspended" && org.status !== "suspended") {
          await holdQueuedMessages(q, org.path);
        } else if (status === "active" && org.status === "suspended") {
          await releaseQueuedMessages(q, org.path, deps.now());
        }
        return updated;
      });
      if (status === "active") deps.onQueued();
      return orgView(changed!);
    },
  );
}
