// A circuit breaker per vendor account: when calls keep failing the way an
// outage fails (timeouts, 5xx, transport errors), new sends stop going there
// for a while; then one trial call is let through, and its outcome closes the
// circuit again or reopens it. Pure: the state is a value, the clock passed in.

export interface BreakerPolicy {
  /** Failures within `windowMs` that open the circuit. */
  failureThreshold: number;
  windowMs: number;
  /** How long an open circuit refuses calls before letting one trial through. */
  openMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  failureThreshold: 3,
  windowMs: 30_000,
  openMs: 15_000,
};

export type BreakerState =
  | { kind: "closed"; failures: number[] }
  | { kind: "open"; until: number; reason: string }
  | { kind: "half-open"; trialSince: number; reason: string };

export const CLOSED: BreakerState = { kind: "closed", failures: [] };

/** May a call go through now? A half-open circuit lets one trial at a time. */
export function allows(state: BreakerState, now: number): boolean {
  if (state.kind === "closed") return true;
  if (state.kind === "open") return now >= state.until;
  return false;
}

/** The state once a call is let through: an expired open circuit starts its trial. */
export function onCall(state: BreakerState, now: number): BreakerState {
  if (state.kind === "open" && now >= state.until) {
    return { kind: "half-open", trialSince: now, reason: state.reason };
  }
  return state;
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
