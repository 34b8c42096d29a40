// The embedded data directory holds the database, the secret key and the
// admin token: only its owner may read it. Directories are 0700 and files
// 0600; a directory made before this rule is tightened when it is opened, and
// `alimi doctor` reports what is not.
//
// PGlite's file system layer sets its own modes (0666) on the database files
// it creates, whatever the umask: those files are private because every
// directory on the way to them is 0700, and they are tightened to 0600 again
// at each start. So the check asks for private directories everywhere and
// private files where Alimi writes them (the data directory's own files).
import { chmodSync, lstatSync, readdirSync } from "node:fs";
import path from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** What a process making private files sets: no bits for group and others. */
export const PRIVATE_UMASK = 0o077;

export interface LoosePath {
  path: string;
  /** The permission bits found, e.g. 0o644. */
  mode: number;
}

/**
 * What group or others may use: any directory below `dir` (itself included),
 * and any file directly in it.
 */
export function findLoosePaths(dir: string): LoosePath[] {
  const loose: LoosePath[] = [];
  walk(dir, (file, mode, isDir) => {
    const checked = isDir || path.dirname(file) === dir;
    if (checked && (mode & 0o077) !== 0) loose.push({ path: file, mode });
  });
  return loose;
}

/** Makes `dir` and everything below it private (0700 directories, 0600 files). */
export function makePrivate(dir: string): void {
  walk(dir, (file, mode, isDir) => {
    const wanted = isDir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((mode & 0o777) !== wanted) chmodSync(file, wanted);
  });
}

function walk(dir: string, visit: (file: string, mode: number, isDir: boolean) => void): void {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  // Links are not followed: they point outside what this directory owns.
  if (stat.isSymbolicLink()) return;
  visit(dir, stat.mode & 0o777, stat.isDirectory());
  if (!stat.isDirectory()) return;
  for (const name of readdirSync(dir)) walk(path.join(dir, name), visit);
}
