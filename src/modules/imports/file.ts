// Reading an uploaded file as rows of cells, the same way at upload (up to
// its header) and in the worker (to its end): an .xlsx through exceljs's
// streaming reader once it has passed the zip guard, a CSV through
// csv-parse, decoded as it goes. Neither is ever held whole as rows.
import { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import {
  countLines,
  detectDelimiter,
  sniffFile,
  type TextEncoding,
} from "../../domain/import-file.ts";
import type { CellValue } from "../../domain/import-rows.ts";
import {
  chooseWorksheet,
  inflateWithinLimits,
  readerParts,
  readZipDirectory,
} from "../../domain/import-zip.ts";

export interface ImportLimits {
  /** The largest upload, in bytes (413 beyond). */
  maxFileBytes: number;
  /** Data rows an import may have. */
  maxRows: number;
  /** What a workbook may unpack to, in bytes. */
  maxUnpackedBytes: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxFileBytes: 20 * 1024 * 1024,
  maxRows: 100_000,
  maxUnpackedBytes: 200 * 1024 * 1024,
};

export type FileProblemCode =
  | "UNSUPPORTED_FILE"
  | "FILE_TOO_LARGE"
  | "NO_PHONE_COLUMN"
  | "NO_HEADER_ROW"
  | "INVALID_CSV";

/** Why a file cannot be imported: refused at upload (400), or the import `failed`. */
export class FileProblem extends Error {
  readonly code: FileProblemCode;
  readonly details: Record<string, unknown>[];
  constructor(code: FileProblemCode, message: string, details: Record<string, unknown>[] = []) {
    super(message);
    this.name = "FileProblem";
    this.code = code;
    this.details = details;
  }
}

/** One row of the sheet as its spreadsheet numbers it, cells from column A. */
export interface SheetRow {
  row: number;
  cells: CellValue[];
}

export interface OpenedFile {
  type: "xlsx" | "csv";
  encoding: TextEncoding | null;
  /**
   * Rows the sheet has at most, header included (a workbook's rows with a
   * value, 0 when not inflated; a CSV's lines).
   */
  rowsAtMost: number;
  /** The rows in order, blank ones included; stopping early is fine. */
  rows(): AsyncGenerator<SheetRow>;
}

/**
 * Decides what the file is and checks it can be read safely; throws a
 * FileProblem if not. A workbook is inflated once in full, counting, unless
 * `inflated` says these very bytes passed that already (at their upload):
 * its directory is still checked.
 */
export async function openFile(
  data: Buffer,
  limits: ImportLimits,
  options: { inflated?: boolean } = {},
): Promise<OpenedFile> {
  if (data.length === 0) throw new FileProblem("UNSUPPORTED_FILE", "the file is empty");
  const sniffed = sniffFile(data);
  if (sniffed.kind === "unsupported") {
    throw new FileProblem("UNSUPPORTED_FILE", `${sniffed.message}; upload an .xlsx or a CSV file`);
  }
  if (sniffed.kind === "text") {
    const { encoding, bomLength } = sniffed;
    return {
      type: "csv",
      encoding,
      rowsAtMost: countLines(data.subarray(bomLength), encoding),
      rows: () => csvRows(data.subarray(bomLength), encoding),
    };
  }
  const directory = readZipDirectory(data, limits);
  if (!directory.ok) throw new FileProblem(directory.code, directory.message);
  let rowsWithValues: Map<string, number> | null = null;
  if (!options.inflated) {
    const inflated = await inflateWithinLimits(data, directory.entries, limits);
    if (!inflated.ok) throw new FileProblem(inflated.code, inflated.message);
    rowsWithValues = inflated.rowsWithValues;
  }
  const worksheet = chooseWorksheet(data, directory.entries);
  const parts = readerParts(data, directory.entries, worksheet);
  return {
    type: "xlsx",
    encoding: null,
    rowsAtMost: rowsWithValues?.get(worksheet) ?? 0,
    rows: () => workbookRows(parts),
  };
}

// ------------------------------------------------------------------ .xlsx

interface ExcelRow {
  number: number;
  values: unknown;
}

/** exceljs's value of a cell, as a plain one: rich text joined, a formula's result, an error. */
export function cellOf(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    // A formula whose cached result is an error (which one, the reader does not say) reads as NaN.
    return Number.isNaN(value) ? { error: null } : value;
  }
  if (typeof value === "string" || typeof value === "boolean" || value instanceof Date)
    return value;
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return (v.richText as { text?: unknown }[]).map((r) => String(r.text ?? "")).join("");
    }
    if (typeof v.error === "string") return { error: v.error };
    if ("formula" in v || "sharedFormula" in v || "result" in v) return cellOf(v.result);
    if ("text" in v) return cellOf(v.text);
  }
  return null;
}

async function* workbookRows(parts: Buffer[]): AsyncGenerator<SheetRow> {
  // Loaded on first use: a server that never reads a workbook never pays its memory.
  const { default: ExcelJS } = await import("exceljs");
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(parts), {
    sharedStrings: "cache",
    // Styles tell dates from numbers.
    styles: "cache",
    hyperlinks: "ignore",
    worksheets: "emit",
    entries: "ignore",
  });
  let last = 0;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelRow>) {
        // A writer that leaves out row numbers: the next one.
        const number = Number.isInteger(row.number) && row.number > last ? row.number : last + 1;
        last = number;
        const values = row.values as unknown[];
        const cells: CellValue[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellOf(values[i]));
        yield { row: number, cells };
      }
      return;
    }
  } catch (err) {
    if (err instanceof FileProblem) throw err;
    throw new FileProblem(
      "UNSUPPORTED_FILE",
      `the workbook cannot be read: ${(err as Error).message}`,
    );
  }
}

// -------------------------------------------------------------------- CSV

const CHUNK = 64 * 1024;

/** The text, decoded a chunk at a time (a character split between chunks is kept whole). */
function* decodedChunks(data: Buffer, encoding: TextEncoding): Generator<string> {
  const decoder = new TextDecoder(encoding);
  for (let start = 0; start < data.length; start += CHUNK) {
    yield decoder.decode(data.subarray(start, start + CHUNK), { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function* csvRows(data: Buffer, encoding: TextEncoding): AsyncGenerator<SheetRow> {
  const head = new TextDecoder(encoding).decode(data.subarray(0, CHUNK));
  const firstLine = head.split(/\r\n|\n|\r/, 1)[0] ?? "";
  const parser = parseCsv({
    delimiter: detectDelimiter(firstLine),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
  });
  const source = Readable.from(decodedChunks(data, encoding));
  source.pipe(parser);
  // Excel numbers a CSV's records as its rows, blank lines included.
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      yield { row, cells: record };
    }
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new FileProblem(
      "INVALID_CSV",
      `the CSV cannot be read${e.lines ? ` at line ${e.lines}` : ""}: ${e.message}`,
    );
  } finally {
    source.destroy();
    parser.destroy();
  }
}
