// How many vendor calls each account may have in flight at once in this
// process. A vendor that is slow or silent holds only its own account's
// slots: work for other accounts never waits behind it, and work for that
// account waits a little for a slot and then goes back to the queue (see the
// dispatcher) rather than piling up behind calls that may take the whole
// timeout.

export interface AccountSlots {
  /**
   * A slot for one call to this account: its release (call it exactly once),
   * or null when none came free within `waitMs`.
   */
  acquire(accountId: string, waitMs: number): Promise<(() => void) | null>;
  /** Calls in flight for this account now. */
  inUse(accountId: string): number;
}

export function createAccountSlots(limit: number): AccountSlots {
  const used = new Map<string, number>();
  // Waiters in arrival order; each is handed a slot directly when one frees.
  const waiting = new Map<string, ((release: () => void) => void)[]>();

  const releaser = (accountId: string) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = waiting.get(accountId);
      const next = queue?.shift();
      if (queue?.length === 0) waiting.delete(accountId);
      if (next) {
        next(releaser(accountId));
        return;
      }
      const n = (used.get(accountId) ?? 1) - 1;
      if (n <= 0) used.delete(accountId);
      else used.set(accountId, n);
    };
  };

  return {
    acquire(accountId, waitMs) {
      const n = used.get(accountId) ?? 0;
      if (n < limit) {
        used.set(accountId, n + 1);
        return Promise.resolve(releaser(accountId));
      }
      if (waitMs <= 0) return Promise.resolve(null);
      return new Promise((resolve) => {
        const queue = waiting.get(accountId) ?? [];
        waiting.set(accountId, queue);
        const handOver = (release: () => void) => {
          clearTimeout(timer);
          resolve(release);
        };
        const timer = setTimeout(() => {
          const at = queue.indexOf(handOver);
          if (at >= 0) queue.splice(at, 1);
          if (queue.length === 0) waiting.delete(accountId);
          resolve(null);
        }, waitMs);
        queue.push(handOver);
      });
    },
    inUse: (accountId) => used.get(accountId) ?? 0,
  };
}
