import { describe, expect, it } from "vitest";
import { expiresAt, firstPollAt, nextPollAt, POLL_CAP_MS } from "./poll-schedule.ts";

const MIN = 60_000;
const schedule = { pollAfterMs: 2 * MIN, expireAfterMs: 72 * 60 * MIN };
const sentAt = new Date("2026-12-01T00:00:00Z");
const at = (ms: number) => new Date(sentAt.getTime() + ms);

describe("firstPollAt / expiresAt", () => {
  it("polls first ALIMI_POLL_AFTER after sending and expires ALIMI_EXPIRE_AFTER after it", () => {
    expect(firstPollAt(sentAt, schedule)).toEqual(at(2 * MIN));
    expect(expiresAt(sentAt, schedule)).toEqual(at(72 * 60 * MIN));
  });
});

describe("nextPollAt", () => {
  it.each([
    // polls so far, polled at (after sending), next poll (after sending)
    [1, 2 * MIN, 6 * MIN], // waits 4m
    [2, 6 * MIN, 14 * MIN], // waits 8m
    [3, 14 * MIN, 30 * MIN], // waits 16m
    [5, 62 * MIN, 62 * MIN + POLL_CAP_MS], // 64m would pass the cap: 60m
    [40, 24 * 60 * MIN, 25 * 60 * MIN], // still the cap, no overflow
  ])("after poll %i at +%i ms, polls again at +%i ms", (polls, now, next) => {
    expect(nextPollAt({ sentAt, polls, now: at(now), schedule })).toEqual(at(next));
  });

  it("never schedules past the expiry", () => {
    const now = at(72 * 60 * MIN - 10 * MIN);
    expect(nextPollAt({ sentAt, polls: 20, now, schedule })).toEqual(at(72 * 60 * MIN));
  });

  it("moves forward even with a zero poll delay", () => {
    const now = at(5);
    const next = nextPollAt({ sentAt, polls: 1, now, schedule: { ...schedule, pollAfterMs: 0 } });
    expect(next.getTime()).toBeGreaterThan(now.getTime());
  });
});
