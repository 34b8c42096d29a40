// What a run costs PostgreSQL, read from its statistics views before and
// after: WAL bytes and records (pg_stat_wal), rows inserted, updated (HOT or
// not) and deleted per table (pg_stat_user_tables), the index entries those
// writes touched (an insert or a non-HOT update writes one entry in every
// index of its table), and, when pg_stat_statements is loaded, the
// statements that took the most time.
import { openPostgres } from "../src/db/client.ts";
import { fmt } from "./support.ts";

interface TableCounts {
  table: string;
  ins: number;
  upd: number;
  hot: number;
  del: number;
  indexes: number;
}

interface Snapshot {
  walBytes: number;
  walRecords: number;
  tables: Map<string, TableCounts>;
  statements: Map<string, { calls: number; ms: number; rows: number }> | null;
}

const TABLES_SQL = `select t.relname as table, t.n_tup_ins::float8 as ins, t.n_tup_upd::float8 as upd,
    t.n_tup_hot_upd::float8 as hot, t.n_tup_del::float8 as del,
    (select count(*) from pg_index i where i.indrelid = t.relid)::int as indexes
  from pg_stat_user_tables t`;

export async function pgCostMeter(databaseUrl: string) {
  const db = openPostgres({ url: databaseUrl, poolSize: 1 });
  const hasStatements =
    (
      await db.query<{ loaded: boolean }>(
        `select exists (select 1 from pg_extension where extname = 'pg_stat_statements') as loaded`,
      )
    ).rows[0]?.loaded === true ||
    (await db
      .query("create extension if not exists pg_stat_statements")
      .then(() => db.query("select 1 from pg_stat_statements limit 1"))
      .then(
        () => true,
        () => false,
      ));

  async function snapshot(settleMs: number): Promise<Snapshot> {
    // Busy backends flush their counters at most once a second, idle ones
    // after ten seconds: wait that long for the whole run to be counted.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const wal = await db.query<{ bytes: number; records: number }>(
      "select wal_bytes::float8 as bytes, wal_records::float8 as records from pg_stat_wal",
    );
    const tables = await db.query<TableCounts>(TABLES_SQL);
    const statements = hasStatements
      ? await db.query<{ query: string; calls: number; ms: number; rows: number }>(
          `select query, calls::float8 as calls, total_exec_time as ms, rows::float8 as rows
           from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())`,
        )
      : null;
    return {
      walBytes: Number(wal.rows[0]?.bytes ?? 0),
      walRecords: Number(wal.rows[0]?.records ?? 0),
      tables: new Map(tables.rows.map((t) => [t.table, t])),
      statements: statements
        ? new Map(statements.rows.map((s) => [s.query, { calls: s.calls, ms: s.ms, rows: s.rows }]))
        : null,
    };
  }

  const before = await snapshot(0);
  return {
    /** The cost since the meter started, per message, as printable lines. */
    async report(messages: number): Promise<string[]> {
      const after = await snapshot(11_000);
      const per = (n: number) => fmt(n / messages, 2);
      const lines = [
        `  PostgreSQL per message: ${per(after.walBytes - before.walBytes)} WAL bytes, ${per(after.walRecords - before.walRecords)} WAL records (the server-wide WAL, the benchmark's other databases included)`,
      ];
      let rows = 0;
      let entries = 0;
      const perTable: string[] = [];
      for (const [name, t] of after.tables) {
        const b = before.tables.get(name) ?? { ...t, ins: 0, upd: 0, hot: 0, del: 0 };
        const ins = t.ins - b.ins;
        const upd = t.upd - b.upd;
        const hot = t.hot - b.hot;
        const del = t.del - b.del;
        if ((ins + upd + del) / messages < 0.005) continue;
        const touched = (ins + (upd - hot)) * t.indexes;
        rows += ins + upd + del;
        entries += touched;
        perTable.push(
          `    ${name.padEnd(22)} inserted ${per(ins).padStart(6)}  updated ${per(upd).padStart(6)} (HOT ${per(hot)})  deleted ${per(del).padStart(5)}  index entries ${per(touched)}`,
        );
      }
      lines.push(
        `  rows written ${per(rows)}, index entries touched ${per(entries)}, by table:`,
        ...perTable,
      );
      if (after.statements) {
        const top = [...after.statements]
          .map(([query, s]) => {
            const b = before.statements?.get(query) ?? { calls: 0, ms: 0, rows: 0 };
            return { query, calls: s.calls - b.calls, ms: s.ms - b.ms, rows: s.rows - b.rows };
          })
          .filter((s) => s.calls > 0)
          .sort((x, y) => y.ms - x.ms)
          .slice(0, 8);
        lines.push("  statements by time (pg_stat_statements):");
        for (const s of top) {
          const text = s.query.replace(/\s+/g, " ").slice(0, 90);
          lines.push(
            `    ${fmt(s.ms).padStart(7)} ms  ${fmt(s.calls).padStart(7)} calls  ${fmt(s.rows).padStart(8)} rows  ${text}`,
          );
        }
      } else {
        lines.push(
          "  (pg_stat_statements is not loaded: add it to shared_preload_libraries for statement figures)",
        );
      }
      return lines;
    },
    close: () => db.close(),
  };
}
