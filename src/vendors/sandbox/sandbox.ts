// The sandbox vendor's logic: who its callers are, which messages each has
// sent and had accepted, under which ids, and what it will report. The HTTP
// routes (server.ts) are a thin shell over this; what it remembers is kept by
// a store (store.ts): the database for the server, so that what it accepted
// and the reports it owes survive our crashes as they would at a real
// vendor; memory for unit tests.
//
// Callers are accounts (accounts.ts): a request is answered only for the
// account whose API key it carries, its reports go only to that account's
// webhook, and a poll answers only about that account's messages.
//
// Deduplication is by our message id (the request's customId), per account,
// as DESIGN §4 asks of any vendor that supports it: a message accepted once
// gets the same sandbox id back on every later request of that account and
// is neither sent nor reported again.
import type { FastifyBaseLogger } from "fastify";
import type { MessageType } from "../../domain/message-content.ts";
import { type SandboxAccounts, sameSecret } from "./accounts.ts";
import { decideSandboxMessage, finalReportOf, type PlannedReport } from "./behaviour.ts";
import { createSandboxIds } from "./ids.ts";
import { SANDBOX_ERRORS } from "./map.ts";
import { REPORT_MAX_ATTEMPTS, REPORT_RETRY } from "./report-delivery.ts";
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
  /** Who may call, and where each caller's reports go. */
  accounts: SandboxAccounts;
  /** What reports are POSTed with; Node's fetch unless a test swaps it. */
  fetch?: typeof fetch;
  /**
   * Backoff of failed report POSTs and how many a batch gets; defaults to
   * REPORT_RETRY and REPORT_MAX_ATTEMPTS (report-delivery.ts).
   */
  webhookRetry?: { baseMs: number; maxMs: number; attempts?: number };
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
  messages: CheckedMessage[];
  /** The report target the request named, if any: refused unless it is the account's own. */
  webhookUrl?: string | null;
  signingSecret?: string | null;
}

/** A send request's answer, or why it is refused as a whole (400). */
export type SendAnswer = { ok: true; response: WireSendResponse } | { ok: false; message: string };

export interface Sandbox {
  readonly delayMs: number;
  /** Aborted when the sandbox closes: held requests give up. */
  readonly closing: AbortSignal;
  /** The account whose API key this Authorization header carries (`Bearer <apiKey>`), or null. */
  authenticate(authorization: string | undefined): Promise<string | null>;
  send(accountId: string, batch: SendBatch): Promise<SendAnswer>;
  /** What the account's messages came to; ids of other accounts' messages are `unknown`. */
  status(accountId: string, messageIds: string[]): Promise<WireStatusResponse>;
  /** How many times the message with our id was actually sent, by any account (tests). */
  received(ourId: string): Promise<number>;
  /** How many processed send requests carried our id, from any account (tests). */
  seen(ourId: string): Promise<number>;
  stats(): SandboxStats;
  /** Makes the next `count` requests to any sandbox endpoint fail as `failure`. */
  failNext(count: number, failure: SandboxFailure): void;
  /** The failure the current request must suffer, if any (used by the routes). */
  takeFailure(): SandboxFailure | null;
  /** Resolves once every report scheduled so far has been delivered or given up. */
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
  const { delayMs, logger, accounts } = options;
  const ids = createSandboxIds();
  const retry: { baseMs: number; maxMs: number; attempts?: number } =
    options.webhookRetry ?? REPORT_RETRY;
  const store = (options.store ?? createMemoryStore)({
    delayMs,
    logger,
    fetch: options.fetch ?? globalThis.fetch,
    accounts,
    newBatchId: ids.batch,
    retry: {
      baseMs: retry.baseMs,
      maxMs: retry.maxMs,
      attempts: retry.attempts ?? REPORT_MAX_ATTEMPTS,
    },
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    drainMs: options.drainMs ?? 5_000,
  });
  const failures: SandboxFailure[] = [];
  const closing = new AbortController();
  const counts = { requests: 0, messages: 0, accepted: 0, duplicates: 0, refused: 0, rejected: 0 };

  /** One send request against the records as they were before it (see SandboxStore.record). */
  function decide(
    accountId: string,
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
              accountId,
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
    const reports = ([0, 1] as const)
      .filter((wave) => waves[wave].length > 0)
      .map((wave) => ({ wave, acceptedAt: now, reports: waves[wave] }));
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

  /**
   * Null when the target a request named, if any, is the account's own; else
   * why not. Reports never go elsewhere, and a request that asks for it is
   * refused rather than quietly redirected, so the client learns its mistake.
   */
  async function checkNamedTarget(accountId: string, batch: SendBatch): Promise<string | null> {
    const { webhookUrl, signingSecret } = batch;
    if (webhookUrl == null && signingSecret == null) return null;
    const own = await accounts.reportTarget(accountId);
    if (own === null) return "this account has no webhook";
    if (webhookUrl != null && webhookUrl !== own.url) {
      return `webhookUrl: reports go only to this account's own webhook (${own.url}); leave webhookUrl out`;
    }
    if (signingSecret != null && !sameSecret(signingSecret, own.secret)) {
      return "signingSecret: reports are signed only with this account's webhook secret; leave signingSecret out";
    }
    return null;
  }

  return {
    delayMs,
    closing: closing.signal,
    async authenticate(authorization) {
      const match = /^Bearer +(\S+) *$/i.exec(authorization ?? "");
      return match?.[1] ? accounts.authenticate(match[1]) : null;
    },
    async send(accountId, batch) {
      const refused = await checkNamedTarget(accountId, batch);
      if (refused !== null) return { ok: false, message: refused };
      counts.requests++;
      const now = Date.now();
      const sightings = batch.messages.flatMap((m) =>
        m.ok
          ? [{ customId: m.message.customId, type: m.message.type }]
          : m.customId !== null
            ? [{ customId: m.customId, type: "sms" as const }]
            : [],
      );
      const { response, delta } = await store.record(accountId, sightings, (before) =>
        decide(accountId, batch, before, now),
      );
      for (const key of Object.keys(delta) as (keyof typeof delta)[]) counts[key] += delta[key];
      return { ok: true, response };
    },
    async status(accountId, messageIds) {
      const now = Date.now();
      const byVendorId = new Map<string, SandboxRecord>();
      for (const record of await store.findByVendorIds(accountId, messageIds)) {
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
    received: async (ourId) => (await store.findAll(ourId)).filter((r) => r.vendorId).length,
    seen: async (ourId) => (await store.findAll(ourId)).reduce((sum, r) => sum + r.seen, 0),
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
