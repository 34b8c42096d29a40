// Once per test run: an embedded database migrated once and dumped, which
// every PGlite test file then loads (test/db.ts) instead of creating and
// migrating its own — initdb alone takes PGlite seconds per file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { wrapPglite } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated embedded database's data directory, as PGlite dumps it. */
    pgliteDump: string;
  }
}

export default async function setup(project: TestProject) {
  const pg = await PGlite.create();
  let dump: Blob;
  try {
    await migrate(wrapPglite(pg));
    dump = await pg.dumpDataDir("none");
  } finally {
    await pg.close();
  }
  const dir = mkdtempSync(path.join(tmpdir(), "alimi-pglite-"));
  const file = path.join(dir, "migrated.tar");
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteDump", file);
  return () => rmSync(dir, { recursive: true, force: true });
}
