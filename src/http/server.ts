// The HTTP API: infrastructure first (errors, request ids, metrics, docs),
// then authentication for /v1, then the routes of each module.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import type { Registry } from "prom-client";
import { AppError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import type { Metrics } from "../lib/metrics.ts";
import { auditRoutes } from "../modules/audit/routes.ts";
import { campaignRoutes } from "../modules/campaigns/routes.ts";
import { creditRoutes } from "../modules/credits/routes.ts";
import { fileRoutes } from "../modules/files/routes.ts";
import { messageRoutes } from "../modules/messages/routes.ts";
import { orgRoutes } from "../modules/orgs/routes.ts";
import { routingRoutes } from "../modules/routing/routes.ts";
import { kakaoChannelRoutes, senderRoutes } from "../modules/senders/routes.ts";
import { templateRoutes } from "../modules/templates/routes.ts";
import type { VendorAccountDeps } from "../modules/vendor-accounts/manage.ts";
import { vendorAccountRoutes } from "../modules/vendor-accounts/routes.ts";
import { createAuthenticator, requireScope } from "./auth.ts";
import { sendError } from "./errors.ts";
import type { App, RouteDeps } from "./types.ts";

export interface ServerOptions extends RouteDeps {
  logger: FastifyBaseLogger;
  metrics: Metrics;
  /** Whether the service is ready to take work (database migrated, workers running). */
  isReady: () => boolean;
  /** Vendor accounts and routing management (absent: those routes are not mounted). */
  vendors?: VendorAccountDeps;
  /** Routes mounted by the caller: vendor webhooks, the sandbox vendor, the local admin endpoint. */
  extraRoutes?: (app: App) => Promise<void> | void;
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/**
 * Bodies are validated strictly (no type coercion, unknown fields rejected,
 * every error reported); query strings and path parameters arrive as text and
 * are coerced to the schema's types.
 */
function validatorCompiler() {
  const options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };
  const body = addFormats.default(new Ajv({ ...options, coerceTypes: false }));
  const other = addFormats.default(new Ajv({ ...options, coerceTypes: "array" }));
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === "body" ? body : other).compile(schema);
}

export async function buildServer(options: ServerOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : newId("req");
    },
    logController: new LogController({ requestIdLogLabel: "requestId" }),
    return503OnClosing: true,
    forceCloseConnections: "idle",
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err as Error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new AppError("NOT_FOUND", `no route ${request.method} ${request.url}`),
    ),
  );
  app.decorateRequest("principal", null);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  options.metrics.instrument(app);

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Alimi API",
        version: "1",
        description: "Alimtalk and SMS/LMS/MMS sending with prepaid credits.",
      },
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer" } },
      },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  app.get("/health", { schema: { hide: true } }, async (_request, reply) => {
    const ready = options.isReady();
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ok" : "starting" });
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    const registry: Registry = options.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  const authenticate = createAuthenticator(options.db);
  app.addHook("onRequest", async (request) => {
    if (!request.url.startsWith("/v1/")) return;
    const principal = await authenticate(request);
    requireScope(principal, request.routeOptions.config.scope);
    request.principal = principal;
  });

  const deps: RouteDeps = {
    db: options.db,
    now: options.now,
    onAccepted(campaign) {
      options.metrics.messagesAccepted.inc(campaign.accepted);
      options.onAccepted(campaign);
    },
  };
  messageRoutes(app, deps);
  campaignRoutes(app, deps);
  fileRoutes(app, deps);
  creditRoutes(app, deps);
  senderRoutes(app, deps);
  kakaoChannelRoutes(app, deps);
  templateRoutes(app, deps);
  orgRoutes(app, deps);
  auditRoutes(app, deps);
  if (options.vendors) {
    vendorAccountRoutes(app, options.vendors);
    routingRoutes(app, { db: options.db, onChanged: options.vendors.onChanged });
  }
  await options.extraRoutes?.(app);

  return app;
}
