import { describe, expect, it } from "vitest";
import { createTestDb, engine } from "../../test/db.ts";
import { isMigrated, migrate, readMigrations } from "./migrate.ts";

describe(`migrations on ${engine}`, () => {
  it("apply to an empty database, record each migration, and are then a no-op", async () => {
    const db = await createTestDb();
    const all = await readMigrations();
    expect(all.length).toBeGreaterThan(0);
    expect(await isMigrated(db)).toBe(true);

    const again = await migrate(db);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(all.length);

    const tables = await db.query<{ name: string }>(
      `select table_name as name from information_schema.tables
       where table_schema = 'public' order by 1`,
    );
    expect(tables.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(["orgs", "wallets", "ledger_entries", "campaigns", "messages"]),
    );
  });

  it("refuses a migration that was edited after it was applied", async () => {
    const db = await createTestDb();
    await db.query("update alimi_migrations set hash = 'edited' where idx = 0");
    expect(await isMigrated(db)).toBe(false);
    await expect(migrate(db)).rejects.toThrow(/changed after it was applied/);
  });
});
