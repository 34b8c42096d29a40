import Type from "typebox";
import { BUTTON_TYPES } from "../../domain/template.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, ListQuery, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { idempotencyOf, runIdempotent } from "../idempotency/index.ts";
import { findTemplateByCode, listTemplates, type TemplateRow } from "./queries.ts";
import { createTemplate } from "./service.ts";

const strict = { additionalProperties: false } as const;

const Button = Type.Object(
  {
    type: Type.Enum([...BUTTON_TYPES]),
    name: Type.String({ maxLength: 100 }),
    linkMobile: Type.Optional(Type.String({ maxLength: 1000 })),
    linkPc: Type.Optional(Type.String({ maxLength: 1000 })),
    schemeAndroid: Type.Optional(Type.String({ maxLength: 1000 })),
    schemeIos: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  strict,
);

const TemplateBody = Type.Object(
  {
    code: Type.String({ maxLength: 100 }),
    body: Type.String({ maxLength: 5000 }),
    buttons: Type.Optional(Type.Array(Button, { maxItems: 20 })),
    fallback: Type.Optional(
      Type.Object(
        {
          text: Type.Optional(Type.String({ maxLength: 10_000 })),
          subject: Type.Optional(Type.String({ maxLength: 200 })),
        },
        strict,
      ),
    ),
  },
  strict,
);

const Template = Type.Object({
  id: Type.String(),
  code: Type.String(),
  body: Type.String(),
  buttons: Type.Array(Button),
  variables: Type.Array(Type.String()),
  fallback: Nullable(
    Type.Object({ text: Nullable(Type.String()), subject: Nullable(Type.String()) }),
  ),
  status: Type.Enum(["requested", "inspecting", "approved", "rejected"]),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

const templateView = (t: TemplateRow) => ({
  id: t.id,
  code: t.code,
  body: t.body,
  buttons: t.buttons,
  variables: t.variables,
  fallback:
    t.fallbackText === null && t.fallbackSubject === null
      ? null
      : { text: t.fallbackText, subject: t.fallbackSubject },
  status: t.status,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export function templateRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/templates",
    {
      config: { scope: "send" },
      schema: {
        tags: ["templates"],
        summary: "Register an Alimtalk template",
        body: TemplateBody,
        response: { 201: Template, ...errorResponses },
      },
    },
    async (request, reply) => {
      const orgId = principalOf(request).orgId;
      const idempotency = idempotencyOf(request, "POST /v1/templates");
      const result = await runIdempotent(deps.db, { orgId, idempotency }, async (q) => ({
        statusCode: 201,
        body: templateView(await createTemplate(q, orgId, request.body)),
      }));
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/templates",
    {
      config: { scope: "read" },
      schema: {
        tags: ["templates"],
        summary: "The organization's templates, by code",
        querystring: ListQuery,
        response: { 200: Page(Template), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listTemplates(deps.db, {
        orgId: principalOf(request).orgId,
        after: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (t) => t.code, templateView);
    },
  );

  app.get(
    "/v1/templates/:code",
    {
      config: { scope: "read" },
      schema: {
        tags: ["templates"],
        summary: "One template",
        params: Type.Object({ code: Type.String({ maxLength: 100 }) }, strict),
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      const t = await findTemplateByCode(deps.db, principalOf(request).orgId, request.params.code);
      if (!t) throw new AppError("NOT_FOUND", "template not found");
      return templateView(t);
    },
  );
}
