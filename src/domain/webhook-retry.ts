// When a webhook delivery is attempted again. Pure: the clock and the
// randomness are passed in.
//
// Exponential from 5 s, doubling to at most an hour between attempts, each
// delay spread by ±25 % so that a receiver that comes back is not met by
// every retry at once; a Retry-After the receiver sent is a floor (up to a
// day). Retried for at least 24 hours after the delivery was made: the
// attempt that fails after that is the last (about 30 attempts in all).

export const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_DELAY_MS = 3_600_000;
export const RETRY_WINDOW_MS = 24 * 3_600_000;
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** The delay before attempt `attempts + 1`, after `attempts` (≥ 1) failed ones. */
export function retryDelayMs(attempts: number, random: number): number {
  const base = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + 0.5 * random));
}

export type AfterFailure = { retry: true; at: Date } | { retry: false };

/** After a failed attempt: when to try again, or give up (the window is over). */
export function afterFailure(options: {
  /** Attempts made, this one included. */
  attempts: number;
  createdAt: Date;
  now: Date;
  /** The receiver's Retry-After, if it sent one. */
  retryAfterMs: number | null;
  random: number;
}): AfterFailure {
  const { now } = options;
  if (now.getTime() - options.createdAt.getTime() >= RETRY_WINDOW_MS) return { retry: false };
  const backoff = retryDelayMs(options.attempts, options.random);
  const floor = Math.min(options.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  return { retry: true, at: new Date(now.getTime() + Math.max(backoff, floor)) };
}

/** A Retry-After header (seconds, or an HTTP date) as a delay from `now`; null if absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
