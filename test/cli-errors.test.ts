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

describe("CLI failures", { timeout: 120_000 }, () => {
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

  it("negative, zero, huge or malformed amounts and stray flags are one line and exit 2, before any database", {
    timeout: 90_000,
  }, async () => {
    // An unreachable database: each of these must be refused before it is tried.
    const env = { DATABASE_URL: NOWHERE, ALIMI_SECRET_KEY: "a".repeat(64) };
    const cases: [string[], string][] = [
      [
        ["credits", "grant", "--org", "org_x", "--amount", "-5"],
        "alimi: --amount must be more than 0, not -5",
      ],
      [
        ["credits", "grant", "--org", "org_x", "--amount=-5"],
        "alimi: --amount must be more than 0, not -5",
      ],
      [
        ["credits", "grant", "--org", "org_x", "--amount", "0"],
        "alimi: --amount must be more than 0, not 0",
      ],
      [
        ["credits", "grant", "--org", "org_x", "--amount", "99999999999999999999999"],
        "alimi: --amount is too large: at most 1000000000 credits at once",
      ],
      [
        ["credits", "grant", "--org", "org_x", "--amount", "1e3"],
        'alimi: --amount: "1e3" is not a credit amount: use a decimal number with at most 6 decimals, like "15.50".',
      ],
      [
        ["org", "create", "--name", "Shop", "--credits", "-10"],
        "alimi: --credits must be 0 or more, not -10",
      ],
      [
        ["org", "create", "--name", "Shop", "--kind", "galaxy"],
        "alimi: --kind must be one of headquarters, distributor, agency, branch",
      ],
      [
        ["doctor", "--amount", "5"],
        "alimi: doctor takes no --amount (alimi --help lists its options)",
      ],
      [
        ["credits", "grant", "--org", "org_x", "--number", "1"],
        "alimi: credits grant takes no --number (alimi --help lists its options)",
      ],
      [["serve", "--role", "bogus"], 'alimi: --role must be api, worker or all, not "bogus"'],
      [
        ["credits", "grant", "--org", "org_x", "--amount"],
        "alimi: Option '--amount <value>' argument missing (alimi --help lists the commands)",
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => alimi(env, ...args)));
    for (const [i, r] of results.entries()) {
      const [args, line] = cases[i] as [string[], string];
      expect({ args, code: r.code, stderr: r.stderr.trim().split("\n") }).toEqual({
        args,
        code: 2,
        stderr: [line],
      });
    }
  });

  it("a bad setting is one line and exit 2", async () => {
    const r = await alimi({ PORT: "eighty" }, "doctor");
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^alimi: invalid configuration: PORT: /);
  });
});
