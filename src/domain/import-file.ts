// What an uploaded file is, told by its bytes and never by its name: an
// .xlsx workbook is a zip archive (PK\x03\x04, its workbook parts checked in
// import-zip.ts); a CSV is text, in UTF-8 (with or without a BOM), UTF-16
// with a BOM (Excel's "Unicode text"), or CP949 — what Excel in Korean
// writes when it saves "CSV (쉼표로 분리)".
import { isUtf8 } from "node:buffer";

export type Sniffed =
  | { kind: "zip" }
  | { kind: "text"; encoding: TextEncoding; bomLength: number }
  | { kind: "unsupported"; message: string };

/** The encodings a CSV may be in: CP949 is WHATWG's "euc-kr" (windows-949). */
export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "euc-kr";

const starts = (data: Uint8Array, bytes: number[]) =>
  data.length >= bytes.length && bytes.every((b, i) => data[i] === b);

const BINARY_FORMATS: { magic: number[]; message: string }[] = [
  {
    magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    message:
      "an Excel 97–2003 workbook (.xls), or a password-protected one: save it as .xlsx (Excel 통합 문서) or CSV",
  },
  { magic: [0x25, 0x50, 0x44, 0x46], message: "a PDF document" },
  { magic: [0x50, 0x4b, 0x05, 0x06], message: "an empty zip archive" },
  { magic: [0x1f, 0x8b], message: "a gzip archive" },
  { magic: [0x89, 0x50, 0x4e, 0x47], message: "a PNG image" },
  { magic: [0xff, 0xd8, 0xff], message: "a JPEG image" },
];

/** Decides a file's kind (and a text's encoding) from its bytes. */
export function sniffFile(data: Uint8Array): Sniffed {
  if (starts(data, [0x50, 0x4b, 0x03, 0x04])) return { kind: "zip" };
  for (const format of BINARY_FORMATS) {
    if (starts(data, format.magic))
      return { kind: "unsupported", message: `the file is ${format.message}` };
  }
  if (starts(data, [0xef, 0xbb, 0xbf])) return textOrNot(data, "utf-8", 3);
  if (starts(data, [0xff, 0xfe])) return textOrNot(data, "utf-16le", 2);
  if (starts(data, [0xfe, 0xff])) return textOrNot(data, "utf-16be", 2);
  return textOrNot(data, isUtf8(data) ? "utf-8" : "euc-kr", 0);
}

function textOrNot(data: Uint8Array, encoding: TextEncoding, bomLength: number): Sniffed {
  if (encoding === "utf-8" && !isUtf8(data.subarray(bomLength))) {
    return { kind: "unsupported", message: "the file starts as UTF-8 text but is not valid UTF-8" };
  }
  if (encoding === "euc-kr" && !decodesStrictly(data, "euc-kr")) {
    return {
      kind: "unsupported",
      message: "the file is neither UTF-8 nor CP949 (EUC-KR) text, nor an .xlsx workbook",
    };
  }
  if (encoding.startsWith("utf-16") && !decodesStrictly(data.subarray(bomLength), encoding)) {
    return { kind: "unsupported", message: `the file is not valid ${encoding.toUpperCase()} text` };
  }
  // Text has no NUL and few control characters; a binary file has many.
  const sample = new TextDecoder(encoding).decode(data.subarray(bomLength, bomLength + 8192));
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return { kind: "unsupported", message: "the file is binary, not CSV text" };
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) control++;
  }
  if (control > sample.length / 100 + 1) {
    return { kind: "unsupported", message: "the file is binary, not CSV text" };
  }
  return { kind: "text", encoding, bomLength };
}

function decodesStrictly(data: Uint8Array, encoding: TextEncoding): boolean {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const CHUNK = 1 << 20;
  try {
    for (let start = 0; start < data.length; start += CHUNK) {
      decoder.decode(data.subarray(start, start + CHUNK), { stream: true });
    }
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}

/**
 * The delimiter of a CSV, judged by its first line outside quotes: the
 * most frequent of comma, tab (Excel's Unicode text) and semicolon; a comma
 * when there is none.
 */
export function detectDelimiter(firstLine: string): "," | "\t" | ";" {
  const counts = { ",": 0, "\t": 0, ";": 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  if (counts["\t"] > counts[","] && counts["\t"] >= counts[";"]) return "\t";
  if (counts[";"] > counts[","]) return ";";
  return ",";
}

/**
 * How many lines the text has: its line feeds, counted in its own encoding,
 * and one more for a last line without one (an upper bound on its records).
 */
export function countLines(data: Uint8Array, encoding: TextEncoding = "utf-8"): number {
  const wide = encoding === "utf-16le" || encoding === "utf-16be";
  // A UTF-16 line feed is 0A 00 (LE) or 00 0A (BE), on a code unit's boundary.
  const low = encoding === "utf-16be" ? 1 : 0;
  let lines = 0;
  for (let at = data.indexOf(0x0a); at !== -1; at = data.indexOf(0x0a, at + 1)) {
    if (!wide || (at % 2 === low && data[low === 0 ? at + 1 : at - 1] === 0)) lines++;
  }
  const n = data.length;
  const endsWithLineFeed = wide
    ? n >= 2 && data[n - 2 + low] === 0x0a && data[n - 1 - low] === 0
    : n >= 1 && data[n - 1] === 0x0a;
  return n > 0 && !endsWithLineFeed ? lines + 1 : lines;
}
