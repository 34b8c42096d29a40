// Which columns of a spreadsheet an import reads, decided from its header
// row (the first row that is not blank): the phone number, the name, and
// attributes named by their headers. Korean spreadsheets name these columns
// in a handful of ways; a mapping given with the upload says it outright.
import { MAX_ATTRIBUTE_KEY, MAX_ATTRIBUTES } from "./contact-input.ts";

/** A problem with the upload as a whole: at a path of the request, with a code. */
export interface ImportProblem {
  path: string;
  code: string;
  message: string;
  [key: string]: unknown;
}

/** One column of the sheet: its position (0 = A), its letter and its header text. */
export interface SheetColumn {
  index: number;
  letter: string;
  header: string;
}

/** What an import reads, column by column (stored with the import, read by its parse). */
export interface ColumnPlan {
  phone: SheetColumn;
  name: SheetColumn | null;
  attributes: { key: string; column: SheetColumn }[];
  /** Headed columns left out, and why (a header that cannot be a variable's name). */
  ignored: { column: SheetColumn; reason: string }[];
}

/**
 * The caller's choice of columns, by header: `phone` and `name` override the
 * recognised ones (`name: null` reads no name); `attributes` (key → header),
 * when given, are the only attributes read.
 */
export interface ColumnMapping {
  phone?: string;
  name?: string | null;
  attributes?: Record<string, string>;
}

/**
 * Header words, most specific first: when a sheet has both 휴대폰 and
 * 전화번호, the mobile column is the one sent to, and the other is kept as
 * an attribute.
 */
export const PHONE_HEADERS = [
  "휴대폰번호",
  "휴대폰",
  "핸드폰번호",
  "핸드폰",
  "휴대전화번호",
  "휴대전화",
  "mobile",
  "전화번호",
  "연락처",
  "수신번호",
  "phone",
] as const;

export const NAME_HEADERS = ["이름", "성명", "고객명", "고객이름", "name"] as const;

const KEY_CHARACTERS = /[^\p{L}\p{N}_]+/gu;
const KEY = /^[\p{L}\p{N}_]+$/u;

/** A header as compared: trimmed, case-folded, without any white space. */
export function headerKey(text: string): string {
  return text.normalize("NFC").replace(/\s+/gu, "").toLowerCase();
}

/** The spreadsheet letter of a 0-based column index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = "";
  while (n > 0) {
    const rest = (n - 1) % 26;
    out = String.fromCharCode(65 + rest) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/**
 * The attribute key a header becomes (it is a `#{key}` variable): letters,
 * digits and _ kept, every other run of characters one _, at most 40
 * characters; null when nothing is left ("#", "-").
 */
export function attributeKeyOf(header: string): string | null {
  const key = header
    .normalize("NFC")
    .trim()
    .replace(KEY_CHARACTERS, "_")
    .replace(/^_+|_+$/g, "");
  if (key === "") return null;
  return [...key].slice(0, MAX_ATTRIBUTE_KEY).join("");
}

export type PlanResult =
  | { ok: true; plan: ColumnPlan }
  | { ok: false; code: "NO_PHONE_COLUMN" | "VALIDATION_FAILED"; problems: ImportProblem[] };

/** The header row's columns that have a header. */
function headedColumns(headers: readonly (string | null)[]): SheetColumn[] {
  const columns: SheetColumn[] = [];
  headers.forEach((text, index) => {
    const header = text?.trim() ?? "";
    if (header !== "") columns.push({ index, letter: columnLetter(index), header });
  });
  return columns;
}

/** The first column whose header is one of `words`, in the words' order. */
function recognise(columns: SheetColumn[], words: readonly string[]): SheetColumn | null {
  for (const word of words) {
    const found = columns.find((c) => headerKey(c.header) === word);
    if (found) return found;
  }
  return null;
}

function findByHeader(columns: SheetColumn[], header: string): SheetColumn | null {
  const key = headerKey(header);
  return columns.find((c) => headerKey(c.header) === key) ?? null;
}

/**
 * Decides the columns from the header row (cells as text, null for empty)
 * and the caller's mapping, or says what is wrong, each problem at its
 * place in the request (`/mapping/…`, `/file`).
 */
export function planColumns(
  headers: readonly (string | null)[],
  mapping: ColumnMapping | null = null,
): PlanResult {
  const columns = headedColumns(headers);
  const problems: ImportProblem[] = [];
  const missing = (path: string, header: string) =>
    problems.push({
      path,
      code: "COLUMN_NOT_FOUND",
      message: `the header row has no column "${header}"`,
    });

  let phone: SheetColumn | null;
  if (mapping?.phone !== undefined) {
    phone = findByHeader(columns, mapping.phone);
    if (!phone) {
      return {
        ok: false,
        code: "NO_PHONE_COLUMN",
        problems: [
          {
            path: "/mapping/phone",
            code: "NO_PHONE_COLUMN",
            message: `the header row has no column "${mapping.phone}"`,
            headers: columns.map((c) => c.header),
          },
        ],
      };
    }
  } else {
    phone = recognise(columns, PHONE_HEADERS);
    if (!phone) {
      return {
        ok: false,
        code: "NO_PHONE_COLUMN",
        problems: [
          {
            path: "/file",
            code: "NO_PHONE_COLUMN",
            message: `no phone number column: name one ${PHONE_HEADERS.slice(0, 4).join(", ")}, … or give a mapping`,
            headers: columns.map((c) => c.header),
          },
        ],
      };
    }
  }

  let name: SheetColumn | null = null;
  if (mapping && "name" in mapping && mapping.name !== undefined) {
    if (mapping.name !== null) {
      name = findByHeader(columns, mapping.name);
      if (!name) missing("/mapping/name", mapping.name);
    }
  } else {
    name = recognise(
      columns.filter((c) => c !== phone),
      NAME_HEADERS,
    );
  }
  if (name && name.index === phone.index) {
    problems.push({
      path: "/mapping/name",
      code: "SAME_COLUMN",
      message: `"${name.header}" is already the phone number column`,
    });
  }

  const attributes: ColumnPlan["attributes"] = [];
  const ignored: ColumnPlan["ignored"] = [];
  const used = new Set([phone.index, ...(name ? [name.index] : [])]);
  if (mapping?.attributes !== undefined) {
    for (const [key, header] of Object.entries(mapping.attributes)) {
      const path = `/mapping/attributes/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      if (!KEY.test(key) || [...key].length > MAX_ATTRIBUTE_KEY) {
        problems.push({
          path,
          code: "INVALID_ATTRIBUTE_KEY",
          message: `a key is 1 to ${MAX_ATTRIBUTE_KEY} letters, digits or _ (it becomes a #{${key}} variable)`,
        });
        continue;
      }
      const column = findByHeader(columns, header);
      if (!column) missing(path, header);
      else attributes.push({ key, column });
    }
  } else {
    const keys = new Set<string>();
    for (const column of columns) {
      if (used.has(column.index)) continue;
      const base = attributeKeyOf(column.header);
      if (base === null) {
        ignored.push({ column, reason: "the header has no letters or digits to name a variable" });
        continue;
      }
      // Two columns under one header: the second is key_2, the third key_3.
      let key = base;
      for (let n = 2; keys.has(key); n++) {
        const suffix = `_${n}`;
        key = [...base].slice(0, MAX_ATTRIBUTE_KEY - suffix.length).join("") + suffix;
      }
      keys.add(key);
      attributes.push({ key, column });
    }
  }
  if (attributes.length > MAX_ATTRIBUTES) {
    problems.push({
      path: mapping?.attributes !== undefined ? "/mapping/attributes" : "/file",
      code: "TOO_MANY_ATTRIBUTES",
      message: `${attributes.length} attribute columns; a contact has at most ${MAX_ATTRIBUTES}: give a mapping of those to keep`,
    });
  }
  if (problems.length > 0) return { ok: false, code: "VALIDATION_FAILED", problems };
  return { ok: true, plan: { phone, name, attributes, ignored } };
}

/**
 * Reads the `mapping` field of an upload (JSON text), or says where it is
 * wrong. Unknown fields are refused: a misspelled "phnoe" must not mean
 * "recognise the phone column".
 */
export function parseMapping(
  text: string,
): { ok: true; mapping: ColumnMapping } | { ok: false; problems: ImportProblem[] } {
  const fail = (path: string, code: string, message: string) => ({
    ok: false as const,
    problems: [{ path, code, message }],
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail("/mapping", "INVALID_JSON", `mapping is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail("/mapping", "INVALID_TYPE", 'a JSON object, e.g. {"phone": "휴대폰"}');
  }
  const mapping: ColumnMapping = {};
  for (const [field, v] of Object.entries(value)) {
    const path = `/mapping/${field}`;
    if (field === "phone") {
      if (typeof v !== "string" || v.trim() === "") {
        return fail(path, "INVALID_TYPE", "the header of the phone number column");
      }
      mapping.phone = v;
    } else if (field === "name") {
      if (v !== null && (typeof v !== "string" || v.trim() === "")) {
        return fail(path, "INVALID_TYPE", "the header of the name column, or null for none");
      }
      mapping.name = v as string | null;
    } else if (field === "attributes") {
      if (v === null || typeof v !== "object" || Array.isArray(v)) {
        return fail(path, "INVALID_TYPE", 'an object of key → header, e.g. {"shop": "매장"}');
      }
      const attributes: Record<string, string> = {};
      for (const [key, header] of Object.entries(v)) {
        if (typeof header !== "string" || header.trim() === "") {
          return fail(`${path}/${key}`, "INVALID_TYPE", "the header of the column");
        }
        attributes[key] = header;
      }
      mapping.attributes = attributes;
    } else {
      return fail(path, "UNKNOWN_FIELD", "unknown field (phone, name and attributes are known)");
    }
  }
  return { ok: true, mapping };
}
