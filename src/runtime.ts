// Opening the configured database and running `alimi serve`: the API, the
// workers, or both, in one process, with a graceful drain on SIGTERM.
import { timingSafeEqual } from "node:crypto";
import path from "node:path";
import type { FastifyBaseLogger } from "fastify";
import Type from "typebox";
import { type Args, commands, isCommandName } from "./cli/commands.ts";
import type { Config } from "./config.ts";
import { type Db, openPglite, openPostgres } from "./db/client.ts";
import { isMigrated, migrate } from "./db/migrate.ts";
import { buildServer } from "./http/server.ts";
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
import { AppError } from "./lib/errors.ts";
import { newId } from "./lib/ids.ts";
import { createMetrics } from "./lib/metrics.ts";
import { createSecretBox } from "./lib/secret-box.ts";
import { bootstrapDemo, type DemoBootstrap } from "./modules/orgs/bootstrap.ts";
import { ensurePlatform } from "./modules/orgs/service.ts";
import { reportRoutes } from "./modules/reports/routes.ts";
import { createVendorDirectory, ensurePlatformSandbox } from "./modules/vendor-accounts/service.ts";
import { adapters } from "./vendors/registry.ts";
import { createSandbox, registerSandboxRoutes, type Sandbox } from "./vendors/sandbox/server.ts";
import { databaseStore } from "./vendors/sandbox/store-db.ts";
import { startDeliveryWorkers } from "./workers/delivery.ts";
import type { WorkerLoop } from "./workers/loop.ts";
import { createWakeBus, type WakeBus } from "./workers/wake.ts";

export class DataDirBusyError extends Error {
  readonly holder: LockHolder;
  constructor(dir: string, holder: LockHolder) {
    super(
      `the data directory ${dir} is in use by process ${holder.pid}` +
        (holder.adminUrl ? ` (alimi serve, ${holder.adminUrl})` : ""),
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
    throw new Error("ALIMI_SECRET_KEY is required with DATABASE_URL (64 hex characters or base64)");
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
      throw new Error("the database is not migrated: run `alimi migrate` first");
    }
    await ensurePlatform(db);
    await ensurePlatformSandbox(db, box);
    const demo = embedded || options.demo ? await bootstrapDemo(db) : null;
    // The sandbox vendor keeps what it accepted and owes in the database, so it
    // resumes its reports after a restart (it needs the migrated schema).
    if (role !== "worker") {
      sandbox = createSandbox({
        delayMs: config.sandboxDelayMs,
        logger,
        store: databaseStore({ db, box }),
      });
    }

    const now = () => new Date();
    bus = await createWakeBus(db);
    const wake = bus;
    let publicUrl = config.publicUrl ?? `http://127.0.0.1:${config.port}`;
    const directory = createVendorDirectory({ db, box, publicUrl: () => publicUrl });
    // Routing or an account changed (here or in another process): forget the caches.
    bus.on("config", () => directory.invalidate());

    if (role !== "worker") {
      const metrics = createMetrics();
      const adminToken = embedded ? readOrCreateAdminToken(config.dataDir) : null;
      app = await buildServer({
        db,
        now,
        logger,
        metrics,
        isReady: () => ready,
        onAccepted: () => wake.wake("dispatch"),
        vendors: {
          db,
          box,
          adapters,
          publicUrl: () => publicUrl,
          onChanged: () => wake.wake("config"),
        },
        extraRoutes: async (a) => {
          await reportRoutes(a, {
            db,
            now,
            directory,
            adapters,
            onIngested: (r) => {
              if (r.pending > 0) wake.wake("reports");
              if (r.finals > 0) wake.wake("settle");
            },
          });
          if (sandbox) registerSandboxRoutes(a, sandbox);
          if (adminToken) adminRoutes(a, db, adminToken);
        },
      });
      await app.listen({ port: config.port, host: config.host });
    }

    const address = app?.server.address();
    const url =
      address && typeof address === "object"
        ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
        : null;
    if (url && !config.publicUrl) publicUrl = url;
    if (role !== "api") {
      workers.push(
        ...startDeliveryWorkers({
          db,
          bus,
          directory,
          adapters,
          logger,
          now,
          workerId: newId("wrk"),
          pollAfterMs: config.pollAfterMs,
          expireAfterMs: config.expireAfterMs,
          leaseMs: config.leaseMs,
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
  return writeDemoCredentials(config.dataDir, { orgId: demo.orgId, apiKey: demo.apiKey });
}

/**
 * The local admin endpoint: the CLI sends its command here when this server
 * holds the embedded data directory. Only from loopback, with the token from
 * the data directory.
 */
function adminRoutes(app: App, db: Db, token: string) {
  const expected = Buffer.from(`Bearer ${token}`);
  app.post(
    "/_admin/cli",
    {
      schema: {
        hide: true,
        body: Type.Object({
          command: Type.String(),
          args: Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean()])),
        }),
      },
    },
    async (request) => {
      const given = Buffer.from(request.headers.authorization ?? "");
      const loopback = ["127.0.0.1", "::1", "::ffff:127.0.0.1"].includes(request.ip);
      if (!loopback || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AppError("UNAUTHORIZED", "admin token required");
      }
      const { command, args } = request.body;
      if (!isCommandName(command)) throw new AppError("NOT_FOUND", `unknown command ${command}`);
      return { result: await commands[command](db, args as Args) };
    },
  );
}
