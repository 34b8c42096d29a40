// Shared set-up for benchmarks: a fresh database per engine, an organization
// that can afford the run, and a real HTTP server.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { createAlimi } from "../src/app.ts";
import { type Db, openPglite, openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import type { App } from "../src/http/types.ts";
import { createSecretBox } from "../src/lib/secret-box.ts";
import { DEMO_SENDER, DEMO_TEMPLATE } from "../src/modules/orgs/bootstrap.ts";
import { createOrg } from "../src/modules/orgs/service.ts";
import { registerSender } from "../src/modules/senders/service.ts";
import { createApprovedTemplate } from "../src/modules/templates/service.ts";
import { createWakeBus } from "../src/workers/wake.ts";
import { TEST_VENDOR_CALLS } from "../test/support/vendor-calls.ts";

export interface BenchDb {
  engine: "pglite" | "postgres";
  db: Db;
  dispose(): Promise<void>;
}

/** A migrated PGlite in a temporary data directory (on disk, as `npm start` uses it). */
export async function pgliteBenchDb(): Promise<BenchDb> {
  const dir = mkdtempSync(path.join(tmpdir(), "alimi-bench-"));
  const db = await openPglite({ dataDir: dir });
  await migrate(db);
  return {
    engine: "pglite",
    db,
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new, empty database on the PostgreSQL server of `url`: its URL, and how to drop it. */
export async function createBenchDatabase(
  url: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `alimi_bench_${randomBytes(4).toString("hex")}`;
  const adminUrl = new URL(url);
  adminUrl.pathname = "/postgres";
  const admin = openPostgres({ url: adminUrl.toString(), poolSize: 1 });
  await admin.query(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

/** A migrated, new database on the PostgreSQL server of `url`, dropped afterwards. */
export async function postgresBenchDb(url: string): Promise<BenchDb> {
  const database = await createBenchDatabase(url);
  const db = openPostgres({ url: database.url, poolSize: 20 });
  await migrate(db);
  return {
    engine: "postgres",
    db,
    async dispose() {
      await db.close();
      await database.drop();
    },
  };
}

export async function benchOrg(db: Db, credits: bigint) {
  const { org, apiKey } = await createOrg(db, { name: "Bench", credits });
  await registerSender(db, { orgId: org.id, number: DEMO_SENDER, verified: true });
  await createApprovedTemplate(db, org.id, DEMO_TEMPLATE);
  return { orgId: org.id, apiKey };
}

/** The HTTP API over `db` (no workers, no sandbox), listening on a free port. */
export async function benchServer(
  db: Db,
): Promise<{ app: App; url: string; close(): Promise<void> }> {
  const bus = await createWakeBus(db);
  const alimi = createAlimi({
    db,
    box: createSecretBox(randomBytes(32)),
    logger: pino({ level: "warn" }),
    now: () => new Date(),
    bus,
    publicUrl: () => url,
    vendorCalls: TEST_VENDOR_CALLS,
  });
  const app = await alimi.buildHttp({ limits: { rateLimitPerCaller: 0 } });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    app,
    url,
    async close() {
      await app.close();
      await bus.close();
    },
  };
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
