import { sql } from "drizzle-orm";
import {
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { AttributeValue } from "../../domain/contact-input.ts";
import type { ColumnPlan } from "../../domain/import-columns.ts";
import type { TextEncoding } from "../../domain/import-file.ts";
import type { ImportRowStatus, ImportStatus, RowProblem } from "../../domain/import-rows.ts";
import { orgs } from "./orgs.ts";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

/**
 * An upload of contacts (an .xlsx or a CSV) on its way into a group: parsed
 * into staged rows (`import_rows`), checked, then committed as contacts in
 * one transaction or discarded. The file's bytes stay here until its rows
 * are staged, so a worker that dies mid-parse leaves work another can redo:
 * `parsing` and `committing` imports are claimed under a lease
 * (`lease_until`), and `attempts` tells a worker whose lease was taken over
 * that its writes are no longer wanted.
 */
export const imports = pgTable(
  "imports",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    /** The group the contacts join (the organization's own, checked again at commit). */
    groupId: text("group_id").notNull(),
    status: text("status").$type<ImportStatus>().notNull().default("parsing"),
    fileName: text("file_name").notNull(),
    fileType: text("file_type").$type<"xlsx" | "csv">().notNull(),
    fileSize: integer("file_size").notNull(),
    /** A CSV's text encoding; null for a workbook. */
    encoding: text("encoding").$type<TextEncoding>(),
    /** The uploaded bytes, until the rows are staged (or the import ends). */
    data: bytea("data"),
    /** Which columns are read, decided from the header row at upload. */
    columns: jsonb("columns").$type<ColumnPlan>().notNull(),
    /** The header's row number in the sheet (1 unless blank rows come first). */
    headerRow: integer("header_row").notNull(),
    /** About how many rows the file has (its progress is measured against it). */
    estimatedRows: integer("estimated_rows").notNull(),
    progress: doublePrecision("progress").notNull().default(0),
    rowsTotal: integer("rows_total").notNull().default(0),
    rowsValid: integer("rows_valid").notNull().default(0),
    rowsInvalid: integer("rows_invalid").notNull().default(0),
    rowsDuplicate: integer("rows_duplicate").notNull().default(0),
    rowsExisting: integer("rows_existing").notNull().default(0),
    /** What the commit was asked to do. */
    onExisting: text("on_existing").$type<"update" | "skip">(),
    excludeRows: integer("exclude_rows").array(),
    created: integer("created"),
    updated: integer("updated"),
    skipped: integer("skipped"),
    /** Why the import failed (a code of the API's, and a message). */
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    attempts: integer("attempts").notNull().default(0),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    index("imports_org_idx").on(t.orgId, t.id),
    // What the workers claim: few rows, whatever the history.
    index("imports_work_idx").on(t.leaseUntil).where(sql`${t.status} in ('parsing', 'committing')`),
    check(
      "imports_status_check",
      sql`${t.status} in ('parsing', 'ready', 'committing', 'completed', 'failed', 'discarded')`,
    ),
    check("imports_file_type_check", sql`${t.fileType} in ('xlsx', 'csv')`),
    check("imports_on_existing_check", sql`${t.onExisting} in ('update', 'skip')`),
  ],
);

/**
 * One data row of an import, numbered as its spreadsheet numbers it (the
 * header is row 1 unless blank rows come first; blank rows are skipped and
 * the numbers still match the sheet). Written with COPY in batches while the
 * file is parsed; deleted with the import's discard.
 */
export const importRows = pgTable(
  "import_rows",
  {
    importId: text("import_id")
      .notNull()
      .references(() => imports.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    rowNumber: integer("row_number").notNull(),
    status: text("status").$type<ImportRowStatus>().notNull(),
    /** E.164, when the row's number is valid. */
    phone: text("phone"),
    phoneInput: text("phone_input"),
    name: text("name"),
    attributes: jsonb("attributes").$type<Record<string, AttributeValue>>().notNull(),
    errors: jsonb("errors").$type<RowProblem[]>(),
    /** For a duplicate: the row where its number first appears. */
    duplicateOf: integer("duplicate_of"),
    /** For an existing row: the contact it matches. */
    contactId: text("contact_id"),
    /**
     * The random part of the id a new contact gets (`ct_` + the commit's
     * time + this), drawn at parse time so the commit inserts in one statement.
     */
    idSuffix: text("id_suffix"),
  },
  (t) => [
    primaryKey({ columns: [t.importId, t.rowNumber] }),
    // The rows a report lists by status: all but the valid ones, usually the bulk
    // (those are read in row order by the primary key).
    index("import_rows_reported_idx")
      .on(t.importId, t.status, t.rowNumber)
      .where(sql`${t.status} in ('invalid', 'duplicate', 'existing')`),
    check(
      "import_rows_status_check",
      sql`${t.status} in ('valid', 'invalid', 'duplicate', 'existing')`,
    ),
  ],
);

/**
 * How far a running commit is. The commit is one transaction that holds its
 * import's row locked, so it reports from another connection, into this
 * table, where a reader sees it before the commit ends (no foreign key: its
 * check would wait for that lock). The commit deletes its row when it is done.
 */
export const importCommitProgress = pgTable("import_commit_progress", {
  importId: text("import_id").primaryKey(),
  /** The commit's attempt; a row of an earlier, abandoned one is not shown. */
  attempts: integer("attempts").notNull(),
  stored: integer("stored").notNull(),
  total: integer("total").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
