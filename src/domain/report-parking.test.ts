import { describe, expect, it } from "vitest";
import { isPastWindow, nextCheckAt, PARKED_CHECK_CAP_MS } from "./report-parking.ts";

const receivedAt = new Date("2026-12-01T00:00:00Z");
const at = (ms: number) => new Date(receivedAt.getTime() + ms);
const windowMs = 10 * 60_000;

describe("parked report checks", () => {
  it("backs off from 1 s, doubling, at most a minute apart", () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(
      (checks) =>
        nextCheckAt({ receivedAt, checks, now: at(0), windowMs }).getTime() - receivedAt.getTime(),
    );
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(Math.max(...waits)).toBe(PARKED_CHECK_CAP_MS);
  });

  it("looks for the last time when the window ends, and then it is over", () => {
    const last = nextCheckAt({ receivedAt, checks: 12, now: at(windowMs - 5_000), windowMs });
    expect(last).toEqual(at(windowMs));
    expect(isPastWindow({ receivedAt, now: at(windowMs - 1), windowMs })).toBe(false);
    expect(isPastWindow({ receivedAt, now: last, windowMs })).toBe(true);
  });

  it("is looked at about fifteen times over the default window", () => {
    let now = at(0);
    let checks = 0;
    while (!isPastWindow({ receivedAt, now, windowMs })) {
      checks += 1;
      now = nextCheckAt({ receivedAt, checks, now, windowMs });
    }
    expect(checks).toBeLessThanOrEqual(16);
  });
});
