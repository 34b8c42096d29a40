import { describe, expect, it } from "vitest";
import { nextReviewCheck } from "./template-review.ts";

const at = (iso: string) => new Date(iso);
const MIN = 60_000;

describe("nextReviewCheck", () => {
  it.each([
    ["just requested", 0, 1],
    ["9 minutes in", 9, 1],
    ["10 minutes in", 10, 5],
    ["59 minutes in", 59, 5],
    ["an hour in", 60, 15],
    ["23 hours in", 23 * 60, 15],
    ["a day in", 24 * 60, 60],
    ["a week in", 7 * 24 * 60, 60],
  ])("%s → %i minutes later", (_name, minutesIn, wait) => {
    const requested = at("2026-12-01T00:00:00Z");
    const now = new Date(requested.getTime() + minutesIn * MIN);
    expect(nextReviewCheck(now, requested).getTime() - now.getTime()).toBe(wait * MIN);
  });

  it("treats an unknown request time as now, and a future one as now", () => {
    const now = at("2026-12-01T00:00:00Z");
    expect(nextReviewCheck(now, null).getTime() - now.getTime()).toBe(MIN);
    expect(nextReviewCheck(now, at("2026-12-02T00:00:00Z")).getTime() - now.getTime()).toBe(MIN);
  });
});
