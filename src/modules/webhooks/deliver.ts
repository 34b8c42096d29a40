// Delivering webhook events: one round claims due deliveries, POSTs each
// `{ type, timestamp, data }` signed with the Standard Webhooks headers
// (webhook-id = the event's id, the same on every attempt and replay, so a
// receiver can drop a repeat; webhook-timestamp = this attempt; and
// webhook-signature under the endpoint's secret), and records every outcome
// in one statement.
//
// - 2xx: delivered. 410 Gone: the endpoint is disabled, its backlog given up.
// - Anything else (429, 5xx, another 4xx, a redirect — never followed —, a
//   timeout, a refused or failed connection): retried with backoff and
//   jitter for at least 24 hours, no sooner than a Retry-After
//   (domain/webhook-retry.ts), then failed.
// - Every connection goes through the egress guard: a URL that was public
//   when it was saved is checked again at each attempt (DNS can change).
//
// Order: a round's deliveries start in event order per endpoint, several at a
// time, so an endpoint gets its events in order unless one must be retried;
// a retried event does not hold back the ones after it (an endpoint that is
// down for a day would otherwise stall everything behind it). Receivers that
// need order compare the body's `timestamp`.
import { Webhook } from "standardwebhooks";
import type { Db } from "../../db/client.ts";
import { afterFailure, parseRetryAfter } from "../../domain/webhook-retry.ts";
import { type Egress, egressRefusalOf } from "../../lib/egress.ts";
import { newId } from "../../lib/ids.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import {
  type AttemptOutcome,
  type ClaimedDelivery,
  claimDeliveries,
  disableGoneEndpoint,
  recordAttempts,
} from "./queries.ts";

export interface DelivererDeps {
  db: Db;
  box: SecretBox;
  /** The guard every webhook URL goes through (ALIMI_WEBHOOKS_ALLOWED_HOSTS, …_ALLOW_HTTP). */
  egress: Egress;
  /** How long an endpoint may take to answer (Standard Webhooks suggests 15–30 s). */
  timeoutMs?: number;
  /** Deliveries claimed per round. */
  claimSize?: number;
  /** POSTs in flight at once. */
  concurrency?: number;
  random?: () => number;
}

export interface DeliveryRound {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
}

const TIMEOUT_MS = 15_000;
export const CLAIM_SIZE = 500;
const CONCURRENCY = 128;

/** The body and headers of one attempt. */
export function signedRequest(
  delivery: Pick<ClaimedDelivery, "eventId" | "type" | "payload" | "eventAt">,
  signer: Webhook,
  now: Date,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    type: delivery.type,
    timestamp: delivery.eventAt.toISOString(),
    data: delivery.payload,
  });
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "Alimi-Webhooks/1",
      "webhook-id": delivery.eventId,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signer.sign(delivery.eventId, now, body),
    },
  };
}

type Answer =
  | { kind: "delivered"; status: number }
  | { kind: "gone"; status: number }
  | { kind: "retry"; status: number | null; error: string; retryAfterMs: number | null };

async function attempt(
  deps: DelivererDeps,
  delivery: ClaimedDelivery,
  signer: (secretEnc: string) => Webhook,
  now: () => Date,
): Promise<Answer> {
  const at = now();
  let res: Response;
  try {
    const { body, headers } = signedRequest(delivery, signer(delivery.secretEnc), at);
    res = await deps.egress.fetch(delivery.url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(deps.timeoutMs ?? TIMEOUT_MS),
    });
  } catch (err) {
    const refusal = egressRefusalOf(err);
    const message = refusal
      ? `refused: ${refusal.message}`
      : err instanceof Error && err.name === "TimeoutError"
        ? "no answer in time"
        : `could not connect: ${causeOf(err)}`;
    return { kind: "retry", status: null, error: message, retryAfterMs: null };
  }
  // Read (and drop) the body so the connection can be reused.
  const text = await res.text().catch(() => "");
  if (res.status >= 200 && res.status < 300) return { kind: "delivered", status: res.status };
  if (res.status === 410) return { kind: "gone", status: 410 };
  const redirect = res.status >= 300 && res.status < 400;
  return {
    kind: "retry",
    status: res.status,
    error: redirect
      ? `answered ${res.status} (a redirect, not followed)`
      : `answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`,
    retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), at),
  };
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** Runs `fn` over `items`, at most `limit` at a time, in the order given. */
async function inPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(runners);
}

/** One round: claim, attempt, record. */
export async function deliverDue(
  deps: DelivererDeps,
  options: { now: () => Date; leaseMs: number },
): Promise<DeliveryRound> {
  const { db } = deps;
  const claim = newId("wrk");
  const start = options.now();
  const claimed = await db.tx((q) =>
    claimDeliveries(q, {
      now: start,
      leaseUntil: new Date(start.getTime() + options.leaseMs),
      claim,
      limit: deps.claimSize ?? CLAIM_SIZE,
    }),
  );
  const round: DeliveryRound = { claimed: claimed.length, delivered: 0, retried: 0, failed: 0 };
  if (claimed.length === 0) return round;
  const outcomes: AttemptOutcome[] = [];
  const gone = new Map<string, ClaimedDelivery>();
  const random = deps.random ?? Math.random;
  // One signer per secret in a round: its key is opened and decoded once.
  const signers = new Map<string, Webhook>();
  const signer = (secretEnc: string) => {
    let found = signers.get(secretEnc);
    if (!found) {
      found = new Webhook(deps.box.open(secretEnc));
      signers.set(secretEnc, found);
    }
    return found;
  };
  await inPool(claimed, deps.concurrency ?? CONCURRENCY, async (d) => {
    const answer = await attempt(deps, d, signer, options.now);
    const at = options.now();
    if (answer.kind === "delivered") {
      round.delivered++;
      outcomes.push({
        id: d.id,
        status: "delivered",
        nextAttemptAt: null,
        statusCode: answer.status,
        error: null,
        at,
      });
    } else if (answer.kind === "gone") {
      round.failed++;
      gone.set(d.endpointId, d);
      outcomes.push({
        id: d.id,
        status: "failed",
        nextAttemptAt: null,
        statusCode: 410,
        error: "answered 410 Gone: the endpoint was disabled",
        at,
      });
    } else {
      const next = afterFailure({
        attempts: d.attempts + 1,
        createdAt: d.createdAt,
        now: at,
        retryAfterMs: answer.retryAfterMs,
        random: random(),
      });
      if (next.retry) round.retried++;
      else round.failed++;
      outcomes.push({
        id: d.id,
        status: next.retry ? "pending" : "failed",
        nextAttemptAt: next.retry ? next.at : null,
        statusCode: answer.status,
        error: answer.error,
        at,
      });
    }
  });
  await db.tx(async (q) => {
    await recordAttempts(q, claim, outcomes);
    for (const d of gone.values()) {
      await disableGoneEndpoint(q, {
        orgId: d.orgId,
        id: d.endpointId,
        reason: `answered 410 Gone on ${options.now().toISOString()}`,
        now: options.now(),
      });
    }
  });
  return round;
}
