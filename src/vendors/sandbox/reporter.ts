// The sandbox's outgoing webhook for the memory store (store.ts; the server's
// database store delivers from its table, store-db.ts): reports wait until
// they are due, then go to their account's webhook in signed POSTs of up to
// 1,000, like a real vendor's.
//
// Why this shape: a campaign of 100,000 messages must not mean 100,000 timers.
// Every send request adds at most two entries (one per wave) to one of two
// FIFO queues; with a constant delay each queue is already in due order, so
// one timer armed for the earliest head is enough and each report costs O(1).
// Each account has its own outbox with a few POSTs in flight at once, as a
// real vendor's senders: one at a time could not keep up with a fast
// dispatcher, and reports stuck behind a backlog would make every message
// look slow. Order across POSTs is therefore not guaranteed (receivers must
// not rely on it; 0005 is out of order on purpose anyway). A failed POST is
// retried with the same body and backoff, up to the attempt limit
// (report-delivery.ts), then given up; close() hands over what is due.
import type { FastifyBaseLogger } from "fastify";
import type { ReportTarget, SandboxAccounts } from "./accounts.ts";
import {
  logGivenUp,
  POSTS_IN_FLIGHT,
  postReports,
  REPORTS_PER_POST,
  type ReportRetry,
  reportRetryDelayMs,
} from "./report-delivery.ts";
import type { WireReport, WireReportBatch } from "./wire.ts";

export interface ReporterOptions {
  delayMs: number;
  fetch: typeof fetch;
  logger: FastifyBaseLogger;
  /** Where each account's reports go, asked at each POST. */
  accounts: SandboxAccounts;
  newBatchId: () => string;
  /** Backoff of failed POSTs (baseMs, doubling per attempt, at most maxMs) and their limit. */
  retry: ReportRetry;
  /** How long one POST may take before it counts as failed. */
  timeoutMs: number;
  /** How long close() keeps POSTing reports that are already due. */
  drainMs: number;
}

export interface ReporterStats {
  /** Reports handed to the reporter. */
  scheduled: number;
  /** Reports in POSTs that the webhook answered with 2xx. */
  delivered: number;
  /** Reports given up: their batch failed every attempt, or their account is gone. */
  gaveUp: number;
  /** Reports neither delivered nor given up yet (waiting, queued or being retried). */
  pending: number;
  posts: number;
  failedPosts: number;
}

export interface Reporter {
  /** Queues reports for one account's webhook, due `delayMs × (wave + 1)` after `acceptedAt`. */
  schedule(accountId: string, wave: 0 | 1, acceptedAt: number, reports: WireReport[]): void;
  stats(): ReporterStats;
  /** Resolves once every scheduled report is delivered or given up (or the reporter closed). */
  settled(): Promise<void>;
  /**
   * Stops taking reports, POSTs those already due (one more attempt per batch,
   * for at most `drainMs` plus one POST), and waits for the POSTs in flight.
   * Reports not due yet, or refused again, are dropped with a log line.
   */
  close(): Promise<void>;
}

interface Due {
  at: number;
  outbox: Outbox;
  reports: WireReport[];
}

interface Batch {
  id: string;
  body: string;
  count: number;
  attempts: number;
}

interface Outbox {
  accountId: string;
  queue: Fifo<WireReport>;
  /** Batches whose POST failed: they go again, unchanged, before anything else. */
  failed: Batch[];
  notBefore: number;
  inFlight: number;
}

export function createReporter(options: ReporterOptions): Reporter {
  const waves = [new Fifo<Due>(), new Fifo<Due>()] as const;
  const outboxes = new Map<string, Outbox>();
  const busy = new Set<Outbox>();
  const inFlight = new Set<Promise<void>>();
  const stats = { scheduled: 0, delivered: 0, gaveUp: 0, posts: 0, failedPosts: 0 };
  let waiters: (() => void)[] = [];
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  // "draining": close() was called and is handing over what is due; "closed": done.
  let state: "open" | "draining" | "closed" = "open";
  let closed: Promise<void> | null = null;

  const pending = () => stats.scheduled - stats.delivered - stats.gaveUp;

  function outboxFor(accountId: string): Outbox {
    let outbox = outboxes.get(accountId);
    if (outbox === undefined) {
      outbox = { accountId, queue: new Fifo(), failed: [], notBefore: 0, inFlight: 0 };
      outboxes.set(accountId, outbox);
    }
    return outbox;
  }

  function arm(at: number) {
    if (state !== "open" || (timer !== null && timerAt <= at)) return;
    if (timer !== null) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(tick, Math.max(0, at - Date.now()));
  }

  /** Moves due reports into their outboxes, earliest first (wave 0 first on ties). */
  function release(now: number) {
    for (;;) {
      const [first, second] = [waves[0].peek(), waves[1].peek()];
      const wave = first && (!second || first.at <= second.at) ? waves[0] : waves[1];
      const due = wave.peek();
      if (due === undefined || due.at > now) return;
      wave.shift();
      for (const report of due.reports) due.outbox.queue.push(report);
      busy.add(due.outbox);
    }
  }

  function tick() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    timerAt = Number.POSITIVE_INFINITY;
    if (state !== "open") return;
    const now = Date.now();
    release(now);
    let next = Math.min(waves[0].peek()?.at ?? Infinity, waves[1].peek()?.at ?? Infinity);
    for (const outbox of busy) {
      if (outbox.failed.length === 0 && outbox.queue.size === 0) {
        if (outbox.inFlight === 0) busy.delete(outbox);
      } else if (outbox.notBefore > now) {
        next = Math.min(next, outbox.notBefore);
      } else {
        while (
          outbox.inFlight < POSTS_IN_FLIGHT &&
          (outbox.failed.length > 0 || outbox.queue.size > 0)
        ) {
          post(outbox);
        }
      }
    }
    if (next !== Infinity) arm(next);
    if (pending() === 0) {
      for (const resolve of waiters) resolve();
      waiters = [];
    }
  }

  function post(outbox: Outbox) {
    let batch = outbox.failed.shift();
    if (batch === undefined) {
      const reports = outbox.queue.take(REPORTS_PER_POST);
      const id = options.newBatchId();
      const body: WireReportBatch = { batchId: id, reports };
      batch = { id, body: JSON.stringify(body), count: reports.length, attempts: 0 };
    }
    const sending = batch;
    outbox.inFlight++;
    const done = deliver(outbox.accountId, sending).then((outcome) => {
      if (outcome === "delivered") {
        stats.posts++;
        stats.delivered += sending.count;
      } else if (outcome === "account gone") {
        giveUp(outbox, sending, "account");
      } else {
        stats.posts++;
        stats.failedPosts++;
        sending.attempts++;
        if (sending.attempts >= options.retry.attempts) {
          giveUp(outbox, sending, "attempts");
        } else {
          outbox.failed.push(sending);
          // While draining, one more attempt is all a batch gets.
          outbox.notBefore =
            state === "open"
              ? Date.now() + reportRetryDelayMs(sending.attempts, options.retry)
              : Number.POSITIVE_INFINITY;
        }
      }
      outbox.inFlight--;
      inFlight.delete(done);
      tick();
    });
    inFlight.add(done);
  }

  function giveUp(outbox: Outbox, batch: Batch, reason: "attempts" | "account") {
    stats.gaveUp += batch.count;
    logGivenUp(options.logger, {
      accountId: outbox.accountId,
      reports: batch.count,
      attempts: batch.attempts,
      reason,
    });
  }

  /** One POST to the account's webhook, or why not. Never rejects. */
  async function deliver(
    accountId: string,
    batch: Batch,
  ): Promise<"delivered" | "failed" | "account gone"> {
    let target: ReportTarget | null;
    try {
      target = await options.accounts.reportTarget(accountId);
    } catch (err) {
      options.logger.warn({ err, accountId }, "sandbox: could not look up a report target");
      return "failed";
    }
    if (target === null) return "account gone";
    const ok = await postReports(options, target, {
      id: batch.id,
      body: batch.body,
      reports: batch.count,
      attempt: batch.attempts + 1,
    });
    return ok ? "delivered" : "failed";
  }

  /** Hands over what is due before closing: rounds of POSTs until nothing is left or time is up. */
  async function drain() {
    const deadline = Date.now() + options.drainMs;
    for (;;) {
      await Promise.allSettled([...inFlight]);
      const now = Date.now();
      if (now >= deadline) return;
      release(now);
      let posted = false;
      for (const outbox of busy) {
        const work = outbox.failed.length > 0 || outbox.queue.size > 0;
        if (work && outbox.inFlight === 0 && outbox.notBefore !== Number.POSITIVE_INFINITY) {
          post(outbox);
          posted = true;
        }
      }
      if (!posted) return;
    }
  }

  return {
    schedule(accountId, wave, acceptedAt, reports) {
      if (reports.length === 0 || state !== "open") return;
      const at = acceptedAt + options.delayMs * (wave + 1);
      waves[wave].push({ at, outbox: outboxFor(accountId), reports });
      stats.scheduled += reports.length;
      arm(at);
    },
    stats: () => ({ ...stats, pending: pending() }),
    settled() {
      if (pending() === 0 || state === "closed") return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closed ??= (async () => {
        state = "draining";
        if (timer !== null) clearTimeout(timer);
        timer = null;
        await drain();
        await Promise.allSettled([...inFlight]);
        state = "closed";
        if (pending() > 0) {
          options.logger.warn({ pending: pending() }, "sandbox: closed with reports undelivered");
        }
        for (const resolve of waiters) resolve();
        waiters = [];
      })();
      return closed;
    },
  };
}

/** A queue with O(1) push and shift (Array#shift is O(n)). */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    const item = this.#items[this.#head];
    if (item === undefined) return undefined;
    this.#items[this.#head++] = undefined;
    this.#compact();
    return item;
  }

  take(count: number): T[] {
    const end = Math.min(this.#items.length, this.#head + count);
    const items = this.#items.slice(this.#head, end) as T[];
    this.#items.fill(undefined, this.#head, end);
    this.#head = end;
    this.#compact();
    return items;
  }

  /** Drops the consumed prefix once it is most of the array, keeping memory bounded. */
  #compact() {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
