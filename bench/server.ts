// Alimi as users run it, for benchmarks: the real server process
// (`node src/main.ts serve`, the product's defaults) on a fresh PostgreSQL
// database or a fresh embedded data directory, with organizations created by
// the CLI and every request over HTTP from this, another, process.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, runProcess, type Spawned, spawnProcess } from "../test/processes.ts";
import { createBenchDatabase } from "./support.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** The node flags `npm start` runs the server with (its heap ceiling), read from package.json. */
function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    scripts: { start: string };
  };
  const words = pkg.scripts.start.split(/\s+/);
  return words.slice(1, words.indexOf("src/main.ts"));
}

export type Engine = "pglite" | "postgres";
export type Role = "all" | "api" | "worker";

export interface RunningServer {
  engine: Engine;
  /** The API's base URL. */
  url: string;
  /** The fresh PostgreSQL database the server runs on (engine postgres). */
  databaseUrl: string | null;
  processes: Spawned[];
  /** Runs an `alimi` CLI command against the same database; returns its JSON answer. */
  cli(...args: string[]): Promise<unknown>;
  /** An organization with credits and the demo caller number as its default sender. */
  tenant(name: string, credits: number): Promise<{ orgId: string; apiKey: string }>;
  /** The resident set size of each server process, in bytes (Linux /proc). */
  rss(): Promise<number[]>;
  /** The peak resident set size of each server process so far, in bytes (VmHWM). */
  peakRss(): Promise<number[]>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  engine: Engine;
  /** The PostgreSQL server to create a fresh database on (engine postgres). */
  databaseUrl?: string;
  /** One process of each role given; default one `all`. PGlite allows one process only. */
  roles?: Role[];
  env?: Record<string, string>;
}

/** A clean environment: none of the caller's Alimi settings leak into the server. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => name !== "DATABASE_URL" && !name.startsWith("ALIMI_") && name !== "PORT",
    ),
  );
}

/** Server settings a run adds: `BENCH_SERVER_ENV="ALIMI_VENDOR_CONCURRENCY=32 ALIMI_DB_POOL_SIZE=40"`. */
function benchSettings(list: string | undefined): Record<string, string> {
  if (!list) return {};
  return Object.fromEntries(
    list
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf("=");
        if (at <= 0) throw new Error(`BENCH_SERVER_ENV: "${pair}" is not NAME=value`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
  );
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const roles = options.roles ?? ["all"];
  if (options.engine === "pglite" && roles.length !== 1) {
    throw new Error("the embedded database belongs to one process");
  }
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    LOG_LEVEL: "warn",
    // The probes poll each campaign every 20 ms, harder than the per-key limit lets a client.
    ALIMI_RATE_LIMIT: "0",
    ...options.env,
    ...benchSettings(process.env.BENCH_SERVER_ENV),
  };
  let cleanup: () => Promise<void>;
  if (options.engine === "postgres") {
    if (!options.databaseUrl) throw new Error("engine postgres needs databaseUrl");
    const database = await createBenchDatabase(options.databaseUrl);
    env.DATABASE_URL = database.url;
    env.ALIMI_SECRET_KEY ??= randomBytes(32).toString("hex");
    cleanup = () => database.drop();
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "alimi-bench-"));
    env.ALIMI_DATA_DIR = dir;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }

  const apiPort = await freePort();
  const url = `http://127.0.0.1:${apiPort}`;
  // Vendors (the sandbox) reach the server at the API's address, whichever process sends.
  env.ALIMI_PUBLIC_URL ??= url;
  const processes: Spawned[] = [];
  const cli = async (...args: string[]) => {
    const ran = await runProcess(process.execPath, [MAIN, ...args, "--json"], {
      env,
      timeoutMs: 60_000,
    });
    if (ran.code !== 0) throw new Error(`alimi ${args.join(" ")}: ${ran.stderr || ran.stdout}`);
    return JSON.parse(ran.stdout);
  };
  try {
    if (options.engine === "postgres") await cli("migrate");
    let listening = false;
    for (const role of roles) {
      // The first process that serves HTTP answers at `url`; any other on a port of its own.
      const port = role === "worker" || listening ? 0 : apiPort;
      if (role !== "worker") listening = true;
      const p = spawnProcess(process.execPath, [...startFlags(), MAIN, "serve", "--role", role], {
        env: { ...env, PORT: String(port) },
      });
      processes.push(p);
      await p.waitForLine(role === "worker" ? /Alimi workers are running/ : /Alimi is running/, {
        timeoutMs: 60_000,
      });
    }
  } catch (err) {
    await Promise.all(processes.map((p) => p.stop("SIGKILL").catch(() => {})));
    await cleanup();
    throw err;
  }

  return {
    engine: options.engine,
    url,
    databaseUrl: env.DATABASE_URL ?? null,
    processes,
    cli,
    async tenant(name, credits) {
      const org = (await cli("org", "create", "--name", name, "--credits", String(credits))) as {
        orgId: string;
        apiKey: string;
      };
      await cli("sender", "add", "--org", org.orgId, "--number", "02-1234-5678");
      return { orgId: org.orgId, apiKey: org.apiKey };
    },
    rss: () => procStatus(processes, "VmRSS"),
    peakRss: () => procStatus(processes, "VmHWM"),
    async stop() {
      await Promise.all(processes.map((p) => p.stop("SIGTERM", 30_000).catch(() => {})));
      await cleanup();
    },
  };
}

/** A size field of each process's /proc status, in bytes. */
async function procStatus(processes: Spawned[], field: "VmRSS" | "VmHWM"): Promise<number[]> {
  const { readFile } = await import("node:fs/promises");
  return Promise.all(
    processes.map(async (p) => {
      const status = await readFile(`/proc/${p.pid}/status`, "utf8").catch(() => "");
      const kb = Number(status.match(new RegExp(`^${field}:\\s+(\\d+)`, "m"))?.[1] ?? 0);
      return kb * 1024;
    }),
  );
}

/** A JSON request to the server; throws with the answer when the status is not `expect`. */
export async function request<T>(
  url: string,
  key: string,
  init: { method?: string; body?: unknown; expect?: number } = {},
): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const expected = init.expect ?? (init.body === undefined ? 200 : 202);
  if (res.status !== expected) {
    throw new Error(
      `${init.method ?? "request"} ${url} answered ${res.status}: ${await res.text()}`,
    );
  }
  return (await res.json()) as T;
}

export function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}
