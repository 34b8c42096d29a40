// What callers ask of imports: upload a file (checked up to its header at
// once, then parsed by a worker), read it and its rows, commit it into its
// group (by a worker, in one transaction), or discard it. Every problem of
// the file or the request is a 4xx with its code and place; nothing reaches
// the contacts before a commit.
import { createHash } from "node:crypto";
import type { Db } from "../../db/client.ts";
import { type ColumnMapping, parseMapping, planColumns } from "../../domain/import-columns.ts";
import { cellText, isBlankRow } from "../../domain/import-rows.ts";
import { AppError, type ErrorCode } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { type Actor, insertAudit } from "../audit/index.ts";
import { ensureUnassignedGroup, findGroup } from "../contacts/index.ts";
import { type CreatedResponse, hashRequest, runIdempotent } from "../idempotency/index.ts";
import {
  FileProblem,
  type ImportLimits,
  type OpenedFile,
  openFile,
  type SheetRow,
} from "./file.ts";
import {
  findImport,
  findImportErrors,
  findMissingRows,
  type ImportRow,
  insertImport,
  lockImport,
  markCommitting,
  markDiscarded,
} from "./queries.ts";
import { importView } from "./view.ts";

export type ImportView = ReturnType<typeof importView>;

/** The problems an import view lists at most. */
export const MAX_ERRORS = 1000;

const PROBLEM_CODES: Record<FileProblem["code"], ErrorCode> = {
  UNSUPPORTED_FILE: "UNSUPPORTED_FILE",
  FILE_TOO_LARGE: "FILE_TOO_LARGE",
  NO_PHONE_COLUMN: "NO_PHONE_COLUMN",
  NO_HEADER_ROW: "VALIDATION_FAILED",
  INVALID_CSV: "VALIDATION_FAILED",
};

/** A file's problem as the 400 answer to its upload. */
export function problemError(problem: FileProblem): AppError {
  return new AppError(PROBLEM_CODES[problem.code], problem.message, {
    details:
      problem.details.length > 0
        ? problem.details
        : [{ path: "/file", code: problem.code, message: problem.message }],
  });
}

function invalid(details: { path: string; code: string; message: string }[]): AppError {
  return new AppError("VALIDATION_FAILED", details[0]?.message ?? "the request is not valid", {
    details,
  });
}

/** The header: the first row that is not blank (null when the sheet has none). */
async function readHeader(file: OpenedFile): Promise<SheetRow | null> {
  for await (const row of file.rows()) {
    if (!isBlankRow(row.cells)) return row;
  }
  return null;
}

/** A CSV's data rows, counted to one past the limit (its lines only bound them). */
async function countDataRows(file: OpenedFile, headerRow: number, limit: number): Promise<number> {
  let n = 0;
  for await (const row of file.rows()) {
    if (row.row <= headerRow || isBlankRow(row.cells)) continue;
    if (++n > limit) break;
  }
  return n;
}

export interface Upload {
  orgId: string;
  fileName: string;
  data: Buffer;
  groupId: string | null;
  /** The `mapping` field as sent (JSON), if any. */
  mapping: string | null;
  idempotencyKey: string | undefined;
  limits: ImportLimits;
  now: Date;
}

/**
 * Checks an upload up to its header row and stores it, to be parsed by a
 * worker: the file's kind from its bytes, the zip guard for a workbook, the
 * columns from the header and the mapping, the row limit where it can be
 * told without reading every row, and the group.
 */
export async function uploadImport(db: Db, upload: Upload): Promise<CreatedResponse<ImportView>> {
  const { orgId, data, limits } = upload;
  let mapping: ColumnMapping | null = null;
  if (upload.mapping !== null && upload.mapping.trim() !== "") {
    const parsed = parseMapping(upload.mapping);
    if (!parsed.ok) throw invalid(parsed.problems);
    mapping = parsed.mapping;
  }
  if (upload.groupId !== null && !/^grp_\w{1,60}$/.test(upload.groupId)) {
    throw invalid([{ path: "/groupId", code: "GROUP_NOT_FOUND", message: upload.groupId }]);
  }

  let file: OpenedFile;
  let header: SheetRow | null;
  try {
    file = await openFile(data, limits);
    header = await readHeader(file);
  } catch (err) {
    if (err instanceof FileProblem) throw problemError(err);
    throw err;
  }
  if (!header) {
    throw problemError(
      new FileProblem("NO_HEADER_ROW", "the sheet is empty: its first row names the columns"),
    );
  }
  const plan = planColumns(header.cells.map(cellText), mapping);
  if (!plan.ok) {
    throw new AppError(plan.code, plan.problems[0]!.message, { details: plan.problems });
  }
  const tooMany = () =>
    problemError(
      new FileProblem(
        "FILE_TOO_LARGE",
        `the sheet has more than ${limits.maxRows.toLocaleString("en-US")} data rows`,
      ),
    );
  let estimatedRows = Math.max(0, file.rowsAtMost - header.row);
  if (file.type === "xlsx") {
    // Rows with a value, less the header: the worker still counts exactly.
    estimatedRows = Math.max(0, file.rowsAtMost - 1);
    if (estimatedRows > limits.maxRows) throw tooMany();
  } else if (estimatedRows > limits.maxRows) {
    try {
      estimatedRows = await countDataRows(file, header.row, limits.maxRows);
    } catch (err) {
      if (err instanceof FileProblem) throw problemError(err);
      throw err;
    }
    if (estimatedRows > limits.maxRows) throw tooMany();
  }

  const fileName = upload.fileName.trim().slice(0, 200) || `import.${file.type}`;
  const idempotency = upload.idempotencyKey
    ? {
        key: upload.idempotencyKey,
        requestHash: hashRequest("POST /v1/imports", {
          fileName,
          file: createHash("sha256").update(data).digest("hex"),
          groupId: upload.groupId,
          mapping,
        }),
      }
    : null;
  return runIdempotent(db, { orgId, idempotency }, async (q) => {
    let groupId: string;
    if (upload.groupId === null) groupId = await ensureUnassignedGroup(q, orgId);
    else {
      const group = await findGroup(q, orgId, upload.groupId);
      if (!group) {
        throw invalid([{ path: "/groupId", code: "GROUP_NOT_FOUND", message: upload.groupId }]);
      }
      groupId = group.id;
    }
    const row = await insertImport(q, {
      id: newId("imp"),
      orgId,
      groupId,
      fileName,
      fileType: file.type,
      encoding: file.encoding,
      data,
      columns: plan.plan,
      headerRow: header.row,
      estimatedRows,
      now: upload.now,
    });
    return { statusCode: 202, body: importView(row, []) };
  });
}

async function viewOf(db: Db, row: ImportRow): Promise<ImportView> {
  return importView(row, await findImportErrors(db, row.id, MAX_ERRORS));
}

export async function getImport(db: Db, orgId: string, id: string): Promise<ImportView> {
  const row = await findImport(db, orgId, id);
  if (!row) throw new AppError("NOT_FOUND", "import not found");
  return viewOf(db, row);
}

const sameRows = (a: readonly number[] | null, b: readonly number[]) =>
  (a ?? []).length === b.length && (a ?? []).every((n, i) => n === b[i]);

/**
 * Hands a ready import to the workers to commit. Asked again with the same
 * options while it commits or once it has (a retry), the answer is the
 * import as it is; otherwise only a ready import can be committed.
 */
export async function requestCommit(
  db: Db,
  options: {
    orgId: string;
    id: string;
    excludeRows: number[];
    onExisting: "update" | "skip";
    actor: Actor;
    now: Date;
  },
): Promise<{ view: ImportView; queued: boolean }> {
  const excludeRows = [...new Set(options.excludeRows)].sort((a, b) => a - b);
  const outcome = await db.tx(async (q) => {
    const row = await lockImport(q, options.orgId, options.id);
    if (!row) throw new AppError("NOT_FOUND", "import not found");
    if (row.status === "committing" || row.status === "completed") {
      if (row.onExisting === options.onExisting && sameRows(row.excludeRows, excludeRows)) {
        return { row, queued: false };
      }
    }
    if (row.status !== "ready") {
      throw new AppError(
        "CONFLICT",
        `the import is ${row.status}: only a ready import can be committed`,
        {
          details: [{ path: "/", code: "IMPORT_NOT_READY", status: row.status }],
        },
      );
    }
    const missing = await findMissingRows(q, row.id, excludeRows);
    if (missing.length > 0) {
      throw invalid(
        missing.slice(0, 100).map((n) => ({
          path: `/excludeRows/${options.excludeRows.indexOf(n)}`,
          code: "ROW_NOT_FOUND",
          message: `the import has no row ${n}`,
        })),
      );
    }
    if (!(await findGroup(q, options.orgId, row.groupId))) {
      throw new AppError(
        "CONFLICT",
        "the import's group was deleted: discard it and upload again",
        {
          details: [{ path: "/", code: "GROUP_NOT_FOUND", groupId: row.groupId }],
        },
      );
    }
    await markCommitting(q, {
      id: row.id,
      onExisting: options.onExisting,
      excludeRows,
      now: options.now,
    });
    await insertAudit(q, {
      orgId: options.orgId,
      actor: options.actor,
      action: "import.commit_requested",
      targetType: "import",
      targetId: row.id,
      details: {
        fileName: row.fileName,
        groupId: row.groupId,
        onExisting: options.onExisting,
        excludedRows: excludeRows.length,
        rows: { valid: row.rowsValid, existing: row.rowsExisting },
      },
    });
    return { row: (await findImport(q, options.orgId, row.id))!, queued: true };
  });
  return { view: await viewOf(db, outcome.row), queued: outcome.queued };
}

/**
 * Discards an import that has not been committed: its staged rows and its
 * file are deleted (a parse under way stops at its next batch). Discarding
 * it again is the same answer.
 */
export async function discardImport(
  db: Db,
  options: { orgId: string; id: string; actor: Actor; now: Date },
): Promise<ImportView> {
  const row = await db.tx(async (q) => {
    const row = await lockImport(q, options.orgId, options.id);
    if (!row) throw new AppError("NOT_FOUND", "import not found");
    if (row.status === "discarded") return row;
    if (row.status === "committing" || row.status === "completed") {
      throw new AppError("CONFLICT", `the import is ${row.status}: it can no longer be discarded`, {
        details: [{ path: "/", code: "IMPORT_COMMITTED", status: row.status }],
      });
    }
    await markDiscarded(q, row.id, options.now);
    await insertAudit(q, {
      orgId: options.orgId,
      actor: options.actor,
      action: "import.discarded",
      targetType: "import",
      targetId: row.id,
      details: { fileName: row.fileName, status: row.status, rows: row.rowsTotal },
    });
    return (await findImport(q, options.orgId, row.id))!;
  });
  return viewOf(db, row);
}
