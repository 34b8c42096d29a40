// One small database interface over two engines: a pooled PostgreSQL server
// (pg) and PGlite (PostgreSQL compiled to WebAssembly, in-process). Both speak
// the same SQL; this file hides only how they connect and run transactions.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";

export interface QueryResult<T> {
  rows: T[];
  affectedRows: number;
}

/** Anything statements can run on: the database itself or an open transaction. */
export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
  /**
   * Bulk-loads rows with COPY … FROM STDIN. `chunks` are lines in COPY's text
   * format (see copy-text.ts), produced lazily so that a large load streams.
   */
  copyFrom(target: CopyTarget, chunks: Iterable<string>): Promise<void>;
}

export interface CopyTarget {
  table: string;
  columns: readonly string[];
}

function copyStatement(target: CopyTarget, source: string): string {
  return `copy ${quoteIdent(target.table)} (${target.columns.map(quoteIdent).join(", ")}) from ${source}`;
}

export interface Db extends Queryable {
  readonly engine: "postgres" | "pglite";
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` on one dedicated connection (session-level locks, LISTEN). */
  session<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

const INT8 = 20;
const INT8_ARRAY = 1016;

function parseInt8Array(text: string): bigint[] {
  if (text === "{}") return [];
  return text
    .slice(1, -1)
    .split(",")
    .map((v) => BigInt(v));
}

export function openPostgres(options: { url: string; poolSize?: number }): Db {
  // bigint columns come back as bigint on both engines (money is bigint micro-credits).
  const types = {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === INT8) return (v: string) => BigInt(v);
      if (oid === INT8_ARRAY) return parseInt8Array;
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types: types as pg.CustomTypesConfig,
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => {});

  const run = async <T>(client: pg.Pool | pg.PoolClient, text: string, params?: unknown[]) => {
    const r = await client.query(text, params as unknown[]);
    return { rows: r.rows as T[], affectedRows: r.rowCount ?? 0 };
  };
  // A connection the server drops while we hold it (between two statements of
  // a transaction) reports through an 'error' event; unheard, it would crash
  // the process. The statement in progress fails on its own.
  const ignore = () => {};
  const checkout = async () => {
    const client = await pool.connect();
    client.on("error", ignore);
    return client;
  };
  const giveBack = (client: pg.PoolClient) => {
    client.off("error", ignore);
    client.release();
  };
  const copy = async (client: pg.PoolClient, target: CopyTarget, chunks: Iterable<string>) => {
    await pipeline(
      Readable.from(chunks),
      client.query(copyFromStdin(copyStatement(target, "stdin"))),
    );
  };
  const wrap = (client: pg.PoolClient): Queryable => ({
    query: (text, params) => run(client, text, params),
    copyFrom: (target, chunks) => copy(client, target, chunks),
  });

  return {
    engine: "postgres",
    query: (text, params) => run(pool, text, params),
    async copyFrom(target, chunks) {
      const client = await checkout();
      try {
        await copy(client, target, chunks);
      } finally {
        giveBack(client);
      }
    },
    async tx(fn) {
      const client = await checkout();
      try {
        await client.query("begin");
        const result = await fn(wrap(client));
        await client.query("commit");
        return result;
      } catch (err) {
        await client.query("rollback").catch(() => {});
        throw err;
      } finally {
        giveBack(client);
      }
    },
    async session(fn) {
      const client = await checkout();
      try {
        return await fn(wrap(client));
      } finally {
        giveBack(client);
      }
    },
    /**
     * LISTENs on a dedicated connection. If the server drops it (restart,
     * failover), the error must not crash the process: the connection is
     * discarded and LISTEN is set up again on a new one, once a second until
     * it works. Wake-ups missed meanwhile are covered by the workers' polling.
     */
    async listen(channel, onNotify) {
      let closed = false;
      let current: { client: pg.PoolClient; onError: (err: Error) => void } | null = null;
      const handler = (msg: pg.Notification) => {
        if (msg.channel === channel) onNotify(msg.payload ?? "");
      };
      const connect = async (): Promise<void> => {
        const client = await pool.connect();
        const onError = (err: Error) => {
          client.off("notification", handler);
          // Only the connection in use is ours to give back (and to replace).
          if (current?.client !== client) return;
          current = null;
          client.release(err);
          if (!closed) setTimeout(() => void retry(), 1000);
        };
        client.on("notification", handler);
        client.once("error", onError);
        current = { client, onError };
        try {
          await client.query(`listen ${quoteIdent(channel)}`);
        } catch (err) {
          if (current?.client === client) {
            current = null;
            client.off("error", onError);
            client.release(err as Error);
          }
          throw err;
        }
      };
      const retry = async () => {
        if (closed) return;
        await connect().catch(() => setTimeout(() => void retry(), 1000));
      };
      await connect();
      return async () => {
        closed = true;
        const held = current;
        current = null;
        if (!held) return;
        held.client.off("notification", handler);
        await held.client.query(`unlisten ${quoteIdent(channel)}`).catch(() => {});
        held.client.off("error", held.onError);
        held.client.release();
      };
    },
    async notify(channel, payload) {
      await pool.query("select pg_notify($1, $2)", [channel, payload]);
    },
    close: () => pool.end(),
  };
}

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<Db> {
  const db = await PGlite.create(options.dataDir, {
    loadDataDir: options.loadDataDir,
    parsers: { [INT8]: (v: string) => BigInt(v), [INT8_ARRAY]: parseInt8Array },
  });
  return wrapPglite(db);
}

export function wrapPglite(db: PGlite): Db {
  const run = async <T>(
    target: PGlite | Transaction,
    text: string,
    params?: unknown[],
  ): Promise<QueryResult<T>> => {
    const r = await target.query<T>(text, params);
    return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
  };
  // PGlite reads COPY input from a virtual file holding the whole blob.
  const copy = async (target: PGlite | Transaction, to: CopyTarget, chunks: Iterable<string>) => {
    await target.query(copyStatement(to, "'/dev/blob'"), [], { blob: new Blob([...chunks]) });
  };
  const on = (target: PGlite | Transaction): Queryable => ({
    query: (text, params) => run(target, text, params),
    copyFrom: (to, chunks) => copy(target, to, chunks),
  });
  return {
    engine: "pglite",
    ...on(db),
    // PGlite has one connection: a transaction holds it exclusively and other
    // queries wait, which gives the same isolation a server would.
    tx: (fn) => db.transaction((t) => fn(on(t))),
    session: (fn) => fn(on(db)),
    async listen(channel, onNotify) {
      return db.listen(channel, onNotify);
    },
    async notify(channel, payload) {
      await db.query("select pg_notify($1, $2)", [channel, payload]);
    },
    close: () => db.close(),
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
