// The composition root: the one place where Alimi's parts are put together —
// the HTTP API with every module's routes, the vendor webhooks, the sandbox
// vendor and the local admin endpoint, and the delivery workers. `alimi serve`
// (runtime.ts), the test harness and the benchmarks all build Alimi here, so
// what they exercise is what users run.
import type { FastifyBaseLogger } from "fastify";
import { adminRoutes } from "./cli/admin-routes.ts";
import type { Db } from "./db/client.ts";
import type { BreakerPolicy } from "./domain/circuit-breaker.ts";
import type { Authenticate } from "./http/auth.ts";
import { buildServer, type HttpLimits } from "./http/server.ts";
import type { App, RouteDeps } from "./http/types.ts";
import { createEgress, ownEgress, type Resolver } from "./lib/egress.ts";
import type { AllowedHost } from "./lib/egress-rules.ts";
import { AppError } from "./lib/errors.ts";
import { createMetrics, type Metrics } from "./lib/metrics.ts";
import type { SecretBox } from "./lib/secret-box.ts";
import type { TestClock } from "./lib/test-clock.ts";
import { createKeyAuthenticator } from "./modules/api-keys/index.ts";
import { apiKeyRoutes } from "./modules/api-keys/routes.ts";
import { auditRoutes } from "./modules/audit/routes.ts";
import { campaignRoutes } from "./modules/campaigns/routes.ts";
import { groupRoutes } from "./modules/contacts/group-routes.ts";
import { optOutRoutes } from "./modules/contacts/opt-outs.ts";
import { contactRoutes } from "./modules/contacts/routes.ts";
import { adjustmentRoutes } from "./modules/credits/adjustments.ts";
import { creditRoutes } from "./modules/credits/routes.ts";
import { walletRoutes } from "./modules/credits/wallet-routes.ts";
import { fileRoutes } from "./modules/files/routes.ts";
import { startImportWorker } from "./modules/imports/index.ts";
import { importRoutes } from "./modules/imports/routes.ts";
import { createLinkTracking, linkRoutes } from "./modules/links/index.ts";
import { messageRoutes } from "./modules/messages/routes.ts";
import { acceptSend, estimateSend } from "./modules/messages/service.ts";
import { findOrgInSubtree } from "./modules/orgs/index.ts";
import { orgRoutes } from "./modules/orgs/routes.ts";
import { pricingRoutes } from "./modules/plans/pricing-routes.ts";
import { planRoutes } from "./modules/plans/routes.ts";
import { reportRoutes } from "./modules/reports/routes.ts";
import type { ParkingPolicy } from "./modules/reports/service.ts";
import { type RoomRunDeps, runRoomPosts } from "./modules/rooms/index.ts";
import { roomRoutes } from "./modules/rooms/routes.ts";
import { routingRoutes } from "./modules/routing/routes.ts";
import { defaultPolicy, scheduleRoutes, testClockRoute } from "./modules/schedules/index.ts";
import { kakaoChannelRoutes, senderRoutes } from "./modules/senders/routes.ts";
import { statementRoutes } from "./modules/statements/routes.ts";
import { statsRoutes } from "./modules/stats/routes.ts";
import { templateRoutes } from "./modules/templates/routes.ts";
import { createSessionAuthenticator, SESSION_COOKIE } from "./modules/users/index.ts";
import { userRoutes } from "./modules/users/routes.ts";
import { vendorAccountRoutes } from "./modules/vendor-accounts/routes.ts";
import { sandboxAccountsOf } from "./modules/vendor-accounts/sandbox.ts";
import {
  createVendorDirectory,
  type VendorDirectory,
  type VendorTransports,
} from "./modules/vendor-accounts/service.ts";
import { webhookRoutes } from "./modules/webhooks/routes.ts";
import { adapters as knownAdapters } from "./vendors/registry.ts";
import {
  createSandbox,
  registerSandboxRoutes,
  type Sandbox,
  type SandboxOptions,
} from "./vendors/sandbox/server.ts";
import { databaseStore } from "./vendors/sandbox/store-db.ts";
import { templateReviewers } from "./vendors/template-reviewers.ts";
import type { VendorAdapter, VendorName } from "./vendors/vendor.ts";
import { startCampaignUpkeep } from "./workers/campaign-upkeep.ts";
import { startDeliveryWorkers } from "./workers/delivery.ts";
import type { WorkerLoop } from "./workers/loop.ts";
import { type SchedulerHealth, startScheduler } from "./workers/scheduler.ts";
import { startTemplateReviews } from "./workers/template-reviews.ts";
import type { WakeBus } from "./workers/wake.ts";
import { startWebhookDeliverer } from "./workers/webhooks.ts";

export interface AlimiDeps {
  db: Db;
  /** Seals and opens stored secrets (vendor credentials); the same key in every process. */
  box: SecretBox;
  logger: FastifyBaseLogger;
  now: () => Date;
  bus: WakeBus;
  /** Where vendors and customers reach this server: webhook URLs and the sandbox's address. */
  publicUrl: () => string;
  /** Where tracked links point, `{linkBaseUrl}/r/{code}` (ALIMI_LINK_BASE_URL); default: publicUrl. */
  linkBaseUrl?: string | null;
  /** The vendor adapters (default: every vendor this build knows). */
  adapters?: Record<VendorName, VendorAdapter | undefined>;
  /** How vendor calls may leave this server (ALIMI_VENDOR_ALLOWED_HOSTS, ALIMI_VENDOR_TIMEOUT_MAX). */
  vendorCalls: VendorCallPolicy;
  /** How long vendor accounts and routing are cached (default 30 s). */
  directoryTtlMs?: number;
  /**
   * The built-in sandbox vendor (ALIMI_SANDBOX, default on). Off: it has no
   * adapter, its accounts route nothing, new ones are refused, and
   * /sandbox/v1 is not served.
   */
  sandboxEnabled?: boolean;
  /** Delivery reports about unknown messages: their window and per-account limit (default 10 min, 10,000). */
  reportParking?: ParkingPolicy;
  /** How often the scheduler looks for due schedules (ALIMI_SCHEDULER_INTERVAL, default 15 s). */
  schedulerIntervalMs?: number;
  /** Tests and benchmarks only (ALIMI_TEST_CLOCK): `now` reads it, and POST /test/clock moves it. */
  testClock?: TestClock | null;
  /** Where customers' webhook endpoints may be (default: https to public addresses only). */
  webhookCalls?: WebhookCallPolicy;
}

export interface WebhookCallPolicy {
  /** Hosts an endpoint may name whatever their address, over http too (ALIMI_WEBHOOKS_ALLOWED_HOSTS). */
  allowedHosts: readonly AllowedHost[];
  /** http to public addresses too (ALIMI_WEBHOOKS_ALLOW_HTTP). */
  allowHttp: boolean;
  /** How host names are resolved (default: the system's resolver); tests pass their own. */
  resolve?: Resolver;
}

export interface VendorCallPolicy {
  /**
   * Hosts a vendor URL override may name whatever their address, over http
   * too; every other override must be https to a public address. Empty on a
   * server unless the operator names some (a staging host); the tests name
   * 127.0.0.1 and localhost, where their fake vendors listen.
   */
  allowedHosts: readonly AllowedHost[];
  /** No vendor call waits longer for its answer, whatever an account's `timeoutMs` says. */
  maxTimeoutMs: number;
  /** How host names are resolved (default: the system's resolver); tests pass their own. */
  resolve?: Resolver;
}

export interface HttpOptions {
  metrics?: Metrics;
  /** Whether /health says ready (default: always). */
  isReady?: () => boolean;
  /** The sandbox vendor, served at /sandbox/v1 (absent: not served by this process). */
  sandbox?: Sandbox | null;
  /** The embedded data directory's admin token: the CLI's commands come in with it. */
  adminToken?: string | null;
  /** Told of each accepted campaign after it is committed (the workers are woken anyway). */
  onAccepted?: (campaign: { id: string; accepted: number }) => void;
  /** Timeouts, the per-IP limit and the trusted proxies (defaults: src/http/server.ts). */
  limits?: Partial<HttpLimits>;
  /** The bearer token that opens /metrics (ALIMI_METRICS_TOKEN). */
  metricsToken?: string | null;
}

export interface WorkerOptions {
  workerId: string;
  /** A sent message without a final result is polled this long after it was sent, then with backoff. */
  pollAfterMs: number;
  /** Only this long after it was sent does such a message expire (its hold released). */
  expireAfterMs: number;
  leaseMs?: number;
  dispatchConcurrency?: number;
  /** Vendor calls in flight at once per vendor account (ALIMI_VENDOR_CONCURRENCY). */
  accountConcurrency?: number;
  claimSize?: number;
  breakerPolicy?: BreakerPolicy;
}

/** What the sandbox vendor is given beyond its callers and its database (see SandboxOptions). */
export type SandboxVendorOptions = Omit<SandboxOptions, "logger" | "accounts" | "store">;

export interface Alimi {
  directory: VendorDirectory;
  adapters: Record<VendorName, VendorAdapter | undefined>;
  /**
   * The sandbox vendor as the server runs it: its callers are Alimi's sandbox
   * accounts, its reports go to this server's webhooks, what it accepted and
   * owes is kept in the database. Serve it with buildHttp({ sandbox }).
   */
  createSandbox(options: SandboxVendorOptions): Sandbox;
  /** The HTTP API with every route; not yet listening. */
  buildHttp(options?: HttpOptions): Promise<App>;
  /** What a schedule run's room posts need (runRoomPosts): http gateways go through the egress guard. */
  roomRuns: RoomRunDeps;
  startWorkers(options: WorkerOptions): WorkerLoop[];
}

/**
 * An API key when the request carries one (Authorization wins), else the
 * console's session cookie; neither is a 401 that names both. Then
 * `X-Alimi-Org` (API-2.md, "Acting in the tree"): the call acts as that
 * organization, which must be the caller's own or below it (else 404, as
 * for anything outside the caller's subtree), with the caller's role.
 */
function createAuthenticator(db: Db, now: () => Date): Authenticate {
  const keys = createKeyAuthenticator(db);
  const sessions = createSessionAuthenticator(db, now);
  return async (request) => {
    const principal =
      !request.headers.authorization && request.cookies?.[SESSION_COOKIE]
        ? await sessions(request)
        : await keys(request);
    const actAs = request.headers["x-alimi-org"];
    if (actAs === undefined || actAs === principal.orgId) return principal;
    const target =
      typeof actAs === "string" && /^org_\w{1,60}$/.test(actAs)
        ? await findOrgInSubtree(db, actAs, principal.orgPath)
        : null;
    if (!target) throw new AppError("NOT_FOUND", `organization ${String(actAs)} not found`);
    return {
      ...principal,
      orgId: target.id,
      orgKind: target.kind,
      orgPath: target.path,
      callerOrgId: principal.orgId,
    };
  };
}

export function createAlimi(deps: AlimiDeps): Alimi {
  const { db, box, bus, now, logger, publicUrl } = deps;
  const sandboxEnabled = deps.sandboxEnabled !== false;
  const known = deps.adapters ?? knownAdapters;
  const adapters = sandboxEnabled ? known : { ...known, sandbox: undefined };
  const { vendorCalls } = deps;
  const transports: VendorTransports = {
    guarded: {
      egress: createEgress({
        allowedHosts: vendorCalls.allowedHosts,
        allowHint: "the operator may add the host to ALIMI_VENDOR_ALLOWED_HOSTS",
        resolve: vendorCalls.resolve,
      }),
      maxTimeoutMs: vendorCalls.maxTimeoutMs,
    },
    own: { egress: ownEgress, maxTimeoutMs: vendorCalls.maxTimeoutMs },
  };
  const webhookCalls = deps.webhookCalls ?? { allowedHosts: [], allowHttp: false };
  const webhookEgress = createEgress({
    allowedHosts: webhookCalls.allowedHosts,
    allowHttp: webhookCalls.allowHttp,
    allowHint: "the operator may add the host to ALIMI_WEBHOOKS_ALLOWED_HOSTS",
    resolve: webhookCalls.resolve,
  });
  const directory = createVendorDirectory({
    db,
    box,
    publicUrl,
    transports,
    ttlMs: deps.directoryTtlMs,
    sandbox: sandboxEnabled,
  });
  // Routing or an account changed (here or in another process): forget the caches.
  bus.on("config", () => directory.invalidate());
  // The scheduler's last round, for /health and /metrics (served by this process's HTTP API).
  const scheduler: SchedulerHealth = { lastTickAt: null, lagMs: 0 };
  let metricsInUse: Metrics | null = null;
  const linkBaseUrl = deps.linkBaseUrl;
  const links = createLinkTracking({
    db,
    baseUrl: linkBaseUrl ? () => linkBaseUrl : publicUrl,
  });

  async function buildHttp(options: HttpOptions = {}): Promise<App> {
    const metrics = options.metrics ?? createMetrics();
    metricsInUse = metrics;
    const routeDeps: RouteDeps = {
      db,
      now,
      onAccepted(campaign) {
        metrics.messagesAccepted.inc(campaign.accepted);
        bus.wake("dispatch");
        options.onAccepted?.(campaign);
      },
      onLaunched() {
        bus.wake("campaigns");
      },
      onQueued() {
        bus.wake("dispatch");
      },
    };
    const vendorDeps = {
      db,
      box,
      adapters,
      publicUrl,
      transports,
      onChanged: () => bus.wake("config"),
      sandbox: sandboxEnabled,
    };
    return buildServer({
      logger,
      metrics,
      isReady: options.isReady ?? (() => true),
      health: () => ({
        scheduler: {
          lastTickAt: scheduler.lastTickAt?.toISOString() ?? null,
          lagSeconds: Math.round(scheduler.lagMs / 1000),
        },
      }),
      authenticate: createAuthenticator(db, now),
      limits: options.limits,
      metricsAccess: {
        token: options.metricsToken ?? null,
        adminToken: options.adminToken ?? null,
      },
      async routes(app) {
        userRoutes(app, routeDeps);
        apiKeyRoutes(app, routeDeps);
        messageRoutes(app, { ...routeDeps, links });
        campaignRoutes(app, { ...routeDeps, links });
        fileRoutes(app, routeDeps);
        creditRoutes(app, routeDeps);
        adjustmentRoutes(app, routeDeps);
        walletRoutes(app, routeDeps);
        senderRoutes(app, routeDeps);
        kakaoChannelRoutes(app, routeDeps);
        templateRoutes(app, { ...routeDeps, directory, reviewers: templateReviewers });
        orgRoutes(app, routeDeps);
        planRoutes(app, routeDeps);
        pricingRoutes(app, routeDeps);
        auditRoutes(app, routeDeps);
        contactRoutes(app, routeDeps);
        groupRoutes(app, routeDeps);
        optOutRoutes(app, routeDeps);
        statsRoutes(app, routeDeps);
        statementRoutes(app, routeDeps);
        importRoutes(app, { db, now, onQueued: () => bus.wake("imports") });
        vendorAccountRoutes(app, vendorDeps);
        routingRoutes(app, { db, onChanged: vendorDeps.onChanged, sandbox: sandboxEnabled });
        roomRoutes(app, { db, now, box, egress: transports.guarded.egress });
        scheduleRoutes(app, {
          db,
          now,
          links,
          estimate: estimateSend,
          onChanged: () => bus.wake("schedules"),
        });
        if (deps.testClock) testClockRoute(app, deps.testClock, () => bus.wake("schedules"));
        webhookRoutes(app, {
          db,
          box,
          egress: webhookEgress,
          now,
          onQueued: () => bus.wake("webhooks"),
        });
        await reportRoutes(app, {
          db,
          now,
          directory,
          adapters,
          parking: deps.reportParking,
          onIngested: (r) => {
            if (r.pending > 0) bus.wake("reports");
            if (r.finals > 0) bus.wake("settle");
          },
        });
        await linkRoutes(app, { db, now, logger, tracking: links });
        if (options.sandbox && sandboxEnabled) registerSandboxRoutes(app, options.sandbox);
        if (options.adminToken) adminRoutes(app, db, options.adminToken);
      },
    });
  }

  const roomRuns: RoomRunDeps = {
    db,
    now,
    publicUrl,
    box,
    egress: transports.guarded.egress,
    gatewayTimeoutMs: Math.min(15_000, vendorCalls.maxTimeoutMs),
  };
  const schedulerIntervalMs = deps.schedulerIntervalMs ?? 15_000;

  return {
    directory,
    adapters,
    createSandbox: (options) =>
      createSandbox({
        ...options,
        logger,
        accounts: sandboxAccountsOf({ db, box, publicUrl }),
        store: databaseStore({ db }),
      }),
    buildHttp,
    roomRuns,
    startWorkers: (options) => [
      ...startDeliveryWorkers({
        db,
        bus,
        directory,
        adapters,
        logger,
        now,
        reportParking: deps.reportParking,
        ...options,
      }),
      startCampaignUpkeep({ db, bus, logger, now }),
      startImportWorker({ db, logger, now, onWake: (listener) => bus.on("imports", listener) }),
      startTemplateReviews({ db, directory, reviewers: templateReviewers, logger, now }),
      startWebhookDeliverer({ db, box, egress: webhookEgress, bus, logger, now }),
      startScheduler({
        db,
        now,
        logger,
        links,
        intervalMs: schedulerIntervalMs,
        // A run's lease is renewed while it works: ALIMI_LEASE bounds how long a dead scheduler's run waits.
        policy: {
          ...defaultPolicy(schedulerIntervalMs),
          ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
        },
        health: scheduler,
        send: acceptSend,
        postToRooms: (input) => runRoomPosts(roomRuns, input),
        onAccepted: (campaign) => metricsInUse?.messagesAccepted.inc(campaign.accepted),
        onSent: () => bus.wake("dispatch"),
        onFinished: (status) => metricsInUse?.scheduleRuns.inc({ status }),
        onRound(health) {
          metricsInUse?.schedulerLastTick.set((health.lastTickAt?.getTime() ?? 0) / 1000);
          metricsInUse?.schedulerLag.set(health.lagMs / 1000);
        },
        onWake: (listener) => bus.on("schedules", listener),
      }),
    ],
  };
}
