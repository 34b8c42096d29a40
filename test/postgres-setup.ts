// Once per test run: a freshly migrated template database, whose name the
// test files receive through `inject("templateDb")`; each file then gets its
// own database copied from it (see test/db.ts).
import type { TestProject } from "vitest/node";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { adminUrl, pidOf, runPrefix, withDatabase } from "./pg-url.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const template = `${runPrefix(process.pid)}template`;
  const admin = openPostgres({ url: adminUrl(url), poolSize: 1 });
  try {
    // Databases left by runs that died (their process is gone).
    const stale = await admin.query<{ name: string }>(
      "select datname as name from pg_database where datname like 'alimi\\_t%'",
    );
    for (const { name } of stale.rows) {
      const pid = pidOf(name);
      if (pid !== null && !isAlive(pid)) await admin.query(`drop database "${name}" with (force)`);
    }
    await admin.query(`drop database if exists "${template}" with (force)`);
    await admin.query(`create database "${template}"`);
  } finally {
    await admin.close();
  }
  const db = openPostgres({ url: withDatabase(url, template), poolSize: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  project.provide("templateDb", template);
  return async () => {
    const done = openPostgres({ url: adminUrl(url), poolSize: 1 });
    try {
      await done.query(`drop database if exists "${template}" with (force)`);
    } finally {
      await done.close();
    }
  };
}
