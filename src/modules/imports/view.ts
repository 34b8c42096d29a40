import Type from "typebox";
import { IMPORT_ROW_STATUSES, IMPORT_STATUSES } from "../../domain/import-rows.ts";
import { IsoTime, Nullable } from "../../http/schemas.ts";
import type { ImportError, ImportRow, StagedRow } from "./queries.ts";

const Column = Type.Object({
  column: Type.String({ description: "the spreadsheet's letter", examples: ["B"] }),
  header: Type.String({ examples: ["휴대폰"] }),
});

const RowError = Type.Object({
  column: Type.String({ description: "the column's header", examples: ["휴대폰"] }),
  cell: Type.String({ examples: ["B7"] }),
  code: Type.String({ examples: ["INVALID_PHONE"] }),
  message: Type.String(),
});

const Rows = Type.Object({
  total: Type.Integer({ description: "data rows (blank rows are skipped)" }),
  valid: Type.Integer({ description: "new contacts" }),
  invalid: Type.Integer(),
  duplicateInFile: Type.Integer({ description: "a number an earlier row already has" }),
  existing: Type.Integer({ description: "numbers that are already contacts" }),
});

const Result = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  skipped: Type.Integer({
    description:
      "valid and existing rows not stored: excluded, or existing with onExisting skip (invalid and duplicate rows are never stored)",
  }),
});

const Summary = {
  id: Type.String({ examples: ["imp_01JD…"] }),
  status: Type.Enum([...IMPORT_STATUSES]),
  fileName: Type.String(),
  fileType: Type.Enum(["xlsx", "csv"]),
  fileSize: Type.Integer({ description: "bytes" }),
  encoding: Nullable(
    Type.Enum(["utf-8", "utf-16le", "utf-16be", "euc-kr"], {
      description: "a CSV's text encoding (euc-kr: CP949)",
    }),
  ),
  groupId: Type.String(),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  rows: Rows,
  result: Type.Optional(Result),
  error: Nullable(
    Type.Object(
      { code: Type.String(), message: Type.String() },
      { description: "why the import failed" },
    ),
  ),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  completedAt: Nullable(IsoTime),
};

export const ImportSummary = Type.Object(Summary);

export const Import = Type.Object({
  ...Summary,
  columns: Type.Object(
    {
      phone: Column,
      name: Nullable(Column),
      attributes: Type.Array(Type.Object({ key: Type.String(), ...Column.properties })),
      ignored: Type.Array(Type.Object({ ...Column.properties, reason: Type.String() })),
    },
    { description: "the columns read, decided from the header row and the mapping" },
  ),
  headerRow: Type.Integer({ description: "the header's row number in the sheet" }),
  onExisting: Nullable(Type.Enum(["update", "skip"])),
  excludedRows: Type.Integer({ description: "rows the commit was asked to leave out" }),
  errors: Type.Array(Type.Object({ row: Type.Integer(), ...RowError.properties }), {
    description: "the first 1,000 problems of invalid rows; row: the sheet's row number",
  }),
});

export const ImportRowView = Type.Object({
  row: Type.Integer({ description: "the sheet's row number (the header is 1)" }),
  status: Type.Enum([...IMPORT_ROW_STATUSES]),
  phone: Nullable(Type.String({ description: "E.164, when valid" })),
  phoneInput: Nullable(Type.String({ description: "the phone cell as read" })),
  name: Nullable(Type.String()),
  attributes: Type.Record(
    Type.String(),
    Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
  ),
  errors: Type.Array(RowError),
  duplicateOf: Nullable(Type.Integer({ description: "the row where the number first appears" })),
  contactId: Nullable(Type.String({ description: "the contact an existing row matches" })),
});

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export function importSummaryView(i: ImportRow) {
  return {
    id: i.id,
    status: i.status,
    fileName: i.fileName,
    fileType: i.fileType,
    fileSize: i.fileSize,
    encoding: i.encoding,
    groupId: i.groupId,
    progress: Math.min(1, Math.max(0, Number(i.progress))),
    rows: {
      total: i.rowsTotal,
      valid: i.rowsValid,
      invalid: i.rowsInvalid,
      duplicateInFile: i.rowsDuplicate,
      existing: i.rowsExisting,
    },
    ...(i.status === "completed"
      ? { result: { created: i.created ?? 0, updated: i.updated ?? 0, skipped: i.skipped ?? 0 } }
      : {}),
    error: i.errorCode ? { code: i.errorCode, message: i.errorMessage ?? "" } : null,
    createdAt: iso(i.createdAt)!,
    updatedAt: iso(i.updatedAt)!,
    completedAt: iso(i.completedAt),
  };
}

export function importView(i: ImportRow, errors: ImportError[]) {
  const { columns } = i;
  const column = (c: { letter: string; header: string }) => ({
    column: c.letter,
    header: c.header,
  });
  return {
    ...importSummaryView(i),
    columns: {
      phone: column(columns.phone),
      name: columns.name ? column(columns.name) : null,
      attributes: columns.attributes.map((a) => ({ key: a.key, ...column(a.column) })),
      ignored: columns.ignored.map((g) => ({ ...column(g.column), reason: g.reason })),
    },
    headerRow: i.headerRow,
    onExisting: i.onExisting,
    excludedRows: i.excludeRows?.length ?? 0,
    errors,
  };
}

export function importRowView(r: StagedRow) {
  return {
    row: r.rowNumber,
    status: r.status,
    phone: r.phone,
    phoneInput: r.phoneInput,
    name: r.name,
    attributes: r.attributes,
    errors: r.errors ?? [],
    duplicateOf: r.duplicateOf,
    contactId: r.contactId,
  };
}
