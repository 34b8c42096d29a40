import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lockDataDir } from "./data-dir.ts";
import { findLoosePaths, makePrivate } from "./private-files.ts";

const modeOf = (p: string) => statSync(p).mode & 0o777;

describe("private data directories", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  /** A data directory as an older version left it: 0755 directories, 0644 files. */
  function looseDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "alimi-private-"));
    dirs.push(dir);
    mkdirSync(path.join(dir, "pgdata", "base"), { recursive: true });
    writeFileSync(path.join(dir, "pgdata", "base", "1"), "x");
    writeFileSync(path.join(dir, "secret.key"), "k");
    for (const d of [dir, path.join(dir, "pgdata"), path.join(dir, "pgdata", "base")]) {
      chmodSync(d, 0o755);
    }
    chmodSync(path.join(dir, "pgdata", "base", "1"), 0o644);
    chmodSync(path.join(dir, "secret.key"), 0o644);
    return dir;
  }

  it("finds every directory, and every file of the data directory's own, that others may use", () => {
    const dir = looseDir();
    expect(findLoosePaths(dir).map((p) => [path.relative(dir, p.path), p.mode])).toEqual([
      ["", 0o755],
      ["pgdata", 0o755],
      ["pgdata/base", 0o755],
      ["secret.key", 0o644],
    ]);
  });

  it("makes them 0700 and 0600", () => {
    const dir = looseDir();
    makePrivate(dir);
    expect(findLoosePaths(dir)).toEqual([]);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(path.join(dir, "pgdata", "base"))).toBe(0o700);
    // Database files too, though PGlite makes its new ones 0666 (inside 0700 directories).
    expect(modeOf(path.join(dir, "pgdata", "base", "1"))).toBe(0o600);
  });

  it("taking the data directory tightens one made before the rule", () => {
    const dir = looseDir();
    const taken = lockDataDir(dir);
    expect(taken.ok).toBe(true);
    if (taken.ok) taken.lock.release();
    expect(findLoosePaths(dir)).toEqual([]);
  });
});
