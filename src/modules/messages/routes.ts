import { principalOf } from "../../http/auth.ts";
import { ErrorResponse, errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findMessageInSubtree, Message, messageView, renderContents } from "../campaigns/index.ts";
import { idempotencyOf } from "../idempotency/index.ts";
import { findMessageClicks, type LinkTracking } from "../links/index.ts";
import { EstimateResponse, SendBody, SendResponse } from "./schemas.ts";
import { messageSearchRoutes } from "./search-routes.ts";
import { acceptSend, estimateSend } from "./service.ts";

/** Large enough for 100,000 recipients with names and variables. */
const SEND_BODY_LIMIT = 64 * 1024 * 1024;

export function messageRoutes(app: App, deps: RouteDeps & { links: LinkTracking }) {
  app.post(
    "/v1/messages",
    {
      bodyLimit: SEND_BODY_LIMIT,
      config: { scope: "send" },
      schema: {
        tags: ["messages"],
        summary: "Send a message or a campaign",
        body: SendBody,
        response: { 202: SendResponse, 402: ErrorResponse, 413: ErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await acceptSend(deps.db, {
        orgId: principal.orgId,
        input: { ...request.body, recipients: request.body.recipients ?? [] },
        now: deps.now(),
        idempotency: idempotencyOf(request, "POST /v1/messages"),
        links: deps.links,
      });
      deps.onAccepted({ id: result.body.campaignId, accepted: result.body.accepted });
      return reply.status(202).send(result.body);
    },
  );

  app.post(
    "/v1/messages/estimate",
    {
      bodyLimit: SEND_BODY_LIMIT,
      config: { scope: "send" },
      schema: {
        tags: ["messages"],
        summary: "Price a send without storing anything",
        body: SendBody,
        response: { 200: EstimateResponse, 413: ErrorResponse, ...errorResponses },
      },
    },
    async (request) =>
      estimateSend(deps.db, {
        orgId: principalOf(request).orgId,
        input: { ...request.body, recipients: request.body.recipients ?? [] },
        now: deps.now(),
        links: deps.links,
      }),
  );

  app.get(
    "/v1/messages/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["messages"],
        summary: "One message with its status and price",
        params: IdParams,
        response: { 200: Message, ...errorResponses },
      },
    },
    async (request) => {
      const scopePath = principalOf(request).orgPath;
      const m = await findMessageInSubtree(deps.db, request.params.id, scopePath);
      if (!m) throw new AppError("NOT_FOUND", "message not found");
      const clicks = await findMessageClicks(deps.db, { messageIds: [m.id], scopePath });
      const contents = await renderContents(deps.db, [m]);
      return messageView(m, clicks.get(m.id), contents.get(m.id));
    },
  );

  messageSearchRoutes(app, deps);
}
