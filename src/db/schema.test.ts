import { readdir, readFile } from "node:fs/promises";
import { generateDrizzleJson, generateMigration } from "drizzle-kit/api";
import { describe, expect, it } from "vitest";
import * as schema from "./schema/index.ts";

const META = new URL("../../drizzle/meta/", import.meta.url);

describe("schema and migrations", () => {
  it("the Drizzle schema matches the last generated migration (no drift)", async () => {
    const snapshots = (await readdir(META)).filter((f) => f.endsWith("_snapshot.json")).sort();
    const last = snapshots.at(-1);
    expect(last).toBeDefined();
    const previous = JSON.parse(await readFile(new URL(last!, META), "utf8"));
    const current = generateDrizzleJson(schema, previous.id);
    const statements = await generateMigration(previous, current);
    // Any statement here means the schema changed without `npm run db:generate`.
    expect(statements).toEqual([]);
  });

  it("detects drift when a table is missing from the snapshot", async () => {
    const snapshots = (await readdir(META)).filter((f) => f.endsWith("_snapshot.json")).sort();
    const previous = JSON.parse(await readFile(new URL(snapshots.at(-1)!, META), "utf8"));
    const { settings: _dropped, ...rest } = schema;
    const current = generateDrizzleJson(rest, previous.id);
    const statements = await generateMigration(previous, current);
    expect(statements.join("\n")).toMatch(/DROP TABLE "settings"/);
  });
});
