// The import worker: a loop that claims one import to parse or commit at a
// time, under a lease, and does it. An import whose worker died is claimed
// again once its lease lapses and redone from the start (a parse deletes
// what was staged; a commit is one transaction). One that fails this way
// MAX_ATTEMPTS times is failed, so no import is stuck for ever.
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../../db/client.ts";
import { startLoop, type WorkerLoop } from "../../workers/loop.ts";
import { commitImport } from "./commit.ts";
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from "./file.ts";
import { parseImport, Superseded } from "./parse.ts";
import { claimImport, failImport, retryImportLater } from "./queries.ts";

const IDLE_MS = 1000;
/** Renewed with every batch a parse stages; a commit holds its import's row lock besides. */
const LEASE_MS = 60_000;
/** After a failed attempt (the database away), the next one waits this long. */
const RETRY_MS = 5_000;
export const MAX_ATTEMPTS = 3;

export interface ImportWorkerOptions {
  db: Db;
  logger: FastifyBaseLogger;
  now: () => Date;
  limits?: ImportLimits;
  leaseMs?: number;
  retryMs?: number;
  /** Rows a parse stages per transaction. */
  batchSize?: number;
  /** Row numbers a commit stores per statement. */
  commitChunkRows?: number;
}

/** Claims and handles one import; false when there was none to do. */
export async function runNextImport(options: ImportWorkerOptions): Promise<boolean> {
  const { db, now, logger } = options;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const job = await claimImport(db, { now: now(), leaseMs });
  if (!job) return false;
  if (job.attempts > MAX_ATTEMPTS) {
    await db.tx((q) =>
      failImport(q, {
        id: job.id,
        attempts: job.attempts,
        code: job.status === "parsing" ? "PARSE_FAILED" : "COMMIT_FAILED",
        message: `gave up after ${MAX_ATTEMPTS} attempts; nothing was stored`,
        now: now(),
      }),
    );
    return true;
  }
  try {
    if (job.status === "parsing") {
      await parseImport(db, job, {
        limits: options.limits ?? DEFAULT_IMPORT_LIMITS,
        now,
        leaseMs,
        batchSize: options.batchSize,
      });
    } else {
      await commitImport(db, job, { now, chunkRows: options.commitChunkRows });
    }
  } catch (err) {
    if (err instanceof Superseded) return true;
    logger.warn({ err, importId: job.id, attempt: job.attempts }, `import ${job.status} failed`);
    await retryImportLater(db, {
      id: job.id,
      attempts: job.attempts,
      retryAt: new Date(now().getTime() + (options.retryMs ?? RETRY_MS)),
    }).catch(() => {});
  }
  return true;
}

export function startImportWorker(
  options: ImportWorkerOptions & { onWake: (listener: () => void) => void },
): WorkerLoop {
  const loop = startLoop({
    name: "imports",
    intervalMs: IDLE_MS,
    logger: options.logger,
    tick: () => runNextImport(options),
  });
  options.onWake(() => loop.wake());
  return loop;
}
