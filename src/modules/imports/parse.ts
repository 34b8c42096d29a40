// A claimed import's parse: the file read row by row, each row checked and
// staged with COPY in batches, the import's progress and lease renewed with
// each batch. A parse that dies is redone from the start by whoever claims
// the import next (what it staged is deleted first), so staging needs no
// bookkeeping of its own.
import type { Db } from "../../db/client.ts";
import { type CheckedRow, createRowChecker } from "../../domain/import-rows.ts";
import { newIds } from "../../lib/ids.ts";
import { FileProblem, type ImportLimits, openFile } from "./file.ts";
import {
  type ClaimedImport,
  failImport,
  finishParse,
  type ParseCounts,
  recordParseProgress,
  stageRows,
  startParse,
} from "./queries.ts";

/** Thrown when the claim is no longer this worker's: another took it over, or the import ended. */
export class Superseded extends Error {
  constructor() {
    super("the import is no longer this worker's");
    this.name = "Superseded";
  }
}

export interface ParseOptions {
  limits: ImportLimits;
  now: () => Date;
  leaseMs: number;
  /** Rows staged per transaction. */
  batchSize?: number;
}

/** Rows per COPY: about a tenth of a second of work on PostgreSQL. */
const BATCH = 5000;

export async function parseImport(
  db: Db,
  job: ClaimedImport,
  options: ParseOptions,
): Promise<void> {
  const { limits, now, leaseMs } = options;
  const batchSize = options.batchSize ?? BATCH;
  const file = await db.tx((q) => startParse(q, job));
  if (!file) throw new Superseded();

  const fail = (problem: FileProblem) =>
    db.tx((q) =>
      failImport(q, {
        id: job.id,
        attempts: job.attempts,
        code: problem.code,
        message: problem.message,
        now: now(),
      }),
    );

  const checker = createRowChecker(file.columns);
  const counts: ParseCounts = { total: 0, valid: 0, invalid: 0, duplicate: 0 };
  let batch: CheckedRow[] = [];
  const flush = async () => {
    const rows = batch;
    batch = [];
    const valid = rows.filter((r) => r.status === "valid").length;
    const idSuffixes = newIds("ct", valid).map((id) => id.slice(-16));
    const progress = Math.min(0.99, counts.total / Math.max(1, file.estimatedRows));
    await db.tx(async (q) => {
      const owned = await recordParseProgress(q, {
        id: job.id,
        attempts: job.attempts,
        progress,
        counts,
        now: now(),
        leaseMs,
      });
      if (!owned) throw new Superseded();
      if (rows.length > 0)
        await stageRows(q, { importId: job.id, orgId: job.orgId, rows, idSuffixes });
    });
  };

  try {
    // These bytes passed the zip guard, inflated in full, when they were uploaded.
    const opened = await openFile(file.data, limits, { inflated: true });
    for await (const { row, cells } of opened.rows()) {
      // The header, and any blank rows above it.
      if (row <= file.headerRow) continue;
      const checked = checker.check(row, cells);
      if (!checked) continue;
      counts.total++;
      if (counts.total > limits.maxRows) {
        throw new FileProblem(
          "FILE_TOO_LARGE",
          `the sheet has more than ${limits.maxRows.toLocaleString("en-US")} data rows`,
        );
      }
      if (checked.status === "valid") counts.valid++;
      else if (checked.status === "invalid") counts.invalid++;
      else counts.duplicate++;
      batch.push(checked);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (err) {
    if (err instanceof FileProblem) return fail(err);
    throw err;
  }
  const finished = await db.tx((q) =>
    finishParse(q, { id: job.id, orgId: job.orgId, attempts: job.attempts, now: now() }),
  );
  if (!finished) throw new Superseded();
}
