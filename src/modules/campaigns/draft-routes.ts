import { principalOf } from "../../http/auth.ts";
import { ErrorResponse, errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { idempotencyOf } from "../idempotency/index.ts";
import type { LinkTracking } from "../links/index.ts";
import { addDraftRecipients, createDraft, discardDraft, launchDraft } from "./drafts.ts";
import {
  Campaign,
  DraftBody,
  DraftPartResponse,
  DraftRecipientsBody,
  LaunchBody,
} from "./schemas.ts";

/** Large enough for a part of 100,000 recipients with names and variables. */
const PART_BODY_LIMIT = 64 * 1024 * 1024;

export function draftRoutes(app: App, deps: RouteDeps & { links: LinkTracking }) {
  app.post(
    "/v1/campaigns",
    {
      config: { scope: "send" },
      schema: {
        tags: ["campaigns"],
        summary: "Create a campaign draft: its content now, its recipients in parts",
        body: DraftBody,
        response: { 201: Campaign, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await createDraft(deps.db, {
        orgId: principal.orgId,
        scopePath: principal.orgPath,
        input: request.body,
        now: deps.now(),
        idempotency: idempotencyOf(request, "POST /v1/campaigns"),
        links: deps.links,
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.post(
    "/v1/campaigns/:id/recipients",
    {
      bodyLimit: PART_BODY_LIMIT,
      config: { scope: "send" },
      schema: {
        tags: ["campaigns"],
        summary: "Add up to 100,000 recipients to a draft, holding their price",
        params: IdParams,
        body: DraftRecipientsBody,
        response: {
          201: DraftPartResponse,
          402: ErrorResponse,
          413: ErrorResponse,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const result = await addDraftRecipients(deps.db, {
        id,
        scopePath: principalOf(request).orgPath,
        recipients: request.body.recipients,
        now: deps.now(),
        idempotency: idempotencyOf(request, `POST /v1/campaigns/${id}/recipients`),
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.post(
    "/v1/campaigns/:id/launch",
    {
      config: { scope: "send" },
      schema: {
        tags: ["campaigns"],
        summary: "Send a draft (now, or at its sendAt)",
        params: IdParams,
        body: LaunchBody,
        response: { 200: Campaign, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await launchDraft(deps.db, {
        id: request.params.id,
        scopePath: principalOf(request).orgPath,
        sendAt: request.body?.sendAt,
        now: deps.now(),
      });
      deps.onLaunched(campaign.id);
      return campaign;
    },
  );

  app.delete(
    "/v1/campaigns/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["campaigns"],
        summary: "Discard a draft that was not launched, releasing what its parts hold",
        params: IdParams,
        response: { 200: Campaign, ...errorResponses },
      },
    },
    async (request) =>
      discardDraft(deps.db, {
        id: request.params.id,
        scopePath: principalOf(request).orgPath,
        now: deps.now(),
      }),
  );
}
