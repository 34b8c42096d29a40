// The circuit breakers of this process, one per vendor account, and the
// choice of account for a route: the primary while its circuit lets calls
// through, else the secondary, else nothing (the messages wait).
import {
  allows,
  type BreakerPolicy,
  type BreakerState,
  CLOSED,
  onCall,
  onFailure,
  onSuccess,
} from "../../domain/circuit-breaker.ts";
import type { VendorAccount } from "../../vendors/vendor.ts";
import type { Route } from "../vendor-accounts/service.ts";

export interface Choice {
  account: VendorAccount;
  /** Recorded on each message sent this way: the trace shows which vendor and why. */
  reason: string;
}

export function createBreakers(options: { now: () => number; policy?: BreakerPolicy }) {
  const states = new Map<string, BreakerState>();
  const stateOf = (id: string) => states.get(id) ?? CLOSED;

  function take(account: VendorAccount): boolean {
    const now = options.now();
    const state = stateOf(account.id);
    if (!allows(state, now)) return false;
    states.set(account.id, onCall(state, now));
    return true;
  }

  function why(account: VendorAccount): string {
    const state = stateOf(account.id);
    return state.kind === "closed" ? "available" : `circuit ${state.kind}: ${state.reason}`;
  }

  return {
    choose(route: Route): Choice | null {
      if (take(route.primary)) return { account: route.primary, reason: "primary" };
      if (route.secondary && take(route.secondary)) {
        return {
          account: route.secondary,
          reason: `secondary: primary ${route.primary.id} unavailable (${why(route.primary)})`,
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
    state: stateOf,
  };
}

export type Breakers = ReturnType<typeof createBreakers>;
