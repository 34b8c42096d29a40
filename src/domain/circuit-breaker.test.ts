import { describe, expect, it } from "vitest";
import {
  allows,
  type BreakerState,
  CLOSED,
  onAbandoned,
  onCall,
  onFailure,
  onSuccess,
} from "./circuit-breaker.ts";

const policy = { failureThreshold: 3, windowMs: 10_000, openMs: 5_000, trialMs: 20_000 };

describe("circuit breaker", () => {
  it("opens after the threshold of failures within the window", () => {
    let s = CLOSED;
    s = onFailure(s, { now: 1_000, reason: "5xx", policy });
    s = onFailure(s, { now: 2_000, reason: "5xx", policy });
    expect(s).toEqual({ kind: "closed", failures: [1_000, 2_000] });
    expect(allows(s, 2_000)).toBe(true);
    s = onFailure(s, { now: 3_000, reason: "timeout", policy });
    expect(s).toEqual({ kind: "open", until: 8_000, reason: "timeout" });
    expect(allows(s, 7_999)).toBe(false);
  });

  it("forgets failures older than the window", () => {
    let s = CLOSED;
    s = onFailure(s, { now: 0, reason: "x", policy });
    s = onFailure(s, { now: 1_000, reason: "x", policy });
    s = onFailure(s, { now: 11_500, reason: "x", policy });
    expect(s).toEqual({ kind: "closed", failures: [11_500] });
  });

  it("half-opens for one trial, which closes or reopens it", () => {
    const open = { kind: "open" as const, until: 8_000, reason: "5xx" };
    expect(allows(open, 8_000)).toBe(true);
    const trial = onCall(open, 8_000);
    expect(trial).toEqual({ kind: "half-open", trialSince: 8_000, reason: "5xx" });
    expect(allows(trial, 8_001)).toBe(false);
    expect(onSuccess(trial)).toEqual(CLOSED);
    expect(onFailure(trial, { now: 9_000, reason: "again", policy })).toEqual({
      kind: "open",
      until: 14_000,
      reason: "again",
    });
  });

  it("a success in the closed state clears the failure count", () => {
    const s = onFailure(CLOSED, { now: 0, reason: "x", policy });
    expect(onSuccess(s)).toEqual(CLOSED);
    expect(onCall(CLOSED, 5)).toBe(CLOSED);
  });

  // A trial that never reports back must not keep the circuit shut for good.
  const trial: BreakerState = { kind: "half-open", trialSince: 8_000, reason: "5xx" };
  it.each([
    ["in progress", trial, 8_000 + 19_999, false],
    ["expired after trialMs", trial, 8_000 + 20_000, true],
    ["given back unused", onAbandoned(trial, 9_000), 9_000, true],
    ["open, not yet due", { kind: "open", until: 8_000, reason: "5xx" }, 7_999, false],
    ["closed", CLOSED, 0, true],
  ] as const)("a circuit %s lets a call through: %#", (_name, state, now, allowed) => {
    expect(allows(state, now, policy)).toBe(allowed);
  });

  it("an expired trial is replaced by a new one, which alone decides", () => {
    const next = onCall(trial, 28_000, policy);
    expect(next).toEqual({ kind: "half-open", trialSince: 28_000, reason: "5xx" });
    expect(allows(next, 28_001, policy)).toBe(false);
    expect(onCall(trial, 27_999, policy)).toBe(trial);
  });

  it("giving back a trial reopens the circuit for an immediate new trial; other states stay", () => {
    expect(onAbandoned(trial, 9_000)).toEqual({ kind: "open", until: 9_000, reason: "5xx" });
    expect(onAbandoned(CLOSED, 9_000)).toBe(CLOSED);
    const open = { kind: "open" as const, until: 20_000, reason: "5xx" };
    expect(onAbandoned(open, 9_000)).toBe(open);
  });
});
