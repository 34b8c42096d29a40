// The sandbox vendor's memory: which messages it has seen and accepted, under
// which ids, and what it will report. The HTTP routes (server.ts) are a thin
// shell over this; tests read its counters directly.
//
// Deduplication is by our message id (the request's customId), as DESIGN §4
// asks of any vendor that supports it: a message accepted once gets the same
// sandbox id back on every later request and is neither sent nor reported
// again. Everything is in memory: a restarted sandbox has forgotten it all.
import type { FastifyBaseLogger } from "fastify";
import type { MessageType } from "../../domain/message-content.ts";
import { decideSandboxMessage, finalReportOf, type PlannedReport } from "./behaviour.ts";
import { createSandboxIds } from "./ids.ts";
import { SANDBOX_ERRORS } from "./map.ts";
import { createReporter, type ReporterStats } from "./reporter.ts";
import type {
  CheckedMessage,
  WireReport,
  WireSendResponse,
  WireSendResult,
  WireStatusItem,
  WireStatusResponse,
} from "./wire.ts";

export interface SandboxOptions {
  /** How long after acceptance reports are due (ALIMI_SANDBOX_DELAY_MS); 0 = at once, still asynchronously. */
  delayMs: number;
  logger: FastifyBaseLogger;
  /** What reports are POSTed with; Node's fetch unless a test swaps it. */
  fetch?: typeof fetch;
  /** Backoff of failed report POSTs; defaults to 250 ms doubling up to 30 s. */
  webhookRetry?: { baseMs: number; maxMs: number };
  /** Time limit of one report POST; defaults to 10 s. */
  webhookTimeoutMs?: number;
  /** How long close() keeps handing over reports already due; defaults to 5 s. */
  drainMs?: number;
}

/**
 * Ways the next requests fail, for retry and failover tests:
 * - "5xx": answered 503 without being looked at;
 * - "timeout": never answered and not processed;
 * - "lost-response": processed (messages accepted, reports scheduled), then
 *   never answered — the crash-and-resend case that deduplication is for.
 */
export type SandboxFailure = "5xx" | "timeout" | "lost-response";

export interface SandboxStats {
  /** Send requests processed (not counting injected failures). */
  requests: number;
  /** Messages in those requests. */
  messages: number;
  /** Messages accepted for the first time: actually sent. */
  accepted: number;
  /** Messages accepted before, answered with their first sandbox id. */
  duplicates: number;
  /** Messages refused with a retryable error (010-0000-0003 on first sight). */
  refused: number;
  /** Messages refused permanently (malformed). */
  rejected: number;
  reports: ReporterStats;
}

export interface SendBatch {
  webhookUrl: string;
  signingSecret: string;
  messages: CheckedMessage[];
}

export interface Sandbox {
  readonly delayMs: number;
  /** Aborted when the sandbox closes: held requests give up. */
  readonly closing: AbortSignal;
  send(batch: SendBatch): WireSendResponse;
  status(messageIds: string[]): WireStatusResponse;
  /** How many times the message with our id was actually sent: 0 or 1. */
  received(ourId: string): number;
  /** How many processed send requests carried our id. */
  seen(ourId: string): number;
  stats(): SandboxStats;
  /** Makes the next `count` requests to any sandbox endpoint fail as `failure`. */
  failNext(count: number, failure: SandboxFailure): void;
  /** The failure the current request must suffer, if any (used by the routes). */
  takeFailure(): SandboxFailure | null;
  /** Resolves once every report scheduled so far has been delivered. */
  settled(): Promise<void>;
  /**
   * Refuses new requests and releases held ones, hands over the reports
   * already due (see Reporter.close), and waits for report POSTs in flight.
   */
  close(): Promise<void>;
}

interface MessageRecord {
  customId: string;
  seen: number;
  /** Null until accepted. */
  vendorId: string | null;
  /** The native fallback's own id, when the plan uses one. */
  fallbackVendorId: string | null;
  type: MessageType;
  plan: PlannedReport[];
  acceptedAt: number;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const { delayMs, logger } = options;
  const ids = createSandboxIds();
  const reporter = createReporter({
    delayMs,
    logger,
    fetch: options.fetch ?? globalThis.fetch,
    newBatchId: ids.batch,
    retry: options.webhookRetry ?? { baseMs: 250, maxMs: 30_000 },
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    drainMs: options.drainMs ?? 5_000,
  });
  const records = new Map<string, MessageRecord>();
  const byVendorId = new Map<string, MessageRecord>();
  const failures: SandboxFailure[] = [];
  const closing = new AbortController();
  const counts = { requests: 0, messages: 0, accepted: 0, duplicates: 0, refused: 0, rejected: 0 };

  function sendOne(
    checked: CheckedMessage,
    now: number,
    waves: [WireReport[], WireReport[]],
  ): WireSendResult {
    counts.messages++;
    if (!checked.ok) {
      if (checked.customId !== null) recordFor(checked.customId, "sms").seen++;
      counts.rejected++;
      return failed(checked.customId, checked.error);
    }
    const message = checked.message;
    const record = recordFor(message.customId, message.type);
    const seenBefore = record.seen++;
    if (record.vendorId !== null) {
      counts.duplicates++;
      return accepted(message.customId, record.vendorId, true);
    }
    const decision = decideSandboxMessage({
      to: message.to,
      type: message.type,
      seenBefore,
      fallback: message.fallback?.type ?? null,
    });
    if (decision.outcome !== "accepted") {
      counts[decision.outcome === "retry" ? "refused" : "rejected"]++;
      return failed(message.customId, decision.error);
    }
    counts.accepted++;
    record.vendorId = ids.message();
    record.type = message.type;
    record.plan = decision.reports;
    record.acceptedAt = now;
    byVendorId.set(record.vendorId, record);
    if (decision.reports.some((r) => r.subject === "fallback")) {
      record.fallbackVendorId = ids.message();
      byVendorId.set(record.fallbackVendorId, record);
    }
    for (const planned of decision.reports) waves[planned.wave].push(wireReport(record, planned));
    return accepted(message.customId, record.vendorId, false);
  }

  function recordFor(customId: string, type: MessageType): MessageRecord {
    let record = records.get(customId);
    if (record === undefined) {
      record = {
        customId,
        seen: 0,
        vendorId: null,
        fallbackVendorId: null,
        type,
        plan: [],
        acceptedAt: 0,
      };
      records.set(customId, record);
    }
    return record;
  }

  function wireReport(record: MessageRecord, planned: PlannedReport): WireReport {
    const fallback = planned.subject === "fallback";
    return {
      messageId: (fallback ? record.fallbackVendorId : record.vendorId) as string,
      customId: record.customId,
      type: planned.type,
      status: planned.status,
      errorCode: planned.error,
      errorMessage: planned.error === null ? null : SANDBOX_ERRORS[planned.error].message,
      fallbackOf: fallback ? record.vendorId : null,
      occurredAt: occurredAt(record, planned),
    };
  }

  // "SENT" happens at acceptance; a final result one delay later (its replay repeats the event).
  const occurredAt = (record: MessageRecord, planned: PlannedReport) =>
    new Date(record.acceptedAt + (planned.status === "SENT" ? 0 : delayMs)).toISOString();

  /** What a poll says about one side of a record: its final result once it is due. */
  function statusItem(
    record: MessageRecord,
    subject: PlannedReport["subject"],
    now: number,
  ): WireStatusItem {
    const final = finalReportOf(record.plan, subject);
    const known = final !== null && now >= record.acceptedAt + delayMs ? final : null;
    const fallback = subject === "fallback";
    const planned = record.plan.find((r) => r.subject === subject);
    return {
      messageId: (fallback ? record.fallbackVendorId : record.vendorId) as string,
      customId: record.customId,
      type: planned?.type ?? record.type,
      status: known === null ? "PENDING" : (known.status as "DELIVERED" | "FAILED"),
      errorCode: known?.error ?? null,
      errorMessage: known?.error ? SANDBOX_ERRORS[known.error].message : null,
      fallbackOf: fallback ? record.vendorId : null,
      occurredAt: known === null ? null : occurredAt(record, known),
      fallback: null,
    };
  }

  return {
    delayMs,
    closing: closing.signal,
    send(batch) {
      counts.requests++;
      const now = Date.now();
      const waves: [WireReport[], WireReport[]] = [[], []];
      const results = batch.messages.map((m) => sendOne(m, now, waves));
      const target = { url: batch.webhookUrl, secret: batch.signingSecret };
      reporter.schedule(target, 0, now, waves[0]);
      reporter.schedule(target, 1, now, waves[1]);
      const acceptedCount = results.filter((r) => r.status === "ACCEPTED").length;
      return { results, accepted: acceptedCount, failed: results.length - acceptedCount };
    },
    status(messageIds) {
      const now = Date.now();
      const results: WireStatusItem[] = [];
      const unknown: string[] = [];
      for (const id of messageIds) {
        const record = byVendorId.get(id);
        if (record === undefined) {
          unknown.push(id);
        } else if (id === record.vendorId) {
          const item = statusItem(record, "message", now);
          if (record.fallbackVendorId !== null) item.fallback = statusItem(record, "fallback", now);
          results.push(item);
        } else {
          results.push(statusItem(record, "fallback", now));
        }
      }
      return { results, unknown };
    },
    received: (ourId) => (records.get(ourId)?.vendorId ? 1 : 0),
    seen: (ourId) => records.get(ourId)?.seen ?? 0,
    stats: () => ({ ...counts, reports: reporter.stats() }),
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    takeFailure: () => failures.shift() ?? null,
    settled: () => reporter.settled(),
    async close() {
      closing.abort();
      await reporter.close();
    },
  };
}

const accepted = (customId: string, messageId: string, duplicate: boolean): WireSendResult => ({
  customId,
  status: "ACCEPTED",
  messageId,
  duplicate,
});

const failed = (customId: string | null, error: keyof typeof SANDBOX_ERRORS): WireSendResult => ({
  customId,
  status: "FAILED",
  errorCode: error,
  errorMessage: SANDBOX_ERRORS[error].message,
});
