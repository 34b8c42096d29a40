// `alimi serve` as `npm start` runs it, for the browser tests: a real server
// process on a fresh embedded data directory and a free port, with the
// product's defaults (PGlite, the sandbox vendor, the demo organization), and
// the demo login it saved in demo.json.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type Ran, runProcess, type Spawned, spawnProcess } from "../processes.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

export interface Demo {
  orgId: string;
  apiKey: string;
  email: string;
  password: string;
}

export interface ConsoleServer {
  /** The server's base URL; the console is at `${url}/console`. */
  url: string;
  demo: Demo;
  process: Spawned;
  /** Runs `alimi <args>` on the server's data directory (the CLI hands it to the running server). */
  cli(args: string[]): Promise<Ran>;
  stop(): Promise<void>;
}

/** The caller's environment without its Alimi settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => name !== "DATABASE_URL" && !name.startsWith("ALIMI_") && name !== "PORT",
    ),
  );
}

export async function startConsoleServer(
  options: { env?: Record<string, string> } = {},
): Promise<ConsoleServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "alimi-console-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawnProcess(process.execPath, [MAIN, "serve"], {
    env: {
      ...cleanEnv(),
      ALIMI_DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: "warn",
      ...options.env,
    },
  });
  try {
    await server.waitForLine(/Console:\s+http:\/\/localhost:\d+\/console/, { timeoutMs: 90_000 });
  } catch (err) {
    await server.stop("SIGKILL").catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const demo = JSON.parse(readFileSync(path.join(dir, "demo.json"), "utf8")) as Demo;
  return {
    url,
    demo,
    process: server,
    cli: (args) =>
      runProcess(process.execPath, [MAIN, ...args], {
        env: { ...cleanEnv(), ALIMI_DATA_DIR: dir, LOG_LEVEL: "warn" },
        timeoutMs: 60_000,
      }),
    async stop() {
      await server.stop("SIGTERM", 30_000).catch(() => server.stop("SIGKILL"));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
