// Opening the configured database and running `alimi serve`: the API, the
// workers, or both, in one process, with a graceful drain on SIGTERM.
import path from "node:path";
import type { FastifyBaseLogger } from "fastify";
import { createAlimi } from "./app.ts";
import type { Config } from "./config.ts";
import { type Db, openPglite, openPostgres } from "./db/client.ts";
import { isMigrated, migrate } from "./db/migrate.ts";
import type { App } from "./http/types.ts";
import {
  type DataDirLock,
  DEMO_FILE,
  type LockHolder,
  lockDataDir,
  readOrCreateAdminToken,
  readOrCreateSecretKey,
  writeDemoCredentials,
} from "./lib/data-dir.ts";
import { SetupError } from "./lib/errors.ts";
import { newId } from "./lib/ids.ts";
import { createSecretBox } from "./lib/secret-box.ts";
import { createTestClock } from "./lib/test-clock.ts";
import { bootstrapDemo, type DemoBootstrap } from "./modules/orgs/bootstrap.ts";
import { ensurePlatform } from "./modules/orgs/service.ts";
import { upgradeSandboxCredentials } from "./modules/vendor-accounts/sandbox.ts";
import { ensurePlatformSandbox } from "./modules/vendor-accounts/service.ts";
import type { Sandbox } from "./vendors/sandbox/server.ts";
import type { WorkerLoop } from "./workers/loop.ts";
import { createWakeBus, type WakeBus } from "./workers/wake.ts";

export class DataDirBusyError extends SetupError {
  readonly holder: LockHolder;
  constructor(dir: string, holder: LockHolder) {
    super(
      `the data directory ${dir} is in use by process ${holder.pid}` +
        (holder.adminUrl ? ` (alimi serve, ${holder.adminUrl})` : ""),
      { hint: "stop that server first, or give this one another ALIMI_DATA_DIR" },
    );
    this.holder = holder;
  }
}

export interface OpenedDatabase {
  db: Db;
  lock: DataDirLock | null;
  close(): Promise<void>;
}

/**
 * PostgreSQL when DATABASE_URL is set; otherwise PGlite in the data directory,
 * which only one process may open at a time (PGlite is not multi-process).
 */
export async function openDatabase(config: Config): Promise<OpenedDatabase> {
  if (config.database.kind === "postgres") {
    const db = openPostgres({ url: config.database.url, poolSize: config.database.poolSize });
    return { db, lock: null, close: () => db.close() };
  }
  const taken = lockDataDir(config.dataDir);
  if (!taken.ok) throw new DataDirBusyError(config.dataDir, taken.holder);
  try {
    const db = await openPglite({ dataDir: config.database.dataDir });
    return {
      db,
      lock: taken.lock,
      async close() {
        await db.close();
        taken.lock.release();
      },
    };
  } catch (err) {
    taken.lock.release();
    throw err;
  }
}

export type Role = "api" | "worker" | "all";

export interface Running {
  url: string | null;
  app: App | null;
  db: Db;
  demo: DemoBootstrap | null;
  stop(): Promise<void>;
}

export async function serve(
  config: Config,
  options: { role: Role; logger: FastifyBaseLogger; migrate?: boolean; demo?: boolean },
): Promise<Running> {
  const { logger, role } = options;
  const embedded = config.database.kind === "pglite";
  const secretKey = config.secretKey ?? (embedded ? readOrCreateSecretKey(config.dataDir) : null);
  if (!secretKey) {
    throw new SetupError("ALIMI_SECRET_KEY is required with DATABASE_URL", {
      hint: "set it to 32 random bytes, e.g. `openssl rand -hex 32`, the same in every process",
      exitCode: 2,
    });
  }
  const box = createSecretBox(secretKey);
  const opened = await openDatabase(config);
  const { db } = opened;
  let app: App | null = null;
  let bus: WakeBus | null = null;
  const workers: WorkerLoop[] = [];
  let sandbox: Sandbox | null = null;
  let ready = false;

  // Workers stop first (their in-flight batches are recorded), then the
  // sandbox stops reporting (what it still owes stays in the database for
  // the next start), then HTTP stops accepting and
  // finishes what it holds, then the database closes.
  const stop = async () => {
    ready = false;
    await Promise.all(workers.map((w) => w.stop()));
    await sandbox?.close();
    await app?.close();
    await bus?.close();
    await opened.close();
  };

  try {
    if (embedded || options.migrate) {
      const result = await migrate(db);
      if (result.applied.length > 0) logger.info({ applied: result.applied }, "migrations applied");
    } else if (!(await isMigrated(db))) {
      throw new SetupError("the database is not migrated", {
        hint: "run `alimi migrate` first, or start with `alimi serve --migrate`",
      });
    }
    await ensurePlatform(db);
    // ALIMI_SANDBOX=false: no platform sandbox account is made. One made
    // before stays (its messages' history names it) but routes nothing, and
    // /sandbox/v1 is not served: the operator routes the platform through
    // another vendor (PUT /v1/orgs/{platform}/routing), which is what every
    // organization then inherits.
    if (config.sandbox) {
      await ensurePlatformSandbox(db, box);
      const upgraded = await upgradeSandboxCredentials(db, box);
      if (upgraded > 0) logger.info({ upgraded }, "sandbox accounts given issued API keys");
    }
    const demo = embedded || options.demo ? await bootstrapDemo(db) : null;

    bus = await createWakeBus(db);
    let publicUrl = config.publicUrl ?? `http://127.0.0.1:${config.port}`;
    const clock = config.testClock ? createTestClock() : null;
    if (clock) logger.warn("ALIMI_TEST_CLOCK: the clock can be moved with POST /test/clock");
    const alimi = createAlimi({
      db,
      box,
      logger,
      now: clock ? clock.now : () => new Date(),
      testClock: clock,
      schedulerIntervalMs: config.schedulerIntervalMs,
      bus,
      publicUrl: () => publicUrl,
      linkBaseUrl: config.linkBaseUrl,
      sandboxEnabled: config.sandbox,
      vendorCalls: {
        allowedHosts: config.vendorAllowedHosts,
        maxTimeoutMs: config.vendorTimeoutMaxMs,
      },
      reportParking: config.reportParking,
      webhookCalls: config.webhooks,
    });
    // The sandbox vendor keeps what it accepted and owes in the database, so it
    // resumes its reports after a restart (it needs the migrated schema).
    if (role !== "worker" && config.sandbox) {
      sandbox = alimi.createSandbox({ delayMs: config.sandboxDelayMs });
    }

    if (role !== "worker") {
      const http = await alimi.buildHttp({
        isReady: () => ready,
        sandbox,
        adminToken: embedded ? readOrCreateAdminToken(config.dataDir) : null,
        limits: {
          rateLimitPerIp: config.http.rateLimitPerIp,
          rateLimitPerCaller: config.http.rateLimitPerCaller,
          corsOrigins: [...config.http.corsOrigins],
          trustProxy: config.http.trustProxy,
          requestTimeoutMs: config.http.requestTimeoutMs,
          connectionTimeoutMs: config.http.connectionTimeoutMs,
        },
        metricsToken: config.http.metricsToken,
      });
      app = http;
      await http.listen({ port: config.port, host: config.host });
    }

    const address = app?.server.address();
    const url =
      address && typeof address === "object"
        ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
        : null;
    if (url && !config.publicUrl) publicUrl = url;
    if (role !== "api") {
      workers.push(
        ...alimi.startWorkers({
          workerId: newId("wrk"),
          pollAfterMs: config.pollAfterMs,
          expireAfterMs: config.expireAfterMs,
          leaseMs: config.leaseMs,
          accountConcurrency: config.vendorConcurrency,
          // Measured with bench:pipeline on PostgreSQL: six loops claiming 500 at a time
          // overlap vendor calls with database work best (8.5 s per 100,000 messages
          // against 9.9 s for four loops of 1,000); PGlite has one connection.
          dispatchConcurrency: embedded ? 1 : 6,
          claimSize: 500,
        }),
      );
    }
    ready = true;
    if (url) opened.lock?.announce(url);
    return { url, app, db, demo, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** Where the demo key was saved, for the start-up banner. */
export function demoFile(config: Config): string {
  return path.join(config.dataDir, DEMO_FILE);
}

export function saveDemoCredentials(config: Config, demo: DemoBootstrap & { created: true }) {
  return writeDemoCredentials(config.dataDir, {
    orgId: demo.orgId,
    apiKey: demo.apiKey,
    email: demo.login.email,
    password: demo.login.password,
  });
}
