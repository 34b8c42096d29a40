// A command against a PostgreSQL database nobody migrated yet says to run
// `alimi migrate`, in one line, instead of failing on a missing table.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createTestDatabaseUrl } from "./db.ts";
import { runProcess } from "./processes.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

describe("an unmigrated PostgreSQL", { timeout: 30_000 }, () => {
  it("org create and serve say to run alimi migrate", async () => {
    const url = await createTestDatabaseUrl({ migrated: false });
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      ALIMI_SECRET_KEY: "a".repeat(64),
      PORT: "0",
      LOG_LEVEL: "warn",
    };
    const create = await runProcess(process.execPath, [MAIN, "org", "create", "--name", "A"], {
      env,
    });
    expect(create.code).toBe(1);
    expect(create.stderr.trim().split("\n")).toEqual([
      "alimi: the database is not migrated: run `alimi migrate` first",
    ]);
    const serve = await runProcess(process.execPath, [MAIN, "serve"], { env });
    expect(serve.code).toBe(1);
    expect(serve.stderr.trim().split("\n")).toEqual([
      "alimi: the database is not migrated: run `alimi migrate` first, or start with `alimi serve --migrate`",
    ]);
  });
});
