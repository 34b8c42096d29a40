// When a message that hit a transient vendor error is tried again.

/** Attempts in all (the first send included) before a transient error becomes final. */
export const MAX_ATTEMPTS = 5;

const BASE_MS = 1_000;
const CAP_MS = 5 * 60_000;

/**
 * Exponential backoff with jitter: 1 s, 2 s, 4 s… (±20%), capped at 5 minutes.
 * `random` in [0, 1) is passed in so the function stays pure; jitter keeps a
 * batch that failed together from retrying together.
 */
export function retryDelayMs(attempt: number, random: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const base = Math.min(BASE_MS * 2 ** exponent, CAP_MS);
  return Math.round(base * (0.8 + 0.4 * random));
}

/** After `attempts` attempts, may the message be tried again? */
export function canRetry(attempts: number): boolean {
  return attempts < MAX_ATTEMPTS;
}
