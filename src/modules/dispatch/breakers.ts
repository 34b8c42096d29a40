// The circuit breakers of this process, one per vendor account, and the
// choice of account for a route: the primary while its circuit lets calls
// through, else the secondary, else nothing (the messages wait). Calls that
// time out count as outages like 5xx and refused connections do. Whoever is
// given a half-open circuit's trial must report how it went (succeeded,
// failed) or give it back (abandoned), whatever happens: see the dispatcher's
// `finally`.
import {
  allows,
  type BreakerPolicy,
  type BreakerState,
  CLOSED,
  onAbandoned,
  onCall,
  onFailure,
  onSuccess,
} from "../../domain/circuit-breaker.ts";
import type { VendorAccount } from "../../vendors/vendor.ts";
import type { Route } from "../vendor-accounts/index.ts";

export interface Choice {
  account: VendorAccount;
  /** Recorded on each message sent this way: the trace shows which vendor and why. */
  reason: string;
  /** This choice holds the account's half-open trial: its outcome decides the circuit. */
  trial: boolean;
}

export function createBreakers(options: { now: () => number; policy?: BreakerPolicy }) {
  const states = new Map<string, BreakerState>();
  const stateOf = (id: string) => states.get(id) ?? CLOSED;

  /** Lets a call through if the circuit allows it: null if not, else whether it is the trial. */
  function take(account: VendorAccount): { trial: boolean } | null {
    const now = options.now();
    const state = stateOf(account.id);
    if (!allows(state, now, options.policy)) return null;
    const next = onCall(state, now, options.policy);
    states.set(account.id, next);
    return { trial: next.kind === "half-open" };
  }

  function why(account: VendorAccount): string {
    const state = stateOf(account.id);
    return state.kind === "closed" ? "available" : `circuit ${state.kind}: ${state.reason}`;
  }

  return {
    /**
     * One account, if its circuit lets a call through: a message that timed
     * out goes back to its account this way, and fails over like any other
     * once timeouts have opened that account's circuit.
     */
    allow(account: VendorAccount, reason: string): Choice | null {
      const taken = take(account);
      return taken ? { account, reason, trial: taken.trial } : null;
    },
    choose(route: Route): Choice | null {
      const primary = take(route.primary);
      if (primary) return { account: route.primary, reason: "primary", trial: primary.trial };
      const secondary = route.secondary ? take(route.secondary) : null;
      if (route.secondary && secondary) {
        return {
          account: route.secondary,
          reason: `secondary: primary ${route.primary.id} unavailable (${why(route.primary)})`,
          trial: secondary.trial,
        };
      }
      return null;
    },
    /** A call that reached the vendor and got an answer (accepted or refused). */
    succeeded(accountId: string) {
      states.set(accountId, onSuccess(stateOf(accountId)));
    },
    /** A call that failed as outages fail: timeout, 5xx, connection refused. */
    failed(accountId: string, reason: string) {
      states.set(
        accountId,
        onFailure(stateOf(accountId), { now: options.now(), reason, policy: options.policy }),
      );
    },
    /** A trial that was let through but made no call that answered: give it back. */
    abandoned(accountId: string) {
      states.set(accountId, onAbandoned(stateOf(accountId), options.now()));
    },
    state: stateOf,
  };
}

export type Breakers = ReturnType<typeof createBreakers>;
