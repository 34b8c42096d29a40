// Clicks are counted in memory and written about once a second, in one
// statement per flush (queries.ts recordClicks), so that a redirect never
// waits for the database: thousands of clicks a second cost one short
// transaction a second. Clicks of the same link by the same message between
// two flushes are one row with a count. A flush that fails puts its clicks
// back, to go with the next; stop() flushes what is left (the server closes
// its HTTP side before its database).
//
// What a process holds between flushes is lost if it dies without stopping
// (a second of clicks at most, while the database is up). While the database
// is down clicks wait, up to `maxPending` distinct (link, message) pairs;
// beyond that they are dropped and the drop is logged.
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../../db/client.ts";
import { retryTransient } from "../../db/retry.ts";
import type { MessageType } from "../../domain/message-content.ts";
import { type ClickBatchRow, recordClicks } from "./queries.ts";

export interface Click {
  key: string;
  recipientIndex: number;
  type: MessageType;
  at: Date;
}

export interface ClickRecorder {
  record(click: Click): void;
  /** Writes what is pending now; resolves once it is written (or put back after a failure). */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left. */
  stop(): Promise<void>;
  /** Clicks recorded and not yet written. */
  readonly pending: number;
  /** Clicks dropped because too many were waiting. */
  readonly dropped: number;
}

const DEFAULT_INTERVAL_MS = 1_000;
const DEFAULT_MAX_PENDING = 200_000;
/** Rows per statement: a long backlog is written in several. */
const FLUSH_ROWS = 20_000;

export function createClickRecorder(options: {
  db: Db;
  logger: FastifyBaseLogger;
  intervalMs?: number;
  maxPending?: number;
}): ClickRecorder {
  const { db, logger } = options;
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  let buffer = new Map<string, ClickBatchRow>();
  let pending = 0;
  let dropped = 0;
  let droppedSinceLog = 0;
  let flushing: Promise<void> | null = null;
  let stopped = false;

  function add(row: ClickBatchRow) {
    const id = `${row.key}:${row.recipientIndex}:${row.type}`;
    const known = buffer.get(id);
    if (known) {
      known.count += row.count;
      if (row.firstAt < known.firstAt) known.firstAt = row.firstAt;
      if (row.lastAt > known.lastAt) known.lastAt = row.lastAt;
    } else if (buffer.size >= maxPending) {
      dropped += row.count;
      droppedSinceLog += row.count;
      return;
    } else {
      buffer.set(id, row);
    }
    pending += row.count;
  }

  async function write() {
    const rows = [...buffer.values()];
    buffer = new Map();
    pending = 0;
    for (let start = 0; start < rows.length; start += FLUSH_ROWS) {
      const part = rows.slice(start, start + FLUSH_ROWS);
      try {
        await retryTransient(() => db.tx((q) => recordClicks(q, part)));
      } catch (err) {
        // Kept for the next flush, in front of what came meanwhile.
        for (const row of rows.slice(start)) add(row);
        logger.error({ err, clicks: pending }, "clicks could not be recorded; retrying");
        break;
      }
    }
    if (droppedSinceLog > 0) {
      logger.warn({ dropped: droppedSinceLog }, "clicks dropped: too many waiting to be recorded");
      droppedSinceLog = 0;
    }
  }

  function flush(): Promise<void> {
    if (flushing) return flushing.then(() => (buffer.size > 0 ? flush() : undefined));
    if (buffer.size === 0) return Promise.resolve();
    flushing = write().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  const timer = setInterval(() => {
    if (!flushing && buffer.size > 0) void flush();
  }, options.intervalMs ?? DEFAULT_INTERVAL_MS);
  timer.unref();

  return {
    get pending() {
      return pending;
    },
    get dropped() {
      return dropped;
    },
    record(click) {
      if (stopped) {
        dropped++;
        return;
      }
      add({
        key: click.key,
        recipientIndex: click.recipientIndex,
        type: click.type,
        count: 1,
        firstAt: click.at,
        lastAt: click.at,
      });
    },
    flush,
    async stop() {
      clearInterval(timer);
      stopped = true;
      await flush();
    },
  };
}
