// Contact groups and their members. 미지정 (the system group) holds the
// contacts in no other group: it is kept by the platform, so it cannot be
// renamed, deleted, or given or taken members by hand.
import Type from "typebox";
import type { Queryable } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { principalOf } from "../../http/auth.ts";
import { errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { idempotencyOf, runIdempotent } from "../idempotency/index.ts";
import {
  addMembers,
  copyMembers,
  deleteGroup,
  findGroup,
  type GroupRow,
  insertGroup,
  listGroups,
  removeMembers,
  renameGroup,
} from "./group-queries.ts";
import { ensureUnassignedGroup } from "./queries.ts";
import { Group, groupView } from "./view.ts";

const MAX_IDS = 10_000;
const ContactIds = Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: MAX_IDS });
const GroupName = Type.String({ minLength: 1, maxLength: 100 });
const Affected = Type.Object({ affected: Type.Integer() });

const Transfer = Type.Union([
  Type.Object(
    { contactIds: ContactIds, toGroupId: Type.String({ maxLength: 100 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { all: Type.Literal(true), toGroupId: Type.String({ maxLength: 100 }) },
    { additionalProperties: false },
  ),
]);

async function groupOf(q: Queryable, orgId: string, id: string): Promise<GroupRow> {
  const group = await findGroup(q, orgId, id);
  if (!group) throw new AppError("NOT_FOUND", "group not found");
  return group;
}

function notSystem(group: GroupRow, what: string, path = "/"): void {
  if (!group.system) return;
  throw new AppError("CONFLICT", `미지정 is kept by the platform: ${what}`, {
    details: [{ path, code: "SYSTEM_GROUP", message: group.id }],
  });
}

export function groupRoutes(app: App, deps: RouteDeps) {
  const { db } = deps;

  app.post(
    "/v1/groups",
    {
      config: { scope: "send" },
      schema: {
        tags: ["contacts"],
        summary: "Create a group (a name in use becomes name(2), name(3), …)",
        body: Type.Object({ name: GroupName }, { additionalProperties: false }),
        response: { 201: Group, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const name = request.body.name.trim();
      if (!name) {
        throw new AppError("VALIDATION_FAILED", "a group needs a name", {
          details: [{ path: "/name", code: "INVALID_VALUE", message: "blank" }],
        });
      }
      const idempotency = idempotencyOf(request, "POST /v1/groups");
      const result = await runIdempotent(db, { orgId: p.orgId, idempotency }, async (q) => {
        await ensureUnassignedGroup(q, p.orgId);
        return { statusCode: 201, body: groupView(await insertGroup(q, p.orgId, name)) };
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/groups",
    {
      config: { scope: "read" },
      schema: {
        tags: ["contacts"],
        summary: "The organization's groups, 미지정 first, with their contact counts",
        response: {
          200: Type.Object({ data: Type.Array(Group), nextCursor: Type.Null() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const orgId = principalOf(request).orgId;
      await ensureUnassignedGroup(db, orgId);
      return { data: (await listGroups(db, orgId)).map(groupView), nextCursor: null };
    },
  );

  app.get(
    "/v1/groups/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["contacts"],
        summary: "One group",
        params: IdParams,
        response: { 200: Group, ...errorResponses },
      },
    },
    async (request) => groupView(await groupOf(db, principalOf(request).orgId, request.params.id)),
  );

  app.patch(
    "/v1/groups/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["contacts"],
        summary: "Rename a group",
        params: IdParams,
        body: Type.Object({ name: GroupName }, { additionalProperties: false }),
        response: { 200: Group, ...errorResponses },
      },
    },
    async (request) => {
      const orgId = principalOf(request).orgId;
      const group = await groupOf(db, orgId, request.params.id);
      notSystem(group, "it cannot be renamed", "/name");
      try {
        await renameGroup(db, group.id, request.body.name.trim());
      } catch (err) {
        if (!isUniqueViolation(err, "contact_groups_org_name_key")) throw err;
        throw new AppError("CONFLICT", `a group named ${request.body.name} exists`, {
          details: [{ path: "/name", code: "GROUP_NAME_TAKEN" }],
        });
      }
      return groupView(await groupOf(db, orgId, group.id));
    },
  );

  app.delete(
    "/v1/groups/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["contacts"],
        summary: "Delete a group; its contacts in no other group go to 미지정",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const group = await groupOf(db, principalOf(request).orgId, request.params.id);
      notSystem(group, "it cannot be deleted");
      await deleteGroup(db, group.id);
      return reply.status(204).send(null);
    },
  );

  const members = (path: string, summary: string, body: Type.TSchema) => ({
    config: { scope: "send" as const },
    schema: {
      tags: ["contacts"],
      summary,
      params: IdParams,
      body,
      response: { 200: Affected, ...errorResponses },
    },
    path,
  });

  const addRoute = members(
    "/v1/groups/:id/members",
    "Add contacts to a group (up to 10,000 ids)",
    Type.Object({ contactIds: ContactIds }, { additionalProperties: false }),
  );
  app.post(addRoute.path, addRoute, async (request) => {
    const orgId = principalOf(request).orgId;
    const { contactIds } = request.body as { contactIds: string[] };
    return db.tx(async (q) => {
      const group = await groupOf(q, orgId, (request.params as { id: string }).id);
      notSystem(group, "contacts go there by leaving their last group");
      return { affected: await addMembers(q, orgId, group.id, contactIds) };
    });
  });

  const removeRoute = members(
    "/v1/groups/:id/members/remove",
    "Take contacts out of a group; those left in no group go to 미지정",
    Type.Object({ contactIds: ContactIds }, { additionalProperties: false }),
  );
  app.post(removeRoute.path, removeRoute, async (request) => {
    const orgId = principalOf(request).orgId;
    const { contactIds } = request.body as { contactIds: string[] };
    return db.tx(async (q) => {
      const group = await groupOf(q, orgId, (request.params as { id: string }).id);
      notSystem(group, "its contacts leave it by joining another group");
      return { affected: await removeMembers(q, group.id, contactIds) };
    });
  });

  for (const move of [false, true]) {
    const route = members(
      `/v1/groups/:id/members/${move ? "move" : "copy"}`,
      move
        ? "Move members (some, or all) to another group"
        : "Copy members (some, or all) to another group",
      Transfer,
    );
    app.post(route.path, route, async (request) => {
      const orgId = principalOf(request).orgId;
      const body = request.body as { toGroupId: string } & (
        | { contactIds: string[] }
        | { all: true }
      );
      return db.tx(async (q) => {
        const from = await groupOf(q, orgId, (request.params as { id: string }).id);
        const to = await findGroup(q, orgId, body.toGroupId);
        if (!to) {
          throw new AppError("VALIDATION_FAILED", "no such group", {
            details: [{ path: "/toGroupId", code: "GROUP_NOT_FOUND", message: body.toGroupId }],
          });
        }
        notSystem(to, "contacts go there by leaving their last group", "/toGroupId");
        if (to.id === from.id) {
          throw new AppError("VALIDATION_FAILED", "the contacts are in that group already", {
            details: [{ path: "/toGroupId", code: "SAME_GROUP" }],
          });
        }
        const affected = await copyMembers(q, {
          fromGroupId: from.id,
          toGroupId: to.id,
          members: "all" in body ? { all: true } : { contactIds: body.contactIds },
          move,
        });
        return { affected };
      });
    });
  }
}
