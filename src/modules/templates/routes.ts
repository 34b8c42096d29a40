// Alimtalk templates: written as drafts, previewed, reviewed (by the
// organization's Alimtalk vendor where it has a template API, else by the
// platform operator), then sent once approved and never changed again.
import Type from "typebox";
import { REVIEW_STALE_MS } from "../../domain/template-review.ts";
import { TEMPLATE_STATUSES } from "../../domain/vocabulary.ts";
import { auditActor, type Principal, principalOf } from "../../http/auth.ts";
import { decodeCursor, ListQuery, Page, toPage } from "../../http/pagination.ts";
import { errorResponses } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import type { TemplateReviewer } from "../../vendors/template-review.ts";
import type { VendorName } from "../../vendors/vendor.ts";
import { idempotencyOf, runIdempotent } from "../idempotency/index.ts";
import { findOrg } from "../orgs/index.ts";
import type { VendorDirectory } from "../vendor-accounts/index.ts";
import { previewTemplate } from "./preview.ts";
import {
  findTemplateByCode,
  listComments,
  listOperatorReviews,
  listTemplates,
  type TemplateRow,
} from "./queries.ts";
import {
  approveTemplate,
  type ReviewDeps,
  refreshReview,
  rejectTemplate,
  requestReview,
} from "./review.ts";
import { createTemplate, deleteTemplate, updateTemplate } from "./service.ts";
import {
  Button,
  Comment,
  commentView,
  FallbackInput,
  Preview,
  Template,
  templateView,
} from "./view.ts";

const strict = { additionalProperties: false } as const;

const TemplateBody = Type.Object(
  {
    code: Type.String({ maxLength: 100 }),
    body: Type.String({ maxLength: 5000 }),
    buttons: Type.Optional(Type.Array(Button, { maxItems: 20 })),
    fallback: Type.Optional(FallbackInput),
  },
  strict,
);

const CodeParams = Type.Object({ code: Type.String({ maxLength: 100 }) }, strict);

export interface TemplateRouteDeps extends RouteDeps {
  directory: VendorDirectory;
  reviewers: Partial<Record<VendorName, TemplateReviewer>>;
}

/** Whether the caller's own organization (not the one it acts for) is the platform. */
async function callerIsPlatform(deps: RouteDeps, p: Principal): Promise<boolean> {
  if (p.callerOrgId === undefined) return p.orgKind === "platform";
  return (await findOrg(deps.db, p.callerOrgId))?.kind === "platform";
}

export function templateRoutes(app: App, deps: TemplateRouteDeps) {
  const review: ReviewDeps = {
    db: deps.db,
    directory: deps.directory,
    reviewers: deps.reviewers,
    now: deps.now,
  };
  const mustFind = async (orgId: string, code: string): Promise<TemplateRow> => {
    const t = await findTemplateByCode(deps.db, orgId, code);
    if (!t) throw new AppError("NOT_FOUND", "template not found");
    return t;
  };

  app.post(
    "/v1/templates",
    {
      config: { scope: "send" },
      schema: {
        tags: ["templates"],
        summary: "Register an Alimtalk template (a draft: request its review to send it)",
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
        querystring: Type.Object(
          { ...ListQuery.properties, status: Type.Optional(Type.Enum([...TEMPLATE_STATUSES])) },
          strict,
        ),
        response: { 200: Page(Template), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listTemplates(deps.db, {
        orgId: principalOf(request).orgId,
        status: request.query.status ?? null,
        after: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (t) => t.code, templateView);
    },
  );

  app.get(
    "/v1/template-reviews",
    {
      config: { scope: "read" },
      schema: {
        tags: ["templates"],
        summary:
          "The templates awaiting the platform operator's decision, in every organization (platform operator only)",
        querystring: ListQuery,
        response: { 200: Page(Template), ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (!(await callerIsPlatform(deps, p))) {
        throw new AppError("FORBIDDEN", "the review queue is the platform operator's");
      }
      const limit = request.query.limit ?? 50;
      const rows = await listOperatorReviews(deps.db, {
        scopePath: p.orgPath,
        after: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (t) => t.id, templateView);
    },
  );

  app.get(
    "/v1/templates/:code",
    {
      config: { scope: "read" },
      schema: {
        tags: ["templates"],
        summary: "One template (a vendor's review is asked again when its last answer is stale)",
        params: CodeParams,
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      let t = await mustFind(principalOf(request).orgId, request.params.code);
      const checked = t.reviewCheckedAt?.getTime() ?? 0;
      if (
        t.reviewAccountId !== null &&
        (t.status === "requested" || t.status === "inspecting") &&
        deps.now().getTime() - checked > REVIEW_STALE_MS
      ) {
        try {
          t = await refreshReview(review, t);
        } catch (err) {
          // The stored answer is still an answer; the poller asks again.
          request.log.warn({ err, templateId: t.id }, "template review refresh failed");
        }
      }
      return templateView(t);
    },
  );

  app.patch(
    "/v1/templates/:code",
    {
      config: { scope: "send" },
      schema: {
        tags: ["templates"],
        summary:
          "Change a draft or a rejected template (409 TEMPLATE_LOCKED once approved or under review)",
        params: CodeParams,
        body: Type.Object(
          {
            body: Type.Optional(Type.String({ maxLength: 5000 })),
            buttons: Type.Optional(Type.Array(Button, { maxItems: 20 })),
            fallback: Type.Optional(Type.Union([FallbackInput, Type.Null()])),
          },
          { ...strict, minProperties: 1 },
        ),
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return templateView(
        await updateTemplate(deps.db, {
          orgId: p.orgId,
          code: request.params.code,
          change: request.body,
          actor: auditActor(p),
          now: deps.now(),
        }),
      );
    },
  );

  app.delete(
    "/v1/templates/:code",
    {
      config: { scope: "send" },
      schema: {
        tags: ["templates"],
        summary: "Delete a draft or a rejected template (409 TEMPLATE_LOCKED otherwise)",
        params: CodeParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await deleteTemplate(deps.db, {
        orgId: p.orgId,
        code: request.params.code,
        actor: auditActor(p),
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/v1/templates/:code/preview",
    {
      config: { scope: "read" },
      schema: {
        tags: ["templates"],
        summary:
          "The template as one recipient would get it: texts and links filled in, its fallback and its price",
        params: CodeParams,
        body: Type.Object(
          {
            contactId: Type.Optional(
              Type.String({ maxLength: 100, description: "Its #{name} and attributes" }),
            ),
            variables: Type.Optional(
              Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 1000 }), {
                maxProperties: 100,
                description: "Win over the contact's",
              }),
            ),
          },
          strict,
        ),
        response: { 200: Preview, ...errorResponses },
      },
    },
    async (request) => {
      const orgId = principalOf(request).orgId;
      const template = await mustFind(orgId, request.params.code);
      return previewTemplate(deps.db, { orgId, template, input: request.body ?? {} });
    },
  );

  app.post(
    "/v1/templates/:code/request-review",
    {
      config: { scope: "send" },
      schema: {
        tags: ["templates"],
        summary:
          "Send a draft or a rejected template for review: to the Alimtalk vendor's template API, or to the platform operator",
        params: CodeParams,
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return templateView(
        await requestReview(review, {
          orgId: p.orgId,
          code: request.params.code,
          actor: auditActor(p),
        }),
      );
    },
  );

  app.post(
    "/v1/templates/:code/approve",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["templates"],
        summary: "Approve a template under the operator's review (platform operator only)",
        params: CodeParams,
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return templateView(
        await approveTemplate(review, {
          orgId: p.orgId,
          code: request.params.code,
          actor: auditActor(p),
          byPlatform: await callerIsPlatform(deps, p),
        }),
      );
    },
  );

  app.post(
    "/v1/templates/:code/reject",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["templates"],
        summary:
          "Reject a template under the operator's review, saying why (platform operator only)",
        params: CodeParams,
        body: Type.Object({ comment: Type.String({ minLength: 1, maxLength: 2000 }) }, strict),
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const comment = request.body.comment.trim();
      if (comment === "") {
        throw new AppError("VALIDATION_FAILED", "say why the template is rejected", {
          details: [{ path: "/comment", code: "REQUIRED", message: "must not be blank" }],
        });
      }
      return templateView(
        await rejectTemplate(review, {
          orgId: p.orgId,
          code: request.params.code,
          actor: auditActor(p),
          byPlatform: await callerIsPlatform(deps, p),
          comment,
        }),
      );
    },
  );

  app.get(
    "/v1/templates/:code/comments",
    {
      config: { scope: "read" },
      schema: {
        tags: ["templates"],
        summary: "The reviewers' comments: the vendor's inspection, or the operator's reason",
        params: CodeParams,
        querystring: ListQuery,
        response: { 200: Page(Comment), ...errorResponses },
      },
    },
    async (request) => {
      const orgId = principalOf(request).orgId;
      const t = await mustFind(orgId, request.params.code);
      const limit = request.query.limit ?? 50;
      const rows = await listComments(deps.db, {
        orgId,
        templateId: t.id,
        after: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (c) => c.id, commentView);
    },
  );
}
