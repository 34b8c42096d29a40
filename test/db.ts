// A fresh database for each test file: a new in-memory PGlite, or a new
// PostgreSQL database copied from the migrated template.
import { randomBytes } from "node:crypto";
import { afterAll } from "vitest";
import { type Db, openPglite, openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { adminUrl, TEMPLATE_DB, withDatabase } from "./pg-url.ts";

export type Engine = "pglite" | "postgres";

export const engine: Engine = process.env.ALIMI_TEST_ENGINE === "postgres" ? "postgres" : "pglite";

/**
 * A new PostgreSQL database copied from the migrated template, for tests that
 * hand its URL to other processes. Dropped after the test file.
 */
export async function createTestDatabaseUrl(): Promise<string> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("this test needs TEST_DATABASE_URL");
  const name = `alimi_test_${randomBytes(6).toString("hex")}`;
  const admin = openPostgres({ url: adminUrl(url), poolSize: 1 });
  await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  afterAll(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.close();
  });
  return withDatabase(url, name);
}

export async function createTestDb(options: { poolSize?: number } = {}): Promise<Db> {
  if (engine === "pglite") {
    const db = await openPglite({});
    await migrate(db);
    afterAll(() => db.close());
    return db;
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("ALIMI_TEST_ENGINE=postgres needs TEST_DATABASE_URL");
  const name = `alimi_test_${randomBytes(6).toString("hex")}`;
  const admin = openPostgres({ url: adminUrl(url), poolSize: 1 });
  await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  const db = openPostgres({ url: withDatabase(url, name), poolSize: options.poolSize ?? 10 });
  afterAll(async () => {
    await db.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.close();
  });
  return db;
}
