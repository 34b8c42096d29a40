import Type from "typebox";
import { auditActor, type Principal, principalOf } from "../../http/auth.ts";
import { decodeCursor, ListQuery, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { idempotencyOf, runIdempotentSteps } from "../idempotency/index.ts";
import { findEndpoint, listDeliveries, listEndpoints } from "./queries.ts";
import {
  CreateEndpointBody,
  Delivery,
  DeliveryListQuery,
  Endpoint,
  UpdateEndpointBody,
} from "./schemas.ts";
import {
  changeEndpoint,
  createEndpoint,
  deliveryView,
  type EndpointView,
  endpointView,
  removeEndpoint,
  replayDelivery,
  rotateSecret,
  sendTestEvent,
  type WebhookDeps,
} from "./service.ts";

/** Outbound webhooks: endpoints, their delivery log, replays and test events (API-2.md). */
export function webhookRoutes(app: App, deps: WebhookDeps) {
  const { db } = deps;
  const endpointOf = async (p: Principal, id: string) => {
    const row = await findEndpoint(db, p.orgId, id);
    if (!row) throw new AppError("NOT_FOUND", "webhook endpoint not found");
    return row;
  };

  app.post(
    "/v1/webhook-endpoints",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["webhooks"],
        summary: "Add a webhook endpoint; its signing secret is in this answer only",
        body: CreateEndpointBody,
        response: { 201: Endpoint, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      // The secret is in the answer: a replay's stored answer is sealed.
      const scope = {
        orgId: p.orgId,
        idempotency: idempotencyOf(request, "POST /v1/webhook-endpoints"),
        seal: deps.box,
      };
      const result = await runIdempotentSteps<EndpointView>(db, scope, async (record) => {
        const view = await createEndpoint(
          deps,
          auditActor(p),
          { orgId: p.orgId, ...request.body },
          (q, created) => record(q, { statusCode: 201, body: created }),
        );
        return { statusCode: 201, body: view };
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/webhook-endpoints",
    {
      config: { scope: "read" },
      schema: {
        tags: ["webhooks"],
        summary: "The organization's webhook endpoints, newest first (never their secrets)",
        querystring: ListQuery,
        response: { 200: Page(Endpoint), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listEndpoints(db, {
        orgId: principalOf(request).orgId,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(
        rows,
        limit,
        (e) => e.id,
        (e) => endpointView(e),
      );
    },
  );

  app.get(
    "/v1/webhook-endpoints/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["webhooks"],
        summary: "One webhook endpoint (never its secret)",
        params: IdParams,
        response: { 200: Endpoint, ...errorResponses },
      },
    },
    async (request) => endpointView(await endpointOf(principalOf(request), request.params.id)),
  );

  app.patch(
    "/v1/webhook-endpoints/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["webhooks"],
        summary: "Change an endpoint's url, events, description, or enable or disable it",
        params: IdParams,
        body: UpdateEndpointBody,
        response: { 200: Endpoint, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const current = await endpointOf(p, request.params.id);
      return changeEndpoint(deps, auditActor(p), current, request.body);
    },
  );

  app.delete(
    "/v1/webhook-endpoints/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["webhooks"],
        summary: "Remove an endpoint and its delivery log",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await removeEndpoint(deps, auditActor(p), await endpointOf(p, request.params.id));
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/v1/webhook-endpoints/:id/test",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["webhooks"],
        summary: "Send the endpoint a webhook.test event (whatever its filter); 409 when disabled",
        params: IdParams,
        response: { 202: Delivery, ...errorResponses },
      },
    },
    async (request, reply) => {
      const endpoint = await endpointOf(principalOf(request), request.params.id);
      return reply.status(202).send(await sendTestEvent(deps, endpoint));
    },
  );

  app.post(
    "/v1/webhook-endpoints/:id/rotate-secret",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["webhooks"],
        summary: "Replace the endpoint's signing secret; the new one is in this answer only",
        params: IdParams,
        response: { 200: Endpoint, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return rotateSecret(deps, auditActor(p), await endpointOf(p, request.params.id));
    },
  );

  app.get(
    "/v1/webhook-endpoints/:id/deliveries",
    {
      config: { scope: "read" },
      schema: {
        tags: ["webhooks"],
        summary: "The endpoint's delivery log, newest first: status, attempts, last answer",
        params: IdParams,
        querystring: DeliveryListQuery,
        response: { 200: Page(Delivery), ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const endpoint = await endpointOf(p, request.params.id);
      const limit = request.query.limit ?? 50;
      const cursor = decodeCursor(request.query.cursor);
      if (cursor !== null && !/^\d{1,19}$/.test(cursor)) {
        throw new AppError("VALIDATION_FAILED", "the cursor is not valid", {
          details: [
            { path: "/querystring/cursor", code: "INVALID_VALUE", message: "not a cursor" },
          ],
        });
      }
      const rows = await listDeliveries(db, {
        orgId: p.orgId,
        endpointId: endpoint.id,
        status: request.query.status ?? null,
        before: cursor === null ? null : BigInt(cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (d) => String(d.seq), deliveryView);
    },
  );

  app.post(
    "/v1/webhook-deliveries/:id/replay",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["webhooks"],
        summary: "Deliver the event again to the endpoint (a new delivery, same webhook-id)",
        params: IdParams,
        response: { 202: Delivery, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      return reply.status(202).send(await replayDelivery(deps, p.orgId, request.params.id));
    },
  );
}
