// A circuit breaker per vendor account: when calls keep failing the way an
// outage fails (timeouts, 5xx, transport errors), new sends stop going there
// for a while; then one trial call is let through, and its outcome closes the
// circuit again or reopens it. A trial that never reports back (the caller
// made no call after all, or crashed) must not keep the circuit shut for
// good: the caller gives an unused trial back (onAbandoned), and a trial
// older than `trialMs` is over anyway and another one may start. Pure: the
// state is a value, the clock passed in.

export interface BreakerPolicy {
  /** Failures within `windowMs` that open the circuit. */
  failureThreshold: number;
  windowMs: number;
  /** How long an open circuit refuses calls before letting one trial through. */
  openMs: number;
  /** How long a half-open trial may go unanswered before another one may start. */
  trialMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  failureThreshold: 3,
  windowMs: 30_000,
  openMs: 15_000,
  // Longer than any adapter's own request timeout, so a trial in flight is not doubled.
  trialMs: 60_000,
};

export type BreakerState =
  | { kind: "closed"; failures: number[] }
  | { kind: "open"; until: number; reason: string }
  | { kind: "half-open"; trialSince: number; reason: string };

export const CLOSED: BreakerState = { kind: "closed", failures: [] };

/**
 * May a call go through now? A half-open circuit lets one trial at a time,
 * and another once the trial in progress is older than `trialMs`.
 */
export function allows(state: BreakerState, now: number, policy?: BreakerPolicy): boolean {
  if (state.kind === "closed") return true;
  if (state.kind === "open") return now >= state.until;
  return now - state.trialSince >= (policy ?? DEFAULT_BREAKER_POLICY).trialMs;
}

/**
 * The state once a call is let through: an expired open circuit starts its
 * trial, and so does a half-open one whose trial expired.
 */
export function onCall(state: BreakerState, now: number, policy?: BreakerPolicy): BreakerState {
  if (state.kind === "closed" || !allows(state, now, policy)) return state;
  return { kind: "half-open", trialSince: now, reason: state.reason };
}

/**
 * The trial let through was not used (nothing was sent, or the call never
 * came back with an outcome): the next call may be the trial at once.
 */
export function onAbandoned(state: BreakerState, now: number): BreakerState {
  if (state.kind !== "half-open") return state;
  return { kind: "open", until: now, reason: state.reason };
}

export function onSuccess(_state: BreakerState): BreakerState {
  return CLOSED;
}

export function onFailure(
  state: BreakerState,
  options: { now: number; reason: string; policy?: BreakerPolicy },
): BreakerState {
  const policy = options.policy ?? DEFAULT_BREAKER_POLICY;
  const { now, reason } = options;
  if (state.kind === "half-open") return { kind: "open", until: now + policy.openMs, reason };
  if (state.kind === "open") return state;
  const failures = [...state.failures.filter((t) => now - t < policy.windowMs), now];
  if (failures.length >= policy.failureThreshold) {
    return { kind: "open", until: now + policy.openMs, reason };
  }
  return { kind: "closed", failures };
}
