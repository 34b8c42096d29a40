import { describe, expect, it } from "vitest";
import { furthest, isFinal, predecessorsOf } from "./message-status.ts";

describe("predecessorsOf", () => {
  it.each([
    ["queued", ["accepted", "sending"]],
    ["sending", ["queued"]],
    ["sent", ["queued", "sending"]],
    ["delivered", ["queued", "sending", "sent"]],
    ["failed", ["queued", "sending", "sent"]],
    ["canceled", ["accepted", "queued"]],
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
