// The crash test in its short form (bench/crash.ts runs the long one): the
// whole all-in-one server killed with SIGKILL mid-campaign and restarted.
import { describe, expect, it } from "vitest";
import { crashPassed, runCrashScenario } from "./crash-scenario.ts";
import { createTestDatabaseUrl } from "./db.ts";
import { useProcesses } from "./processes.ts";

useProcesses();

describe("the whole server killed with SIGKILL mid-campaign (PostgreSQL)", () => {
  it("ends with every message final as its recipient dictates, settled exactly once, doctor clean", async () => {
    const url = await createTestDatabaseUrl();
    const lines: string[] = [];
    const report = await runCrashScenario({
      log: (line) => lines.push(line),
      url,
      messages: 2000,
      kills: 3,
      pollAfter: "5s",
      expireAfter: "20s",
      // Reports come 2 s after acceptance: every kill finds some still owed.
      sandboxDelayMs: 2000,
    });
    expect(report).toMatchObject({
      messages: expect.any(Number),
      receivedTwice: 0,
      notFinal: 0,
      wrongOutcome: 0,
      unsettled: 0,
      badSettlements: 0,
      violations: [],
    });
    expect(report.messages).toBeGreaterThanOrEqual(2000);
    // The kills hit work in flight: reports owed and messages out at the vendor.
    expect(Math.max(...report.owedAtKills), lines.join("\n")).toBeGreaterThan(0);
    expect(report.ledger.capture + report.ledger.release).toBe(report.ledger.hold);
    expect(crashPassed(report), lines.join("\n")).toBe(true);
  }, 150_000);
});
