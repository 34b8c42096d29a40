// The crash test in its short form (bench/crash.ts runs the long one).
import { describe, expect, it } from "vitest";
import { runCrashScenario } from "./crash-scenario.ts";
import { createTestDatabaseUrl } from "./db.ts";

describe("workers killed with SIGKILL mid-campaign (PostgreSQL)", () => {
  it("every message ends final and settled exactly once, and the vendor got each once", async () => {
    const url = await createTestDatabaseUrl();
    const report = await runCrashScenario({ url, messages: 6000, kills: 3 });
    expect(report.messages).toBeGreaterThanOrEqual(6000);
    expect(report).toMatchObject({
      receivedTwice: 0,
      notFinal: 0,
      unsettled: 0,
      badSettlements: 0,
      violations: [],
    });
    expect(report.ledger.capture + report.ledger.release).toBe(report.ledger.hold);
  }, 180_000);
});
