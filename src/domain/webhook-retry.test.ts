import { describe, expect, it } from "vitest";
import { afterFailure, parseRetryAfter, RETRY_WINDOW_MS, retryDelayMs } from "./webhook-retry.ts";

describe("webhook retries", () => {
  it("double from 5 s to at most an hour, spread by a quarter either way", () => {
    expect(retryDelayMs(1, 0.5)).toBe(5_000);
    expect(retryDelayMs(2, 0.5)).toBe(10_000);
    expect(retryDelayMs(1, 0)).toBe(3_750);
    expect(retryDelayMs(1, 1)).toBe(6_250);
    expect(retryDelayMs(40, 0.5)).toBe(3_600_000);
  });

  it("go on for at least 24 hours, then give up", () => {
    const createdAt = new Date("2026-01-01T00:00:00Z");
    let now = createdAt;
    let attempts = 0;
    for (;;) {
      attempts++;
      const next = afterFailure({ attempts, createdAt, now, retryAfterMs: null, random: 0 });
      if (!next.retry) break;
      now = next.at;
    }
    expect(now.getTime() - createdAt.getTime()).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(60);
  });

  it("wait at least as long as Retry-After asks", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const next = afterFailure({
      attempts: 1,
      createdAt: now,
      now,
      retryAfterMs: 120_000,
      random: 0.5,
    });
    expect(next).toEqual({ retry: true, at: new Date(now.getTime() + 120_000) });
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
