// Several processes starting at once against an empty database: the advisory
// lock lets exactly one apply each migration; the others find it applied.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import "../../test/postgres-setup.ts";
import { adminUrl, withDatabase } from "../../test/pg-url.ts";
import { type Db, openPostgres } from "./client.ts";
import { isMigrated, migrate, readMigrations } from "./migrate.ts";

const PROCESSES = 5;

describe("concurrent migrate on PostgreSQL", async () => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("this test needs TEST_DATABASE_URL");
  const name = `${inject("templateDb").replace(/template$/, "")}empty_${randomBytes(4).toString("hex")}`;
  const admin = openPostgres({ url: adminUrl(url), poolSize: 1 });
  await admin.query(`create database "${name}"`);
  const pools: Db[] = Array.from({ length: PROCESSES }, () =>
    openPostgres({ url: withDatabase(url, name), poolSize: 2 }),
  );
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.close();
  });

  it(`${PROCESSES} pools migrating an empty database at once apply each migration once`, async () => {
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const pool = pools[0]!;
    expect(await isMigrated(pool)).toBe(false);

    const results = await Promise.all(pools.map((p) => migrate(p)));

    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(migrations.map((m) => m.tag).sort());
    // The one that ran first found nothing; every other one found all of them applied.
    expect(results.map((r) => r.alreadyApplied).sort((a, b) => a - b)).toEqual([
      0,
      ...Array.from({ length: PROCESSES - 1 }, () => migrations.length),
    ]);

    const rows = await pool.query<{ idx: number; tag: string; hash: string }>(
      "select idx, tag, hash from alimi_migrations order by idx",
    );
    expect(rows.rows).toEqual(migrations.map((m) => ({ idx: m.index, tag: m.tag, hash: m.hash })));
    for (const p of pools) expect(await isMigrated(p)).toBe(true);

    // The lock is released: nobody still holds it.
    const locks = await pool.query(
      "select 1 from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())",
    );
    expect(locks.rows).toEqual([]);

    // Running again applies nothing.
    expect(await migrate(pool)).toEqual({ applied: [], alreadyApplied: migrations.length });
  });
});
