// How the sandbox hands its reports over, whichever store keeps them
// (reporter.ts in memory, store-db.ts in the database): one signed POST of a
// batch to the account's webhook — the sandbox's only outgoing HTTP call —
// retried with backoff a bounded number of times, then given up with a log
// line. A real vendor gives up too; a lost report costs a poll (the
// reconciler asks the status endpoint), never a retry loop that runs forever.
import type { FastifyBaseLogger } from "fastify";
import type { ReportTarget } from "./accounts.ts";
import { signSandboxReports } from "./callback.ts";

export const REPORTS_PER_POST = 1000;
/** POSTs in flight per webhook (memory) or deliverer lanes (database). */
export const POSTS_IN_FLIGHT = 4;
/** POSTs of one batch before it is given up. */
export const REPORT_MAX_ATTEMPTS = 8;
/**
 * Backoff between them: 1 s doubling up to a minute, so the eighth and last
 * attempt comes about two minutes after the first — long enough to ride out
 * a restart of this server, short enough that nothing is retried for ever.
 */
export const REPORT_RETRY = { baseMs: 1_000, maxMs: 60_000 } as const;

export interface ReportRetry {
  baseMs: number;
  maxMs: number;
  /** POSTs of one batch before it is given up (REPORT_MAX_ATTEMPTS unless a test says less). */
  attempts: number;
}

/** Delay before retrying a POST that failed `attempt` times. */
export function reportRetryDelayMs(attempt: number, retry: { baseMs: number; maxMs: number }) {
  return Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempt - 1));
}

export interface PostOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  logger: FastifyBaseLogger;
}

/**
 * One signed POST of a report batch; true when the webhook answered 2xx.
 * Never rejects. Signed afresh on every attempt: a retry minutes later must
 * pass the webhook's timestamp check.
 */
export async function postReports(
  options: PostOptions,
  target: ReportTarget,
  batch: { id: string; body: string; reports: number; attempt: number },
): Promise<boolean> {
  const signature = signSandboxReports(target.secret, batch.body, Date.now() / 1000);
  const context = { batchId: batch.id, reports: batch.reports, attempt: batch.attempt };
  try {
    const response = await options.fetch(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...signature },
      body: batch.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return true;
    options.logger.warn(
      { ...context, status: response.status },
      "sandbox: the webhook refused a report batch",
    );
  } catch (err) {
    options.logger.warn(
      { ...context, err: (err as Error).message },
      "sandbox: could not POST a report batch",
    );
  }
  return false;
}

/** The log line of a batch given up: after its last attempt, or because its account is gone. */
export function logGivenUp(
  logger: FastifyBaseLogger,
  details: { accountId: string; reports: number; attempts: number; reason: "attempts" | "account" },
): void {
  logger.warn(
    details,
    details.reason === "attempts"
      ? `sandbox: gave up on reports after ${details.attempts} attempts`
      : "sandbox: gave up on reports of an account that is gone",
  );
}
