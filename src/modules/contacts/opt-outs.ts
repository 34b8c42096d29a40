// Numbers that asked an organization to stop: advertising only, or
// everything (scope "all"). Kept apart from contacts, so an opt-out holds for
// a number that is not (or no longer) a contact.
import Type from "typebox";
import type { Queryable } from "../../db/client.ts";
import { principalOf } from "../../http/auth.ts";
import { Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { phoneOf } from "./service.ts";

type Scope = "advertising" | "all";

interface OptOutRow {
  phone: string;
  scope: Scope;
  source: string | null;
  createdAt: Date;
}

const OptOut = Type.Object({
  phone: Type.String({ description: "E.164" }),
  scope: Type.Enum(["advertising", "all"]),
  source: Nullable(Type.String()),
  createdAt: IsoTime,
});

const view = (o: OptOutRow) => ({ ...o, createdAt: o.createdAt.toISOString() });

/** The opt-outs among these numbers (E.164), by number. */
export async function findOptOuts(
  q: Queryable,
  orgId: string,
  phones: string[],
): Promise<Map<string, Scope>> {
  if (phones.length === 0) return new Map();
  const r = await q.query<{ phone: string; scope: Scope }>(
    "select phone, scope from opt_outs where org_id = $1 and phone = any($2::text[])",
    [orgId, phones],
  );
  return new Map(r.rows.map((row) => [row.phone, row.scope]));
}

export function optOutRoutes(app: App, deps: RouteDeps) {
  const { db } = deps;

  app.post(
    "/v1/opt-outs",
    {
      config: { scope: "send" },
      schema: {
        tags: ["contacts"],
        summary: "Record that a number wants no advertising (or, with scope all, nothing)",
        body: Type.Object(
          {
            phone: Type.String({ minLength: 1, maxLength: 30 }),
            scope: Type.Optional(Type.Enum(["advertising", "all"])),
            source: Type.Optional(Type.String({ maxLength: 200, examples: ["080 수신거부"] })),
          },
          { additionalProperties: false },
        ),
        response: { 201: OptOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const phone = phoneOf(request.body.phone, "/phone");
      // Asked again, the latest scope and source hold (a second ask may widen it to "all").
      const r = await db.query<OptOutRow>(
        `insert into opt_outs (org_id, phone, scope, source) values ($1, $2, $3, $4)
         on conflict (org_id, phone) do update set scope = excluded.scope,
           source = coalesce(excluded.source, opt_outs.source)
         returning phone, scope, source, created_at as "createdAt"`,
        [p.orgId, phone, request.body.scope ?? "advertising", request.body.source ?? null],
      );
      return reply.status(201).send(view(r.rows[0]!));
    },
  );

  app.get(
    "/v1/opt-outs",
    {
      config: { scope: "read" },
      schema: {
        tags: ["contacts"],
        summary: "The organization's opt-outs, by number",
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(OptOut), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const cursor = request.query.cursor;
      const after = cursor ? Buffer.from(cursor, "base64url").toString("utf8") : null;
      const r = await db.query<OptOutRow>(
        `select phone, scope, source, created_at as "createdAt" from opt_outs
         where org_id = $1 and ($2::text is null or phone > $2) order by phone limit $3`,
        [principalOf(request).orgId, after, limit + 1],
      );
      return toPage(r.rows, limit, (o) => o.phone, view);
    },
  );

  app.delete(
    "/v1/opt-outs/:phone",
    {
      config: { scope: "send" },
      schema: {
        tags: ["contacts"],
        summary: "Withdraw a number's opt-out",
        params: Type.Object(
          { phone: Type.String({ maxLength: 30 }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const phone = phoneOf(request.params.phone, "/phone");
      const r = await db.query("delete from opt_outs where org_id = $1 and phone = $2", [
        principalOf(request).orgId,
        phone,
      ]);
      if (r.affectedRows === 0) throw new AppError("NOT_FOUND", "no opt-out for that number");
      return reply.status(204).send(null);
    },
  );
}
