// Applies the drizzle-kit migrations in `drizzle/` in order. Each migration
// runs in its own transaction, and the whole run holds a session advisory
// lock so that several processes starting at once apply each migration once.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Db, Queryable } from "./client.ts";

const MIGRATIONS_DIR = new URL("../../drizzle/", import.meta.url);
// Arbitrary constant shared by every Alimi process: "alimi" in ASCII.
const MIGRATION_LOCK_ID = 0x616c696d69;

export interface Migration {
  index: number;
  tag: string;
  hash: string;
  statements: string[];
}

interface Journal {
  entries: { idx: number; tag: string }[];
}

export async function readMigrations(): Promise<Migration[]> {
  const journal = JSON.parse(
    await readFile(new URL("meta/_journal.json", MIGRATIONS_DIR), "utf8"),
  ) as Journal;
  return Promise.all(
    journal.entries.map(async (entry) => {
      const text = await readFile(new URL(`${entry.tag}.sql`, MIGRATIONS_DIR), "utf8");
      return {
        index: entry.idx,
        tag: entry.tag,
        hash: createHash("sha256").update(text).digest("hex"),
        statements: text
          .split("--> statement-breakpoint")
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      };
    }),
  );
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(db: Db): Promise<MigrateResult> {
  const migrations = await readMigrations();
  return db.session(async (session) => {
    await session.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    try {
      await session.query(`create table if not exists alimi_migrations (
        idx integer primary key,
        tag text not null,
        hash text not null,
        applied_at timestamptz not null default now()
      )`);
      const done = await appliedMigrations(session);
      const applied: string[] = [];
      for (const m of migrations) {
        const previous = done.get(m.index);
        if (previous !== undefined) {
          if (previous !== m.hash) {
            throw new Error(`migration ${m.tag} was changed after it was applied`);
          }
          continue;
        }
        await session.query("begin");
        try {
          for (const statement of m.statements) await session.query(statement);
          await session.query("insert into alimi_migrations (idx, tag, hash) values ($1, $2, $3)", [
            m.index,
            m.tag,
            m.hash,
          ]);
          await session.query("commit");
        } catch (err) {
          await session.query("rollback");
          throw new Error(`migration ${m.tag} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.tag);
      }
      return { applied, alreadyApplied: done.size };
    } finally {
      await session.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]);
    }
  });
}

/** True when every migration in `drizzle/` has been applied. */
export async function isMigrated(db: Queryable): Promise<boolean> {
  const exists = await db.query<{ t: string | null }>(
    "select to_regclass('alimi_migrations')::text as t",
  );
  if (!exists.rows[0]?.t) return false;
  const [migrations, done] = await Promise.all([readMigrations(), appliedMigrations(db)]);
  return migrations.every((m) => done.get(m.index) === m.hash);
}

async function appliedMigrations(db: Queryable): Promise<Map<number, string>> {
  const rows = await db.query<{ idx: number; hash: string }>(
    "select idx, hash from alimi_migrations",
  );
  return new Map(rows.rows.map((r) => [r.idx, r.hash]));
}
