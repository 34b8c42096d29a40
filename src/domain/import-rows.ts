// One data row of an import, checked as a contact would be: the phone number
// normalised (with what spreadsheets do to numbers undone), the name and the
// attributes within the contact rules, and a number seen earlier in the file
// marked a duplicate of that first row.
import { type AttributeValue, checkName, MAX_ATTRIBUTE_VALUE } from "./contact-input.ts";
import { type ColumnPlan, columnLetter, type SheetColumn } from "./import-columns.ts";
import { normalizePhone } from "./phone.ts";

export const IMPORT_STATUSES = [
  // The file is being read and its rows staged (a worker's, under a lease).
  "parsing",
  // Staged and checked: waiting for the caller to commit or discard it.
  "ready",
  // Being stored as contacts (one transaction, a worker's, under a lease).
  "committing",
  "completed",
  // The file could not be read (its error says why); nothing was stored.
  "failed",
  // Given up by the caller before it was committed; its rows are gone.
  "discarded",
] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const IMPORT_ROW_STATUSES = ["valid", "invalid", "duplicate", "existing"] as const;
export type ImportRowStatus = (typeof IMPORT_ROW_STATUSES)[number];

/**
 * What a spreadsheet cell holds once read: a formula is its result, an error
 * value (#N/A) its text when the reader tells it (null when it does not).
 */
export type CellValue = string | number | boolean | Date | { error: string | null } | null;

/** A problem of one row, at its column. */
export interface RowProblem {
  column: string;
  /** The cell, as the spreadsheet names it ("B7"). */
  cell: string;
  code: string;
  message: string;
}

export interface CheckedRow {
  row: number;
  status: "valid" | "invalid" | "duplicate";
  /** E.164, when the number is valid. */
  phone: string | null;
  /** The phone cell as it read, for the report. */
  phoneInput: string | null;
  name: string | null;
  attributes: Record<string, AttributeValue>;
  errors: RowProblem[];
  /** For a duplicate: the row where the number first appears. */
  duplicateOf: number | null;
}

/**
 * Excel stores a typed 010-1234-5678 without its hyphens as the number
 * 1012345678: the leading 0 is gone. A whole number of 9 or 10 digits
 * starting with 1 is a Korean mobile number without it (01X); 11 or 12
 * digits starting with 82 are +82 without the plus. CSV exported from such
 * a sheet carries the same digits as text.
 */
export function restorePhoneDigits(digits: string): string {
  if (/^1\d{8,9}$/.test(digits)) return `0${digits}`;
  if (/^82\d{9,10}$/.test(digits)) return `+${digits}`;
  return digits;
}

/** A date cell as text: the day, with the time when it has one (Excel dates carry no zone). */
export function dateText(date: Date): string {
  const iso = date.toISOString();
  const day = iso.slice(0, 10);
  if (iso.slice(11, 23) === "00:00:00.000") return day;
  return iso.slice(11, 19).endsWith(":00")
    ? `${day} ${iso.slice(11, 16)}`
    : `${day} ${iso.slice(11, 19)}`;
}

function isError(value: CellValue): value is { error: string | null } {
  return value !== null && typeof value === "object" && !(value instanceof Date);
}

/** A cell as text (null when empty); numbers as they would be typed. */
export function cellText(value: CellValue): string | null {
  if (value === null) return null;
  if (typeof value === "string") {
    const text = value.trim();
    return text === "" ? null : text;
  }
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : dateText(value);
  return value.error;
}

/** A phone cell as the text to normalise: numbers get their leading 0 back. */
export function phoneText(value: CellValue): string | null {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value <= 0) return cellText(value);
    return restorePhoneDigits(String(value));
  }
  const text = cellText(value);
  return text !== null && /^\d+$/.test(text) ? restorePhoneDigits(text) : text;
}

/**
 * An attribute cell as stored: numbers and booleans as they are, dates as
 * text, strings trimmed; empty or a formula's error (#N/A): nothing.
 */
export function attributeValue(value: CellValue): AttributeValue | null {
  if (value === null || isError(value)) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value;
  return cellText(value);
}

/** A row with nothing in it (skipped: not counted, not reported). */
export function isBlankRow(cells: readonly CellValue[]): boolean {
  return cells.every((c) => c === null || (typeof c === "string" && c.trim() === ""));
}

export interface RowChecker {
  /** The row checked, or null when it is blank (blank rows are skipped, not counted). */
  check(row: number, cells: readonly CellValue[]): CheckedRow | null;
}

/**
 * Checks rows in file order. The first valid row with a number keeps it;
 * later rows with the same number are duplicates of that one (a row that is
 * invalid for another reason does not claim its number).
 */
export function createRowChecker(plan: ColumnPlan): RowChecker {
  const firstRowOf = new Map<string, number>();
  const at = (column: SheetColumn, row: number) => ({
    column: column.header,
    cell: `${columnLetter(column.index)}${row}`,
  });
  return {
    check(row, cells) {
      if (isBlankRow(cells)) return null;
      const errors: RowProblem[] = [];
      const phoneCell = cells[plan.phone.index] ?? null;
      const phoneInput = cellText(phoneCell);
      let phone: string | null = null;
      if (isError(phoneCell)) {
        errors.push({
          ...at(plan.phone, row),
          code: "INVALID_PHONE",
          message: `the cell holds a formula's error${phoneCell.error ? ` (${phoneCell.error})` : ""}, not a phone number`,
        });
      } else if (phoneCell instanceof Date) {
        errors.push({
          ...at(plan.phone, row),
          code: "INVALID_PHONE",
          message: "the cell holds a date, not a phone number",
        });
      } else {
        const text = phoneText(phoneCell);
        if (text === null) {
          errors.push({
            ...at(plan.phone, row),
            code: "PHONE_REQUIRED",
            message: "no phone number",
          });
        } else {
          const normalized = normalizePhone(text);
          if (normalized.ok) phone = normalized.e164;
          else
            errors.push({
              ...at(plan.phone, row),
              code: normalized.code,
              message: normalized.message,
            });
        }
      }

      let name: string | null = null;
      if (plan.name) {
        const nameCell = cells[plan.name.index] ?? null;
        name = isError(nameCell) ? null : cellText(nameCell);
        if (name !== null) {
          for (const p of checkName(name, "/name"))
            errors.push({ ...at(plan.name, row), code: p.code, message: p.message });
        }
      }

      const attributes: Record<string, AttributeValue> = {};
      for (const { key, column } of plan.attributes) {
        const value = attributeValue(cells[column.index] ?? null);
        if (value === null) continue;
        if (typeof value === "string" && [...value].length > MAX_ATTRIBUTE_VALUE) {
          errors.push({
            ...at(column, row),
            code: "INVALID_ATTRIBUTE_VALUE",
            message: `at most ${MAX_ATTRIBUTE_VALUE} characters`,
          });
          continue;
        }
        attributes[key] = value;
      }

      if (errors.length > 0) {
        return {
          row,
          status: "invalid",
          phone,
          phoneInput,
          name,
          attributes,
          errors,
          duplicateOf: null,
        };
      }
      const first = firstRowOf.get(phone!);
      if (first !== undefined) {
        return {
          row,
          status: "duplicate",
          phone,
          phoneInput,
          name,
          attributes,
          errors,
          duplicateOf: first,
        };
      }
      firstRowOf.set(phone!, row);
      return {
        row,
        status: "valid",
        phone,
        phoneInput,
        name,
        attributes,
        errors,
        duplicateOf: null,
      };
    },
  };
}
