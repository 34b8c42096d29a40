// Imports and their staged rows. Every statement a caller reaches is scoped
// to the organization; the workers' statements name an import by its id and
// the attempt they claimed it with, so a worker whose lease another took
// over changes nothing (its statements match no row).
import type { Queryable } from "../../db/client.ts";
import { copyLine } from "../../db/copy-text.ts";
import type { ColumnPlan } from "../../domain/import-columns.ts";
import type { TextEncoding } from "../../domain/import-file.ts";
import type {
  CheckedRow,
  ImportRowStatus,
  ImportStatus,
  RowProblem,
} from "../../domain/import-rows.ts";

export interface ImportRow {
  id: string;
  orgId: string;
  groupId: string;
  status: ImportStatus;
  fileName: string;
  fileType: "xlsx" | "csv";
  fileSize: number;
  encoding: TextEncoding | null;
  columns: ColumnPlan;
  headerRow: number;
  progress: number;
  rowsTotal: number;
  rowsValid: number;
  rowsInvalid: number;
  rowsDuplicate: number;
  rowsExisting: number;
  onExisting: "update" | "skip" | null;
  excludeRows: number[] | null;
  created: number | null;
  updated: number | null;
  skipped: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

const IMPORT_COLUMNS = `i.id, i.org_id as "orgId", i.group_id as "groupId", i.status,
  i.file_name as "fileName", i.file_type as "fileType", i.file_size as "fileSize", i.encoding,
  i.columns, i.header_row as "headerRow",
  case when i.status = 'committing' then coalesce(
    (select p.stored::float8 / greatest(p.total, 1) from import_commit_progress p
     where p.import_id = i.id and p.attempts = i.attempts), 0)
  else i.progress end as progress,
  i.rows_total as "rowsTotal", i.rows_valid as "rowsValid", i.rows_invalid as "rowsInvalid",
  i.rows_duplicate as "rowsDuplicate", i.rows_existing as "rowsExisting",
  i.on_existing as "onExisting", i.exclude_rows as "excludeRows",
  i.created, i.updated, i.skipped, i.error_code as "errorCode", i.error_message as "errorMessage",
  i.created_at as "createdAt", i.updated_at as "updatedAt", i.completed_at as "completedAt"`;

/** Stores an upload, to be parsed by a worker (status `parsing`). */
export async function insertImport(
  q: Queryable,
  row: {
    id: string;
    orgId: string;
    groupId: string;
    fileName: string;
    fileType: "xlsx" | "csv";
    encoding: TextEncoding | null;
    data: Buffer;
    columns: ColumnPlan;
    headerRow: number;
    estimatedRows: number;
    now: Date;
  },
): Promise<ImportRow> {
  const r = await q.query<ImportRow>(
    `insert into imports as i (id, org_id, group_id, file_name, file_type, file_size, encoding, data,
       columns, header_row, estimated_rows, created_at, updated_at)
     values ($1, $2, $3, $4, $5, octet_length(decode($7, 'base64')), $6, decode($7, 'base64'),
       $8, $9, $10, $11, $11)
     returning ${IMPORT_COLUMNS}`,
    [
      row.id,
      row.orgId,
      row.groupId,
      row.fileName,
      row.fileType,
      row.encoding,
      // As base64 text: PGlite takes a 4 MB Buffer parameter ten times slower.
      row.data.toString("base64"),
      JSON.stringify(row.columns),
      row.headerRow,
      row.estimatedRows,
      row.now,
    ],
  );
  return r.rows[0]!;
}

export async function findImport(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<ImportRow | null> {
  const r = await q.query<ImportRow>(
    `select ${IMPORT_COLUMNS} from imports i where i.id = $1 and i.org_id = $2`,
    [id, orgId],
  );
  return r.rows[0] ?? null;
}

/** The import, locked for a change by its caller (a commit request, a discard). */
export async function lockImport(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<ImportRow | null> {
  const r = await q.query<ImportRow>(
    `select ${IMPORT_COLUMNS} from imports i where i.id = $1 and i.org_id = $2 for update`,
    [id, orgId],
  );
  return r.rows[0] ?? null;
}

/** A page of the organization's imports, newest first. */
export async function listImports(
  q: Queryable,
  options: { orgId: string; before: string | null; limit: number },
): Promise<ImportRow[]> {
  const r = await q.query<ImportRow>(
    `select ${IMPORT_COLUMNS} from imports i
     where i.org_id = $1 and ($2::text is null or i.id < $2)
     order by i.id desc limit $3`,
    [options.orgId, options.before, options.limit],
  );
  return r.rows;
}

export interface ImportError extends RowProblem {
  row: number;
}

/** The first `limit` problems of the import's invalid rows, in row order. */
export async function findImportErrors(
  q: Queryable,
  importId: string,
  limit: number,
): Promise<ImportError[]> {
  const r = await q.query<ImportError>(
    `select r.row_number as row, e.value->>'column' as column, e.value->>'cell' as cell,
       e.value->>'code' as code, e.value->>'message' as message
     from (select row_number, errors from import_rows
           where import_id = $1 and status = 'invalid'
           order by row_number limit $2) r
     cross join lateral jsonb_array_elements(r.errors) with ordinality as e(value, n)
     order by r.row_number, e.n
     limit $2`,
    [importId, limit],
  );
  return r.rows;
}

export interface StagedRow {
  rowNumber: number;
  status: ImportRowStatus;
  phone: string | null;
  phoneInput: string | null;
  name: string | null;
  attributes: Record<string, string | number | boolean>;
  errors: RowProblem[] | null;
  duplicateOf: number | null;
  contactId: string | null;
}

/** A page of an import's rows in row order, optionally of one status. */
export async function listImportRows(
  q: Queryable,
  options: {
    importId: string;
    status: ImportRowStatus | null;
    after: number | null;
    limit: number;
  },
): Promise<StagedRow[]> {
  const r = await q.query<StagedRow>(
    `select row_number as "rowNumber", status, phone, phone_input as "phoneInput", name, attributes,
       errors, duplicate_of as "duplicateOf", contact_id as "contactId"
     from import_rows
     where import_id = $1 and ($2::text is null or status = $2)
       and ($3::int is null or row_number > $3)
     order by row_number limit $4`,
    [options.importId, options.status, options.after, options.limit],
  );
  return r.rows;
}

/** Of `rowNumbers`, those the import has no row for. */
export async function findMissingRows(
  q: Queryable,
  importId: string,
  rowNumbers: readonly number[],
): Promise<number[]> {
  const r = await q.query<{ n: number }>(
    `select n from unnest($2::int[]) as n
     where not exists (select 1 from import_rows where import_id = $1 and row_number = n)
     order by n`,
    [importId, rowNumbers],
  );
  return r.rows.map((row) => row.n);
}

/** Hands a ready import to the workers to commit, with what the caller asked. */
export async function markCommitting(
  q: Queryable,
  options: {
    id: string;
    onExisting: "update" | "skip";
    excludeRows: readonly number[];
    now: Date;
  },
): Promise<void> {
  await q.query(
    `update imports set status = 'committing', on_existing = $2, exclude_rows = $3::int[],
       progress = 0, attempts = 0, lease_until = null, updated_at = $4
     where id = $1 and status = 'ready'`,
    [options.id, options.onExisting, options.excludeRows, options.now],
  );
}

/** Gives an import up: its rows and its file are deleted, the import stays as `discarded`. */
export async function markDiscarded(q: Queryable, id: string, now: Date): Promise<void> {
  await q.query("delete from import_rows where import_id = $1", [id]);
  await q.query("delete from import_commit_progress where import_id = $1", [id]);
  await q.query(
    `update imports set status = 'discarded', data = null, lease_until = null, updated_at = $2
     where id = $1`,
    [id, now],
  );
}

// ---------------------------------------------------------------- workers

export interface ClaimedImport {
  id: string;
  orgId: string;
  status: "parsing" | "committing";
  attempts: number;
}

/**
 * Claims the longest-waiting import to parse or commit whose lease is free
 * or lapsed (a worker that died), for `leaseMs`: one statement that locks
 * and updates, skipping imports another worker holds.
 */
export async function claimImport(
  q: Queryable,
  options: { now: Date; leaseMs: number },
): Promise<ClaimedImport | null> {
  const r = await q.query<ClaimedImport>(
    `update imports i
     set attempts = i.attempts + 1,
         lease_until = $1::timestamptz + $2 * interval '1 millisecond',
         updated_at = $1
     where i.id in (
       select id from imports
       where status in ('parsing', 'committing') and (lease_until is null or lease_until < $1)
       order by lease_until nulls first, id
       limit 1
       for update skip locked
     )
     returning i.id, i.org_id as "orgId", i.status, i.attempts`,
    [options.now, options.leaseMs],
  );
  return r.rows[0] ?? null;
}

export interface ImportFile {
  data: Buffer;
  columns: ColumnPlan;
  headerRow: number;
  estimatedRows: number;
}

/**
 * Starts (or restarts) a claimed parse: deletes what an earlier attempt
 * staged and reads the file. Null when the claim is no longer this one's.
 */
export async function startParse(
  q: Queryable,
  job: { id: string; attempts: number },
): Promise<ImportFile | null> {
  // The bytes as base64 text: both engines hand that over far faster than bytea.
  const r = await q.query<Omit<ImportFile, "data"> & { data: string | null }>(
    `select encode(data, 'base64') as data, columns, header_row as "headerRow",
       estimated_rows as "estimatedRows"
     from imports where id = $1 and attempts = $2 and status = 'parsing' for update`,
    [job.id, job.attempts],
  );
  const row = r.rows[0];
  if (!row || row.data === null) return null;
  await q.query("delete from import_rows where import_id = $1", [job.id]);
  return { ...row, data: Buffer.from(row.data, "base64") };
}

export interface ParseCounts {
  total: number;
  valid: number;
  invalid: number;
  duplicate: number;
}

/**
 * A parse's progress, and its lease renewed; false when the claim is no
 * longer this one's (taken over, or the import discarded meanwhile).
 */
export async function recordParseProgress(
  q: Queryable,
  options: {
    id: string;
    attempts: number;
    progress: number;
    counts: ParseCounts;
    now: Date;
    leaseMs: number;
  },
): Promise<boolean> {
  const { counts } = options;
  const r = await q.query(
    `update imports set progress = $3, rows_total = $4, rows_valid = $5, rows_invalid = $6,
       rows_duplicate = $7, lease_until = $8::timestamptz + $9 * interval '1 millisecond',
       updated_at = $8
     where id = $1 and attempts = $2 and status = 'parsing'`,
    [
      options.id,
      options.attempts,
      options.progress,
      counts.total,
      counts.valid,
      counts.invalid,
      counts.duplicate,
      options.now,
      options.leaseMs,
    ],
  );
  return r.affectedRows > 0;
}

export const IMPORT_ROW_COLUMNS = [
  "import_id",
  "org_id",
  "row_number",
  "status",
  "phone",
  "phone_input",
  "name",
  "attributes",
  "errors",
  "duplicate_of",
  "id_suffix",
] as const;

/** Stages checked rows with COPY (valid rows with the id suffix their contact will get). */
export async function stageRows(
  q: Queryable,
  options: { importId: string; orgId: string; rows: readonly CheckedRow[]; idSuffixes: string[] },
): Promise<void> {
  const { importId, orgId, rows, idSuffixes } = options;
  let suffix = 0;
  // One chunk per batch: a COPY message per row would cost more than the row.
  let text = "";
  for (const row of rows) {
    text += copyLine([
      importId,
      orgId,
      row.row,
      row.status,
      row.phone,
      row.phoneInput,
      row.name,
      JSON.stringify(row.attributes),
      row.errors.length > 0 ? JSON.stringify(row.errors) : null,
      row.duplicateOf,
      row.status === "valid" ? idSuffixes[suffix++] : null,
    ]);
  }
  await q.copyFrom({ table: "import_rows", columns: IMPORT_ROW_COLUMNS }, [text]);
}

/**
 * Ends a parse: valid rows whose number is already a contact become
 * `existing` (with that contact), the counts are taken from the rows, and
 * the file's bytes are let go. False when the claim is no longer this one's.
 */
export async function finishParse(
  q: Queryable,
  options: { id: string; orgId: string; attempts: number; now: Date },
): Promise<boolean> {
  const owned = await q.query(
    "select 1 from imports where id = $1 and attempts = $2 and status = 'parsing' for update",
    [options.id, options.attempts],
  );
  if (owned.rows.length === 0) return false;
  await q.query(
    `update import_rows r set status = 'existing', contact_id = c.id
     from contacts c
     where r.import_id = $1 and r.status = 'valid' and c.org_id = $2 and c.phone = r.phone`,
    [options.id, options.orgId],
  );
  await q.query(
    `update imports i set status = 'ready', progress = 1, data = null, lease_until = null,
       rows_total = s.total, rows_valid = s.valid, rows_invalid = s.invalid,
       rows_duplicate = s.duplicate, rows_existing = s.existing, updated_at = $2
     from (select count(*)::int as total,
             count(*) filter (where status = 'valid')::int as valid,
             count(*) filter (where status = 'invalid')::int as invalid,
             count(*) filter (where status = 'duplicate')::int as duplicate,
             count(*) filter (where status = 'existing')::int as existing
           from import_rows where import_id = $1) s
     where i.id = $1`,
    [options.id, options.now],
  );
  return true;
}

/**
 * Ends an import as `failed` with the reason: its staged rows and its file
 * are let go. With `attempts`, only if the claim is still that one.
 */
export async function failImport(
  q: Queryable,
  options: { id: string; attempts: number; code: string; message: string; now: Date },
): Promise<void> {
  const r = await q.query(
    `update imports set status = 'failed', error_code = $3, error_message = $4, data = null,
       lease_until = null, progress = 0, updated_at = $5
     where id = $1 and attempts = $2 and status in ('parsing', 'committing')`,
    [options.id, options.attempts, options.code, options.message, options.now],
  );
  if (r.affectedRows > 0) {
    await q.query("delete from import_rows where import_id = $1", [options.id]);
  }
}

/** After a failed attempt (the database went away): try again from `retryAt`. */
export async function retryImportLater(
  q: Queryable,
  options: { id: string; attempts: number; retryAt: Date },
): Promise<void> {
  await q.query(
    `update imports set lease_until = $3
     where id = $1 and attempts = $2 and status in ('parsing', 'committing')`,
    [options.id, options.attempts, options.retryAt],
  );
}

export interface CommitJob {
  orgId: string;
  groupId: string;
  onExisting: "update" | "skip";
  excludeRows: number[];
}

/** The claimed commit, locked for its transaction; null when the claim is no longer this one's. */
export async function lockCommit(
  q: Queryable,
  job: { id: string; attempts: number },
): Promise<CommitJob | null> {
  const r = await q.query<CommitJob>(
    `select org_id as "orgId", group_id as "groupId", coalesce(on_existing, 'update') as "onExisting",
       coalesce(exclude_rows, '{}') as "excludeRows"
     from imports where id = $1 and attempts = $2 and status = 'committing' for update`,
    [job.id, job.attempts],
  );
  return r.rows[0] ?? null;
}

// The rows a commit stores: valid and existing ones, less those excluded.
const PICKED = `select r.phone, r.name, r.attributes, r.id_suffix
  from import_rows r
  where r.import_id = $1 and r.org_id = $2 and r.status in ('valid', 'existing')
    and r.row_number <> all($3::int[])
    and r.row_number between $LO and $HI`;

// New contacts are inserted in id order: their ids share the commit's time,
// so the primary key and (org_id, id) grow at their right edge instead of
// splitting pages all over.

/**
 * `update`: new numbers become contacts; a number already a contact gets
 * the row's name (when it has one) and attributes (over its own) and joins
 * the group too. Into 미지정 (the system group), only contacts in no group
 * go: 미지정 holds the contacts in no other group.
 */
const STORE_UPDATE = `with picked as (${PICKED}),
  stored as (
    insert into contacts as c (id, org_id, phone, name, attributes, created_at, updated_at)
    select $4 || p.id_suffix, $2, p.phone, p.name, p.attributes, $5, $5 from picked p
    order by p.id_suffix
    on conflict (org_id, phone) do update
      set name = coalesce(excluded.name, c.name),
          attributes = c.attributes || excluded.attributes,
          updated_at = excluded.updated_at
    returning c.id, (c.xmax = 0) as created
  ),
  joined as (
    insert into group_members (group_id, contact_id)
    select $6, s.id from stored s
    where not $7::boolean or s.created
       or not exists (select 1 from group_members m where m.contact_id = s.id)
    on conflict do nothing
  )
  select count(*) filter (where created)::int as created,
         count(*) filter (where not created)::int as updated
  from stored`;

/** `skip`: new numbers become contacts in the group; numbers already contacts are left as they are. */
const STORE_SKIP = `with picked as (${PICKED}),
  stored as (
    insert into contacts (id, org_id, phone, name, attributes, created_at, updated_at)
    select $4 || p.id_suffix, $2, p.phone, p.name, p.attributes, $5, $5 from picked p
    order by p.id_suffix
    on conflict (org_id, phone) do nothing
    returning id
  ),
  joined as (
    insert into group_members (group_id, contact_id)
    select $6, s.id from stored s
    on conflict do nothing
  )
  select count(*)::int as created, 0 as updated from stored`;

/** Rows a commit stores per statement, between which it reports its progress. */
const COMMIT_CHUNK_ROWS = 10_000;

/**
 * Stores the staged rows as contacts and memberships, set-based, in the
 * caller's transaction, a range of row numbers per statement (the primary
 * key's order) so that `onProgress` can tell how far it is; then the import
 * is `completed` with what happened. `skipped`: valid and existing rows not
 * stored (excluded, or existing with `skip`).
 */
export async function commitStagedRows(
  q: Queryable,
  options: {
    id: string;
    job: CommitJob;
    /** `ct_` and the commit's time: a new contact's id is this and its row's suffix. */
    idPrefix: string;
    groupIsSystem: boolean;
    now: Date;
    /** Row numbers per statement (default COMMIT_CHUNK_ROWS). */
    chunkRows?: number;
    onProgress?: (progress: { stored: number; total: number }) => Promise<void>;
  },
): Promise<{ created: number; updated: number; skipped: number }> {
  const { id, job } = options;
  const span = await q.query<{ n: number; first: number | null; last: number | null }>(
    `select count(*)::int as n, min(row_number) as first, max(row_number) as last
     from import_rows where import_id = $1 and status in ('valid', 'existing')`,
    [id],
  );
  const { n: candidates, first, last } = span.rows[0]!;
  const update = job.onExisting === "update";
  const statement = (update ? STORE_UPDATE : STORE_SKIP)
    .replace("$LO", update ? "$8" : "$7")
    .replace("$HI", update ? "$9" : "$8");
  let created = 0;
  let updated = 0;
  for (
    let lo = first ?? 1;
    first !== null && last !== null && lo <= last;
    lo += COMMIT_CHUNK_ROWS
  ) {
    const hi = lo + COMMIT_CHUNK_ROWS - 1;
    const params = [id, job.orgId, job.excludeRows, options.idPrefix, options.now, job.groupId];
    const stored = await q.query<{ created: number; updated: number }>(
      statement,
      update ? [...params, options.groupIsSystem, lo, hi] : [...params, lo, hi],
    );
    created += stored.rows[0]!.created;
    updated += stored.rows[0]!.updated;
    await options.onProgress?.({ stored: created + updated, total: candidates });
  }
  const skipped = candidates - created - updated;
  await q.query("delete from import_commit_progress where import_id = $1", [id]);
  await q.query(
    `update imports set status = 'completed', progress = 1, created = $2, updated = $3,
       skipped = $4, lease_until = null, updated_at = $5, completed_at = $5
     where id = $1`,
    [id, created, updated, skipped, options.now],
  );
  return { created, updated, skipped };
}

/**
 * A running commit's progress, written by a connection of its own while the
 * commit's transaction holds the import (see import_commit_progress).
 */
export async function recordCommitProgress(
  q: Queryable,
  p: { id: string; attempts: number; stored: number; total: number; now: Date },
): Promise<void> {
  await q.query(
    `insert into import_commit_progress (import_id, attempts, stored, total, updated_at)
     values ($1, $2, $3, $4, $5)
     on conflict (import_id) do update
       set attempts = excluded.attempts, stored = excluded.stored, total = excluded.total,
           updated_at = excluded.updated_at`,
    [p.id, p.attempts, p.stored, p.total, p.now],
  );
}
