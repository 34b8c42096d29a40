// Transactions that lose a race (serialization failure, deadlock) are safe to
// run again from the start: PostgreSQL rolled all of their work back.
const RETRYABLE_SQLSTATES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

export function isRetryableDbError(err: unknown): boolean {
  return RETRYABLE_SQLSTATES.has((err as { code?: string })?.code ?? "");
}

export async function retryTransient<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isRetryableDbError(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
