// The sandbox vendor's logic: which messages it has seen and accepted, under
// which ids, and what it will report. The HTTP routes (server.ts) are a thin
// shell over this; what it remembers is kept by a store (store.ts): the
// database for the server, so that what it accepted and the reports it owes
// survive our crashes as they would at a real vendor; memory for unit tests.
//
// Deduplication is by our message id (the request's customId), as DESIGN §4
// asks of any vendor that supports it: a message accepted once gets the same
// sandbox id back on every later request and is neither sent nor reported
// again.
import type { FastifyBaseLogger } from "fastify";
import type { MessageType } from "../../domain/message-content.ts";
import { decideSandboxMessage, finalReportOf, type PlannedReport } from "./behaviour.ts";
import { createSandboxIds } from "./ids.ts";
import { SANDBOX_ERRORS } from "./map.ts";
import type { ReporterStats } from "./reporter.ts";
import {
  createMemoryStore,
  type Recorded,
  type ReportDelivery,
  type SandboxRecord,
  type SandboxStore,
} from "./store.ts";
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
  /** How long close() keeps handing over reports already due (memory store); defaults to 5 s. */
  drainMs?: number;
  /** Where records and owed reports are kept; memory unless given (store-db.ts: the database). */
  store?: (delivery: ReportDelivery) => SandboxStore;
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
  send(batch: SendBatch): Promise<WireSendResponse>;
  status(messageIds: string[]): Promise<WireStatusResponse>;
  /** How many times the message with our id was actually sent: 0 or 1. */
  received(ourId: string): Promise<number>;
  /** How many processed send requests carried our id. */
  seen(ourId: string): Promise<number>;
  stats(): SandboxStats;
  /** Makes the next `count` requests to any sandbox endpoint fail as `failure`. */
  failNext(count: number, failure: SandboxFailure): void;
  /** The failure the current request must suffer, if any (used by the routes). */
  takeFailure(): SandboxFailure | null;
  /** Resolves once every report scheduled so far has been delivered. */
  settled(): Promise<void>;
  /**
   * Refuses new requests and releases held ones, and stops reporting: the
   * database store waits for report POSTs in flight (what is still owed is
   * POSTed after the next start); the memory store hands over the reports
   * already due first (see Reporter.close).
   */
  close(): Promise<void>;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const { delayMs, logger } = options;
  const ids = createSandboxIds();
  const store = (options.store ?? createMemoryStore)({
    delayMs,
    logger,
    fetch: options.fetch ?? globalThis.fetch,
    newBatchId: ids.batch,
    retry: options.webhookRetry ?? { baseMs: 250, maxMs: 30_000 },
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    drainMs: options.drainMs ?? 5_000,
  });
  const failures: SandboxFailure[] = [];
  const closing = new AbortController();
  const counts = { requests: 0, messages: 0, accepted: 0, duplicates: 0, refused: 0, rejected: 0 };

  /** One send request against the records as they were before it (see SandboxStore.record). */
  function decide(
    batch: SendBatch,
    before: ReadonlyMap<string, SandboxRecord>,
    now: number,
  ): Recorded<{ response: WireSendResponse; delta: Omit<typeof counts, "requests"> }> {
    // The request's own view: an id that comes twice is a duplicate the second time.
    const current = new Map<string, SandboxRecord>();
    const recordFor = (customId: string, type: MessageType): SandboxRecord => {
      let record = current.get(customId);
      if (record === undefined) {
        const known = before.get(customId);
        record = known
          ? { ...known }
          : {
              customId,
              seen: 0,
              vendorId: null,
              fallbackVendorId: null,
              type,
              plan: [],
              acceptedAt: 0,
            };
        current.set(customId, record);
      }
      return record;
    };
    const delta = { messages: 0, accepted: 0, duplicates: 0, refused: 0, rejected: 0 };
    const accepted: SandboxRecord[] = [];
    const waves: [WireReport[], WireReport[]] = [[], []];

    const sendOne = (checked: CheckedMessage): WireSendResult => {
      delta.messages++;
      if (!checked.ok) {
        if (checked.customId !== null) recordFor(checked.customId, "sms").seen++;
        delta.rejected++;
        return failed(checked.customId, checked.error);
      }
      const message = checked.message;
      const record = recordFor(message.customId, message.type);
      const seenBefore = record.seen++;
      if (record.vendorId !== null) {
        delta.duplicates++;
        return acceptedResult(message.customId, record.vendorId, true);
      }
      const decision = decideSandboxMessage({
        to: message.to,
        type: message.type,
        seenBefore,
        fallback: message.fallback?.type ?? null,
      });
      if (decision.outcome !== "accepted") {
        delta[decision.outcome === "retry" ? "refused" : "rejected"]++;
        return failed(message.customId, decision.error);
      }
      delta.accepted++;
      record.vendorId = ids.message();
      record.type = message.type;
      record.plan = decision.reports;
      record.acceptedAt = now;
      if (decision.reports.some((r) => r.subject === "fallback")) {
        record.fallbackVendorId = ids.message();
      }
      accepted.push(record);
      for (const planned of decision.reports) waves[planned.wave].push(wireReport(record, planned));
      return acceptedResult(message.customId, record.vendorId, false);
    };

    const results = batch.messages.map(sendOne);
    const target = { url: batch.webhookUrl, secret: batch.signingSecret };
    const reports = ([0, 1] as const)
      .filter((wave) => waves[wave].length > 0)
      .map((wave) => ({ target, wave, acceptedAt: now, reports: waves[wave] }));
    const acceptedCount = results.filter((r) => r.status === "ACCEPTED").length;
    const response = { results, accepted: acceptedCount, failed: results.length - acceptedCount };
    return { accepted, reports, result: { response, delta } };
  }

  function wireReport(record: SandboxRecord, planned: PlannedReport): WireReport {
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
  const occurredAt = (record: SandboxRecord, planned: PlannedReport) =>
    new Date(record.acceptedAt + (planned.status === "SENT" ? 0 : delayMs)).toISOString();

  /** What a poll says about one side of a record: its final result once it is due. */
  function statusItem(
    record: SandboxRecord,
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
    async send(batch) {
      counts.requests++;
      const now = Date.now();
      const sightings = batch.messages.flatMap((m) =>
        m.ok
          ? [{ customId: m.message.customId, type: m.message.type }]
          : m.customId !== null
            ? [{ customId: m.customId, type: "sms" as const }]
            : [],
      );
      const { response, delta } = await store.record(sightings, (before) =>
        decide(batch, before, now),
      );
      for (const key of Object.keys(delta) as (keyof typeof delta)[]) counts[key] += delta[key];
      return response;
    },
    async status(messageIds) {
      const now = Date.now();
      const byVendorId = new Map<string, SandboxRecord>();
      for (const record of await store.findByVendorIds(messageIds)) {
        if (record.vendorId) byVendorId.set(record.vendorId, record);
        if (record.fallbackVendorId) byVendorId.set(record.fallbackVendorId, record);
      }
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
    received: async (ourId) => ((await store.find(ourId))?.vendorId ? 1 : 0),
    seen: async (ourId) => (await store.find(ourId))?.seen ?? 0,
    stats: () => ({ ...counts, reports: store.reportStats() }),
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    takeFailure: () => failures.shift() ?? null,
    settled: () => store.settled(),
    async close() {
      closing.abort();
      await store.close();
    },
  };
}

const acceptedResult = (
  customId: string,
  messageId: string,
  duplicate: boolean,
): WireSendResult => ({
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
