// What a newcomer sees when a command fails: one line on stderr that says
// what is wrong and what to do, the right exit code, and a stack trace only
// when asked for with --verbose.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runProcess } from "./processes.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
// A port nothing listens on: connections are refused at once.
const NOWHERE = "postgres://postgres@127.0.0.1:1/alimi";

const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(([n]) => n !== "DATABASE_URL" && !n.startsWith("ALIMI_")),
);
const alimi = (env: Record<string, string>, ...args: string[]) =>
  runProcess(process.execPath, [MAIN, ...args], { env: { ...baseEnv, LOG_LEVEL: "warn", ...env } });

const STACK = /^\s+at /m;

describe("CLI failures", { timeout: 30_000 }, () => {
  it("a missing ALIMI_SECRET_KEY with DATABASE_URL is one line and exit 2", async () => {
    const r = await alimi({ DATABASE_URL: NOWHERE }, "serve");
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      "alimi: ALIMI_SECRET_KEY is required with DATABASE_URL: set it to 32 random bytes, e.g. `openssl rand -hex 32`, the same in every process",
    ]);
  });

  it("an unreachable PostgreSQL names the fix, without a stack trace", async () => {
    const r = await alimi({ DATABASE_URL: NOWHERE }, "migrate");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^alimi: cannot use the database \(.*ECONNREFUSED.*\): is PostgreSQL running/,
    );
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("--verbose adds the stack trace", async () => {
    const r = await alimi({ DATABASE_URL: NOWHERE }, "migrate", "--verbose");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^alimi: cannot use the database/);
    expect(r.stderr).toMatch(STACK);
  });

  it("an unknown flag or command is one line and exit 2", async () => {
    const flag = await alimi({}, "doctor", "--nope");
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toBe(
      "alimi: unknown option --nope (alimi --help lists the commands)",
    );
    const command = await alimi({}, "frobnicate");
    expect(command.code).toBe(2);
    expect(command.stderr.trim()).toBe(
      'alimi: unknown command "frobnicate" (alimi --help lists the commands)',
    );
  });

  it("a bad setting is one line and exit 2", async () => {
    const r = await alimi({ PORT: "eighty" }, "doctor");
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^alimi: invalid configuration: PORT: /);
  });
});
