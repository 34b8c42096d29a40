// A fresh database for each test file: a new in-memory PGlite loaded from
// the migrated dump, or a new PostgreSQL database copied from the migrated
// template.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, inject } from "vitest";
import { type Db, openPglite, openPostgres } from "../src/db/client.ts";
import { adminUrl, withDatabase } from "./pg-url.ts";
import "./postgres-setup.ts";
import "./pglite-setup.ts";

/** A fresh name in this run's namespace (the run's main process made the template). */
function newDatabaseName(): string {
  const template = inject("templateDb");
  return `${template.replace(/template$/, "")}${randomBytes(6).toString("hex")}`;
}

export type Engine = "pglite" | "postgres";

export const engine: Engine = process.env.ALIMI_TEST_ENGINE === "postgres" ? "postgres" : "pglite";

/**
 * A new PostgreSQL database copied from the migrated template (or an empty
 * one), for tests that hand its URL to other processes. Dropped after the
 * test file.
 */
export async function createTestDatabaseUrl(options: { migrated?: boolean } = {}): Promise<string> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("this test needs TEST_DATABASE_URL");
  const name = newDatabaseName();
  const admin = openPostgres({ url: adminUrl(url), poolSize: 1 });
  const template = options.migrated === false ? "template0" : inject("templateDb");
  await admin.query(`create database "${name}" template "${template}"`);
  afterAll(async () => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.close();
  });
  return withDatabase(url, name);
}

export async function createTestDb(options: { poolSize?: number } = {}): Promise<Db> {
  if (engine === "pglite") {
    const db = await openPglite({ loadDataDir: new Blob([readFileSync(inject("pgliteDump"))]) });
    afterAll(() => db.close());
    return db;
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("ALIMI_TEST_ENGINE=postgres needs TEST_DATABASE_URL");
  const name = newDatabaseName();
  const admin = openPostgres({ url: adminUrl(url), poolSize: 1 });
  await admin.query(`create database "${name}" template "${inject("templateDb")}"`);
  const db = openPostgres({ url: withDatabase(url, name), poolSize: options.poolSize ?? 10 });
  afterAll(async () => {
    await db.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.close();
  });
  return db;
}
