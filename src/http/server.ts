// The HTTP server's infrastructure: errors, request ids, metrics, docs,
// health, and authentication for /v1 (injected), and what guards them all:
// security headers, timeouts for slow clients, the per-IP limit on failed
// unauthenticated requests, the input every request may carry, and a log
// without secrets. The routes are mounted by the composition root
// (src/app.ts): nothing here knows a module.
import { timingSafeEqual } from "node:crypto";
import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import Fastify, { type FastifyBaseLogger, type FastifyRequest, LogController } from "fastify";
import type { Registry } from "prom-client";
import type { Scope } from "../domain/scopes.ts";
import { AppError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { findJsonProblem } from "../lib/json-safety.ts";
import { REDACTION } from "../lib/log-redaction.ts";
import type { Metrics } from "../lib/metrics.ts";
import { type Authenticate, requireScope } from "./auth.ts";
import { consoleRoutes } from "./console.ts";
import { answerClientError, sendError } from "./errors.ts";
import { createIpLimit, registerRateLimits } from "./ip-limit.ts";
import { operationIdOf } from "./operation-id.ts";
import { createPrincipalLimit } from "./principal-limit.ts";
import { serializeRequest } from "./redact.ts";
import type { App } from "./types.ts";

export interface HttpLimits {
  /** Failed unauthenticated requests one IP may make per minute (0: no limit). */
  rateLimitPerIp: number;
  /** Requests a second each API key and each user may make, in bursts of twice that (0: no limit). */
  rateLimitPerCaller: number;
  /** Origins browsers may call the API from (CORS); empty: none but the server's own. */
  corsOrigins: string[];
  /** Whose X-Forwarded-For names the client (Fastify's trustProxy). */
  trustProxy: boolean | number | string[];
  /** How long a client may take to send a whole request. */
  requestTimeoutMs: number;
  /** How long a connection may stay silent. */
  connectionTimeoutMs: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  rateLimitPerIp: 120,
  rateLimitPerCaller: 50,
  corsOrigins: [],
  trustProxy: false,
  requestTimeoutMs: 60_000,
  connectionTimeoutMs: 120_000,
};

/** Who may read /metrics: the operator's token, or else the embedded admin token from loopback. */
export interface MetricsAccess {
  token: string | null;
  adminToken: string | null;
}

/** A /v1 route as the server mounted it: what the tenant-isolation suite is built from. */
export interface RouteEntry {
  method: string;
  url: string;
  scope: Scope | null;
  public: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every /v1 route with its scope, in the order mounted. */
    routeTable: readonly RouteEntry[];
  }
}

export interface ServerOptions {
  logger: FastifyBaseLogger;
  metrics: Metrics;
  /** Whether the service is ready to take work (database migrated, workers running). */
  isReady: () => boolean;
  /** More to tell in /health (the scheduler's last round). */
  health?: () => Record<string, unknown>;
  /** Who is calling /v1 (API keys, in their module). */
  authenticate: Authenticate;
  /** The routes: every module's, mounted by the composition root (src/app.ts). */
  routes: (app: App) => Promise<void> | void;
  limits?: Partial<HttpLimits>;
  metricsAccess?: MetricsAccess;
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;
/** Longer URLs are refused (414) before routing; Node refuses a request line past 16 KB (431). */
const MAX_URL_LENGTH = 8_192;
/** Nesting deeper than this is no one's real request, and would overflow serialisers. */
const MAX_JSON_DEPTH = 32;
const LOOPBACK = ["127.0.0.1", "::1", "::ffff:127.0.0.1"];

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
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // Every request's log lines: the URL without its secrets, credentials redacted
  // whatever logs them, however the logger given was configured. The redacting
  // logger is made once per parent (pino compiles redaction when a logger is
  // made: some 60 µs, every request) and each request's is its child.
  const redacting = new WeakMap<FastifyBaseLogger, FastifyBaseLogger>();
  const redactingChildOf = (logger: FastifyBaseLogger) => {
    let made = redacting.get(logger);
    if (!made) {
      made = logger.child(
        {},
        {
          serializers: { req: serializeRequest },
          redact: { ...REDACTION, paths: [...REDACTION.paths] },
        },
      );
      redacting.set(logger, made);
    }
    return made;
  };
  const app = Fastify({
    loggerInstance: options.logger,
    childLoggerFactory: (logger, bindings, childOptions) => {
      const { req: _, ...serializers } = childOptions.serializers ?? {};
      return redactingChildOf(logger).child(bindings, { ...childOptions, serializers });
    },
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : newId("req");
    },
    logController: new LogController({ requestIdLogLabel: "requestId" }),
    // While draining, new requests are answered 503 in the envelope (below), not Fastify's.
    return503OnClosing: false,
    forceCloseConnections: "idle",
    // A hop count is allowed (proxy-addr takes one), though Fastify's types omit it.
    trustProxy: limits.trustProxy as boolean | string | string[],
    // A client that sends its headers and then stalls is cut off (408), and
    // so is a silent connection; the checks run often enough for short limits.
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    // Node checks them only if the headers' timeout is no longer than the
    // request's, and both are set when the server is made.
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.requestTimeoutMs, 60_000),
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, limits.requestTimeoutMs / 4)),
    },
    // Errors Fastify meets before a route runs (a bad URL, a parameter too
    // long) and on the connection (431, 408) get the same envelope.
    frameworkErrors: (err, request, reply) => sendError(request, reply, err),
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  // The API speaks JSON (and multipart where a route says so): a text body is
  // a wrong content type (415), not a string for the schema to refuse.
  app.removeContentTypeParser("text/plain");
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err as Error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new AppError("NOT_FOUND", `no route ${request.method} ${request.url}`),
    ),
  );
  app.decorateRequest("principal", null);
  await app.register(cookie);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  options.metrics.instrument(app);
  // An API's headers (the console brings its own policy): nothing may
  // frame, embed or sniff what it answers. The docs page sets its own CSP.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
    },
    crossOriginResourcePolicy: { policy: "same-origin" },
  });
  if (limits.corsOrigins.length > 0) {
    // Credentials too: a console served from another origin signs in with the cookie.
    await app.register(cors, {
      origin: limits.corsOrigins,
      credentials: true,
      allowedHeaders: [
        "authorization",
        "content-type",
        "idempotency-key",
        "x-alimi-csrf",
        "x-alimi-org",
      ],
      exposedHeaders: ["retry-after", "x-request-id"],
      maxAge: 600,
    });
  }
  await registerRateLimits(app);
  const ipLimit = createIpLimit(app, { max: limits.rateLimitPerIp });
  const callerLimit = createPrincipalLimit(app, limits.rateLimitPerCaller);

  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async (request, reply) => {
    if (closing) {
      reply.header("connection", "close");
      throw new AppError("UNAVAILABLE", "the server is shutting down: send it again shortly");
    }
    if (request.url.length > MAX_URL_LENGTH) {
      throw new AppError("URI_TOO_LONG", `the URL is longer than ${MAX_URL_LENGTH} characters`);
    }
    await ipLimit.check(request, reply);
    if (!request.url.startsWith("/v1/") || request.routeOptions.config.public) return;
    const principal = await options.authenticate(request);
    await callerLimit(request, reply, principal);
    requireScope(principal, request.routeOptions.config.scope);
    request.principal = principal;
  });
  // Whatever a route's schema says, its strings must be storable and its
  // nesting bounded: a 400 with the path, never a failure deep in a statement.
  app.addHook("preValidation", async (request) => {
    const problem =
      findJsonProblem(request.body, { maxDepth: MAX_JSON_DEPTH }) ??
      findJsonProblem(request.query, { maxDepth: 4, prefix: "/querystring" }) ??
      findJsonProblem(request.params, { maxDepth: 2, prefix: "/params" });
    if (problem) {
      throw new AppError("VALIDATION_FAILED", `${problem.path}: ${problem.message}`, {
        details: [{ ...problem }],
      });
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Alimi API",
        version: "1",
        description: "Alimtalk and SMS/LMS/MMS sending with prepaid credits.",
      },
      // Relative: the document is served by the server it describes, at whatever address.
      servers: [{ url: "/", description: "this Alimi server" }],
      components: {
        securitySchemes: {
          apiKey: { type: "http", scheme: "bearer" },
          session: { type: "apiKey", in: "cookie", name: "alimi_session" },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
  await app.register(consoleRoutes);

  app.get("/health", { schema: { hide: true } }, async (_request, reply) => {
    const ready = options.isReady();
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? "ok" : "starting", ...options.health?.() });
  });
  const metricsAccess = options.metricsAccess ?? { token: null, adminToken: null };
  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    checkMetricsAccess(request, metricsAccess);
    const registry: Registry = options.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  const table: RouteEntry[] = [];
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD" || !route.url.startsWith("/v1/")) continue;
      const config = (route.config ?? {}) as { scope?: Scope; public?: boolean };
      if (route.schema && !Array.isArray(route.method)) {
        (route.schema as { operationId?: string }).operationId ??= operationIdOf(method, route.url);
      }
      table.push({
        method,
        url: route.url,
        scope: config.scope ?? null,
        public: config.public === true,
      });
    }
  });
  app.decorate("routeTable", table);
  await options.routes(app);

  return app;
}

/**
 * /metrics tells how busy the service is and which routes it has: with
 * ALIMI_METRICS_TOKEN set, that bearer token opens it; without, only the
 * embedded server's admin token from loopback (what `alimi` uses), so a
 * server on PostgreSQL without the setting serves no metrics at all.
 */
function checkMetricsAccess(request: FastifyRequest, access: MetricsAccess): void {
  const given = request.headers.authorization ?? "";
  if (access.token !== null) {
    if (sameBearer(given, access.token)) return;
    throw new AppError("UNAUTHORIZED", "send the metrics token as 'Authorization: Bearer <token>'");
  }
  const fromLoopback = LOOPBACK.includes(request.socket.remoteAddress ?? "");
  if (access.adminToken !== null && fromLoopback && sameBearer(given, access.adminToken)) return;
  throw new AppError(
    "NOT_FOUND",
    "metrics are not served here: set ALIMI_METRICS_TOKEN and send it as a bearer token",
  );
}

function sameBearer(header: string, token: string): boolean {
  const a = Buffer.from(header);
  const b = Buffer.from(`Bearer ${token}`);
  return a.length === b.length && timingSafeEqual(a, b);
}
