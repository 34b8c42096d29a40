import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config.ts";
import { AppError, SetupError } from "../lib/errors.ts";
import { describeFailure } from "./failure.ts";

const thrown = (work: () => unknown): unknown => {
  try {
    work();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
};

describe("describeFailure", () => {
  it.each([
    {
      what: "a configuration problem",
      err: new ConfigError(["PORT: must be an integer", "LOG_LEVEL: must be one of …"]),
      line: "invalid configuration: PORT: must be an integer; LOG_LEVEL: must be one of … (see the README's configuration table)",
      exitCode: 2,
    },
    {
      what: "a setup mistake carries its fix",
      err: new SetupError("ALIMI_SECRET_KEY is required with DATABASE_URL", {
        hint: "set it",
        exitCode: 2,
      }),
      line: "ALIMI_SECRET_KEY is required with DATABASE_URL: set it",
      exitCode: 2,
    },
    {
      what: "a bad flag value",
      err: new AppError("VALIDATION_FAILED", "--amount: not a number"),
      line: "--amount: not a number",
      exitCode: 2,
    },
    {
      what: "something missing",
      err: new AppError("NOT_FOUND", "organization org_x not found"),
      line: "organization org_x not found",
      exitCode: 1,
    },
    {
      what: "an unknown flag",
      err: thrown(() => parseArgs({ args: ["--nope"], options: {} })),
      line: "unknown option --nope (alimi --help lists the commands)",
      exitCode: 2,
    },
    {
      what: "a table that does not exist yet",
      err: Object.assign(new Error('relation "orgs" does not exist'), { code: "42P01" }),
      line: 'the database is not migrated (relation "orgs" does not exist): run `alimi migrate` first',
      exitCode: 1,
    },
    {
      what: "PostgreSQL refusing connections on every address",
      err: Object.assign(new AggregateError([], ""), {
        errors: [
          Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
        ],
      }),
      line: "cannot use the database (connect ECONNREFUSED 127.0.0.1:1): is PostgreSQL running, and is DATABASE_URL's host and port right?",
      exitCode: 1,
    },
    {
      what: "a bug",
      err: new TypeError("x is not a function\n    at somewhere"),
      line: "unexpected error: x is not a function (run again with --verbose for the stack trace)",
      exitCode: 1,
    },
  ])("$what", ({ err, line, exitCode }) => {
    const told = describeFailure(err);
    expect(told).toEqual({ line, exitCode });
    expect(told.line).not.toContain("\n");
  });
});
