// Real child processes for tests: spawn, wait for a line of output, collect
// what they print, and make sure none outlives the test file.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll } from "vitest";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the match of the first line (so far or later) matching `pattern`. */
  waitForLine(
    pattern: RegExp,
    options?: { stream?: "stdout" | "stderr"; timeoutMs?: number },
  ): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited; rejects after `timeoutMs`. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  /** Sends `signal`, waits for the exit, and kills it outright if it takes longer than `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const running = new Set<Spawned>();

// A worker that dies without running afterAll must not leave children behind.
process.once("exit", () => {
  for (const p of running) p.child.kill("SIGKILL");
});

export function spawnProcess(command: string, args: string[], options: SpawnOptions = {}): Spawned {
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`cannot start ${command} ${args.join(" ")}`);
  const out = { stdout: "", stderr: "" };
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out.stdout += chunk;
    notify();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    out.stderr += chunk;
    notify();
  });

  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    // "close" fires after the exit and after both streams have ended, so the output is complete.
    child.once("close", (code, signal) => {
      exit = { code, signal };
      running.delete(spawned);
      notify();
      resolve(exit);
    });
  });
  const describe = () =>
    `${command} ${args.join(" ")} (pid ${child.pid})\n--- stdout ---\n${out.stdout}\n--- stderr ---\n${out.stderr}`;

  const waitForExit = (timeoutMs = 10_000): Promise<Exit> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`still running after ${timeoutMs} ms: ${describe()}`)),
        timeoutMs,
      );
      void exited.then((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });

  const spawned: Spawned = {
    child,
    pid: child.pid,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    waitForLine(pattern, { stream = "stdout", timeoutMs = 15_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of out[stream].split("\n")) {
            const match = line.match(pattern);
            if (match) return finish(() => resolve(match));
          }
          if (exit) {
            finish(() =>
              reject(
                new Error(
                  `exited (${JSON.stringify(exit)}) before printing ${pattern}: ${describe()}`,
                ),
              ),
            );
          }
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`no line ${pattern} after ${timeoutMs} ms: ${describe()}`)),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    waitForExit,
    async stop(signal = "SIGTERM", timeoutMs = 5_000) {
      if (exit) return exit;
      child.kill(signal);
      try {
        return await waitForExit(timeoutMs);
      } catch (err) {
        child.kill("SIGKILL");
        await exited;
        throw err;
      }
    },
  };
  running.add(spawned);
  return spawned;
}

export interface Ran extends Exit {
  stdout: string;
  stderr: string;
}

/**
 * Runs a process to its end and returns its exit and output; kills it after
 * `timeoutMs` (default 60 s: a CLI command's start-up alone takes seconds
 * while other test files load the same two cores).
 */
export async function runProcess(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<Ran> {
  const p = spawnProcess(command, args, options);
  try {
    const exit = await p.waitForExit(options.timeoutMs ?? 60_000);
    return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
  } finally {
    if (running.has(p)) await p.stop("SIGKILL").catch(() => {});
  }
}

/** Kills every process these helpers started that still runs. */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop("SIGKILL", 5_000).catch(() => {})));
}

/** Call at the top of a test file (or describe): its processes are killed when it ends. */
export function useProcesses(): void {
  afterAll(killAll);
}

/** A TCP port nothing listens on now, for a child process to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
