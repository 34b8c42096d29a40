import { describe, expect, it } from "vitest";
import {
  FINAL_STATUSES,
  furthest,
  IN_FLIGHT_STATUSES,
  isFinal,
  MESSAGE_STATUSES,
  predecessorsOf,
  sqlList,
} from "./message-status.ts";

describe("predecessorsOf", () => {
  it.each([
    ["queued", ["accepted", "sending"]],
    ["sending", ["queued"]],
    ["sent", ["queued", "sending"]],
    ["delivered", ["queued", "sending", "sent"]],
    ["failed", ["queued", "sending", "sent"]],
    ["canceled", ["draft", "accepted", "queued"]],
    ["expired", ["sent"]],
  ] as const)("%s can be reached from %j only", (to, from) => {
    expect(predecessorsOf(to)).toEqual(from);
  });

  it("never lets a final status move", () => {
    for (const to of [
      "queued",
      "sending",
      "sent",
      "delivered",
      "failed",
      "canceled",
      "expired",
    ] as const) {
      expect(predecessorsOf(to).some((s) => isFinal(s))).toBe(false);
    }
  });
});

describe("furthest", () => {
  it("prefers a final report over sent, and the first of two finals", () => {
    expect(furthest([{ status: "sent" }, { status: "delivered" }, { status: "sent" }])).toEqual({
      status: "delivered",
    });
    const a = { status: "failed" as const, n: 1 };
    const b = { status: "delivered" as const, n: 2 };
    expect(furthest([a, b])).toBe(a);
    expect(furthest([])).toBeNull();
  });
});

describe("the status lists the schema and the SQL are built from", () => {
  it("splits every status into in flight or final", () => {
    expect(IN_FLIGHT_STATUSES).toEqual(["draft", "accepted", "queued", "sending", "sent"]);
    expect([...IN_FLIGHT_STATUSES, ...FINAL_STATUSES].sort()).toEqual([...MESSAGE_STATUSES].sort());
  });

  it.each([
    [["queued"], "'queued'"],
    [FINAL_STATUSES, "'delivered', 'failed', 'canceled', 'expired'"],
  ] as const)("renders %j as SQL literals", (list, sql) => {
    expect(sqlList(list)).toBe(sql);
  });

  it("refuses anything that is not a status (nothing unknown reaches the SQL)", () => {
    expect(() => sqlList(["queued', 'x" as never])).toThrow(/unknown status/);
  });
});
