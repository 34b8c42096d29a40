import { describe, expect, it } from "vitest";
import { canRetry, MAX_ATTEMPTS, retryDelayMs } from "./backoff.ts";

describe("retryDelayMs", () => {
  it.each([
    [1, 0.5, 1_000],
    [2, 0.5, 2_000],
    [3, 0.5, 4_000],
    [4, 0, 6_400],
    [4, 0.999_999, 9_600],
    [10, 0.5, 300_000],
    [100, 0.5, 300_000],
    [0, 0.5, 1_000],
  ])("attempt %i with random %f waits %i ms", (attempt, random, expected) => {
    expect(retryDelayMs(attempt, random)).toBe(expected);
  });
});

describe("canRetry", () => {
  it("allows attempts up to the limit", () => {
    expect(MAX_ATTEMPTS).toBe(5);
    expect([1, 2, 3, 4, 5].map(canRetry)).toEqual([true, true, true, true, false]);
  });
});
