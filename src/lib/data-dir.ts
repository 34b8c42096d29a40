// The embedded data directory: the PGlite files, a lock that keeps a second
// process out, and the secrets generated on first start (mode 0600).
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makePrivate, PRIVATE_DIR_MODE } from "./private-files.ts";

export interface LockHolder {
  pid: number;
  /** Where the holding server answers admin requests, if it is a server. */
  adminUrl: string | null;
  startedAt: string;
}

export interface DataDirLock {
  readonly file: string;
  /** Records that this process now serves admin requests at `adminUrl`. */
  announce(adminUrl: string): void;
  release(): void;
}

export type LockResult = { ok: true; lock: DataDirLock } | { ok: false; holder: LockHolder };

const LOCK_FILE = "alimi.lock";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readLockHolder(dir: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), "utf8")) as LockHolder;
    return isAlive(holder.pid) ? holder : null;
  } catch {
    return null;
  }
}

/**
 * Takes the data directory for this process. The lock file is created
 * exclusively; a lock left by a process that no longer runs is taken over.
 */
export function lockDataDir(dir: string): LockResult {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // A directory made before it had to be private is tightened once it is ours.
  makePrivate(dir);
  const file = path.join(dir, LOCK_FILE);
  const write = (holder: LockHolder) => writeFileSync(file, `${JSON.stringify(holder)}\n`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      closeSync(fd);
      const holder: LockHolder = {
        pid: process.pid,
        adminUrl: null,
        startedAt: new Date().toISOString(),
      };
      write(holder);
      return {
        ok: true,
        lock: {
          file,
          announce(adminUrl) {
            holder.adminUrl = adminUrl;
            write(holder);
          },
          release() {
            const current = readLockHolder(dir);
            if (!current || current.pid === process.pid) rmSync(file, { force: true });
          },
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = readLockHolder(dir);
      if (holder && holder.pid !== process.pid) return { ok: false, holder };
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}

/** Reads a secret file, creating it with `make()` the first time. */
function readOrCreate(dir: string, name: string, make: () => string): string {
  const file = path.join(dir, name);
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const value = make();
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
    return value;
  }
}

/** The AES-256-GCM key for stored secrets when ALIMI_SECRET_KEY is not set. */
export function readOrCreateSecretKey(dir: string): Buffer {
  return Buffer.from(
    readOrCreate(dir, "secret.key", () => randomBytes(32).toString("hex")),
    "hex",
  );
}

/** The token that the CLI uses to ask a running server to do its work. */
export function readOrCreateAdminToken(dir: string): string {
  return readOrCreate(dir, "admin.token", () => randomBytes(32).toString("base64url"));
}

export function readAdminToken(dir: string): string | null {
  try {
    return readFileSync(path.join(dir, "admin.token"), "utf8").trim();
  } catch {
    return null;
  }
}

export const DEMO_FILE = "demo.json";

export function writeDemoCredentials(dir: string, demo: Record<string, string>): string {
  const file = path.join(dir, DEMO_FILE);
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return file;
}
