// The server drops connections (restarts, failovers, an operator): LISTEN
// comes back by itself, and a dropped connection never crashes the process.
import { describe, expect, it } from "vitest";
import { createTestDatabaseUrl } from "../../test/db.ts";
import { openPostgres } from "./client.ts";

describe("PostgreSQL connections the server drops", () => {
  it("LISTEN is set up again on a new connection and notifications flow again", async () => {
    const url = await createTestDatabaseUrl();
    const db = openPostgres({ url, poolSize: 4 });
    const admin = openPostgres({ url, poolSize: 1 });
    try {
      const heard: string[] = [];
      const unlisten = await db.listen("alimi_test", (payload) => heard.push(payload));
      const killed = await admin.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
         where datname = current_database() and query like 'listen%'`,
      );
      expect(killed.rows[0]?.n).toBe(1);
      const deadline = Date.now() + 5_000;
      while (!heard.includes("back") && Date.now() < deadline) {
        await db.notify("alimi_test", "back");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(heard).toContain("back");
      await unlisten();
    } finally {
      await admin.close();
      await db.close();
    }
  });

  it("a transaction whose connection is dropped fails; the process goes on", async () => {
    const url = await createTestDatabaseUrl();
    const db = openPostgres({ url, poolSize: 2 });
    const admin = openPostgres({ url, poolSize: 1 });
    try {
      await expect(
        db.tx(async (q) => {
          await q.query("select 1");
          await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity
             where datname = current_database() and pid <> pg_backend_pid()
               and state = 'idle in transaction'`,
          );
          await new Promise((resolve) => setTimeout(resolve, 100));
          await q.query("select 2");
        }),
      ).rejects.toThrow();
      expect((await db.query<{ ok: number }>("select 1 as ok")).rows).toEqual([{ ok: 1 }]);
    } finally {
      await admin.close();
      await db.close();
    }
  });
});
