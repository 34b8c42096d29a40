// The guard an .xlsx passes before any spreadsheet code reads it. An .xlsx
// is a zip archive, and a zip can be a bomb: 20 MB that inflate to
// gigabytes. Two checks, both stopping early:
//
// 1. The central directory (the archive's table of contents) is read
//    first: every entry stored or deflated, its declared uncompressed sizes
//    adding up to at most the limit, the workbook's parts present, and the
//    entries laid out back to back from the start — the order a streaming
//    unzipper reads them in, so nothing is hidden between them that the
//    directory does not declare.
// 2. The declarations are not trusted: each entry is inflated (its bytes
//    thrown away) counting what comes out, stopping as soon as the count
//    passes the limit. The worksheets' rows with a value are counted on the
//    way.
import { createInflateRaw, inflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the entry's local header is. */
  localOffset: number;
  /** Where the entry's bytes start, after its local header. */
  dataOffset: number;
}

export interface ZipLimits {
  /** The most all entries together may inflate to. */
  maxUnpackedBytes: number;
}

export type ZipProblem = {
  ok: false;
  code: "UNSUPPORTED_FILE" | "FILE_TOO_LARGE";
  message: string;
};

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** A data descriptor after an entry: 12 bytes, 16 with its signature (no zip64 here). */
const MAX_DESCRIPTOR = 16;
const ZIP64 = 0xffffffff;

const unsupported = (message: string): ZipProblem => ({
  ok: false,
  code: "UNSUPPORTED_FILE",
  message,
});

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/** Where the end-of-directory record is: in the last 22 bytes, or before a comment of up to 64 KB. */
function findEndRecord(data: Buffer): number {
  for (let at = data.length - 22; at >= Math.max(0, data.length - 22 - 0xffff); at--) {
    if (data.readUInt32LE(at) === EOCD) return at;
  }
  return -1;
}

/** Reads and checks the central directory: the entries, or why the file is refused. */
export function readZipDirectory(
  data: Buffer,
  limits: ZipLimits,
): { ok: true; entries: ZipEntry[]; declaredBytes: number } | ZipProblem {
  const end = findEndRecord(data);
  if (end < 0) return unsupported("the file is a damaged zip archive (no central directory)");
  const count = data.readUInt16LE(end + 10);
  const directorySize = data.readUInt32LE(end + 12);
  const directoryOffset = data.readUInt32LE(end + 16);
  if (count === 0xffff || directoryOffset === ZIP64) {
    return unsupported("the file is a zip64 archive, which no .xlsx of this size needs");
  }
  if (directoryOffset + directorySize > end) {
    return unsupported("the file is a damaged zip archive (its directory overruns it)");
  }

  const entries: ZipEntry[] = [];
  let declaredBytes = 0;
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || data.readUInt32LE(at) !== CENTRAL) {
      return unsupported("the file is a damaged zip archive (a bad directory entry)");
    }
    const flags = data.readUInt16LE(at + 8);
    const method = data.readUInt16LE(at + 10);
    const compressedSize = data.readUInt32LE(at + 20);
    const uncompressedSize = data.readUInt32LE(at + 24);
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    const localOffset = data.readUInt32LE(at + 42);
    const name = data.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    if (uncompressedSize === ZIP64 || compressedSize === ZIP64 || localOffset === ZIP64) {
      return {
        ok: false,
        code: "FILE_TOO_LARGE",
        message: `"${name}" in the workbook declares 4 GB or more`,
      };
    }
    declaredBytes += uncompressedSize;
    if (declaredBytes > limits.maxUnpackedBytes) {
      return {
        ok: false,
        code: "FILE_TOO_LARGE",
        message: `the workbook unpacks to more than ${megabytes(limits.maxUnpackedBytes)}`,
      };
    }
    if (flags & 0x1) return unsupported("the workbook is encrypted: save it without a password");
    if (method !== 0 && method !== 8) {
      return unsupported(`"${name}" is compressed with method ${method}, not deflate`);
    }
    if (localOffset + 30 > directoryOffset || data.readUInt32LE(localOffset) !== LOCAL) {
      return unsupported(
        "the file is a damaged zip archive (an entry is not where it is said to be)",
      );
    }
    const dataOffset =
      localOffset + 30 + data.readUInt16LE(localOffset + 26) + data.readUInt16LE(localOffset + 28);
    if (dataOffset + compressedSize > directoryOffset) {
      return unsupported("the file is a damaged zip archive (an entry overruns it)");
    }
    entries.push({ name, method, compressedSize, uncompressedSize, localOffset, dataOffset });
  }

  // Back to back from the start: what a streaming unzipper meets is what was declared.
  const laidOut = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  let expected = 0;
  for (const entry of laidOut) {
    const gap = entry.localOffset - expected;
    if (gap < 0 || gap > (expected === 0 ? 0 : MAX_DESCRIPTOR)) {
      return unsupported("the file is a damaged zip archive (data outside its entries)");
    }
    expected = entry.dataOffset + entry.compressedSize;
  }
  if (directoryOffset - expected > MAX_DESCRIPTOR) {
    return unsupported("the file is a damaged zip archive (data outside its entries)");
  }

  const names = new Set(entries.map((e) => e.name));
  const sheets = entries.filter((e) => WORKSHEET.test(e.name));
  if (!names.has("[Content_Types].xml") || !names.has("xl/workbook.xml") || sheets.length === 0) {
    return unsupported(
      "the file is a zip archive but not an Excel workbook (.xlsx): save it as .xlsx or CSV",
    );
  }
  return { ok: true, entries, declaredBytes };
}

export const WORKSHEET = /^xl\/worksheets\/sheet\d+\.xml$/;

export interface ZipInflation {
  ok: true;
  unpackedBytes: number;
  /** Per worksheet part ("xl/worksheets/sheet1.xml"): its rows that hold a value. */
  rowsWithValues: Map<string, number>;
}

/**
 * Inflates every entry, counting the bytes and stopping as soon as they pass
 * the limit; counts the rows of each worksheet that hold a value.
 */
export async function inflateWithinLimits(
  data: Buffer,
  entries: readonly ZipEntry[],
  limits: ZipLimits,
): Promise<ZipInflation | ZipProblem> {
  let total = 0;
  const rowsWithValues = new Map<string, number>();
  for (const entry of entries) {
    const raw = data.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    const counter = WORKSHEET.test(entry.name) ? createRowCounter() : null;
    const outcome = await inflateCounting(raw, entry.method, {
      budget: limits.maxUnpackedBytes - total,
      onChunk: counter ? (chunk) => counter.feed(chunk) : null,
    });
    if (outcome === "over-limit") {
      return {
        ok: false,
        code: "FILE_TOO_LARGE",
        message: `the workbook unpacks to more than ${megabytes(limits.maxUnpackedBytes)}`,
      };
    }
    if (outcome === "damaged") {
      return unsupported(`the file is a damaged zip archive ("${entry.name}" does not inflate)`);
    }
    total += outcome;
    if (counter) rowsWithValues.set(entry.name, counter.rows());
  }
  return { ok: true, unpackedBytes: total, rowsWithValues };
}

/** The bytes an entry inflates to, or why it stopped. */
function inflateCounting(
  raw: Buffer,
  method: number,
  options: { budget: number; onChunk: ((chunk: Buffer) => void) | null },
): Promise<number | "over-limit" | "damaged"> {
  if (method === 0) {
    if (raw.length > options.budget) return Promise.resolve("over-limit");
    options.onChunk?.(raw);
    return Promise.resolve(raw.length);
  }
  return new Promise((resolve) => {
    const inflate = createInflateRaw({ chunkSize: 64 * 1024 });
    let produced = 0;
    let settled = false;
    const settle = (value: number | "over-limit" | "damaged") => {
      if (settled) return;
      settled = true;
      resolve(value);
      inflate.destroy();
    };
    inflate.on("data", (chunk: Buffer) => {
      produced += chunk.length;
      if (produced > options.budget) return settle("over-limit");
      options.onChunk?.(chunk);
    });
    inflate.on("error", () => settle("damaged"));
    inflate.on("end", () => settle(produced));
    inflate.end(raw);
  });
}

const LT = 0x3c;
const SLASH = 0x2f;
/** Bytes that end a tag's name: space, tab, LF, CR, > and /. */
const NAME_END = new Uint8Array(256);
for (const b of [0x20, 0x09, 0x0a, 0x0d, 0x3e, 0x2f]) NAME_END[b] = 1;
const [R, O, W, V, T] = [0x72, 0x6f, 0x77, 0x76, 0x74];

/**
 * Counts the rows of worksheet XML that hold a value (a <row> with a <v> or
 * a <t> inside): rows Excel keeps only for their formatting are not data. A
 * tag can straddle two chunks; its start is carried over. (Text and
 * attribute values cannot hold a raw "<": every one starts a tag.)
 */
export function createRowCounter(): { feed(chunk: Buffer): void; rows(): number } {
  let rows = 0;
  let hasValue = false;
  let carry: Buffer | null = null;
  return {
    feed(chunk) {
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
      const length = buf.length;
      for (let at = buf.indexOf(LT); at !== -1; at = buf.indexOf(LT, at + 1)) {
        // "</row" and the byte after it is the longest name looked at.
        if (at + 6 > length) {
          carry = Buffer.from(buf.subarray(at));
          return;
        }
        const a = buf[at + 1]!;
        if (a === V || a === T) {
          if (NAME_END[buf[at + 2]!]) hasValue = true;
        } else if (a === R) {
          if (buf[at + 2] === O && buf[at + 3] === W && NAME_END[buf[at + 4]!]) hasValue = false;
        } else if (a === SLASH) {
          if (
            buf[at + 2] === R &&
            buf[at + 3] === O &&
            buf[at + 4] === W &&
            NAME_END[buf[at + 5]!]
          ) {
            if (hasValue) rows++;
            hasValue = false;
          }
        }
      }
    },
    rows: () => rows,
  };
}

/** An entry's bytes, inflated (entries passed the guard: their sizes are known to be true). */
function entryBytes(data: Buffer, entry: ZipEntry): Buffer {
  const raw = data.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  if (entry.method === 0) return raw;
  return inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
}

/** The attributes of each `<name …>` element in some XML (namespace prefixes dropped). */
function elements(xml: string, name: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  const tag = new RegExp(`<(?:[\\w.-]+:)?${name}\\b([^>]*)>`, "g");
  for (const match of xml.matchAll(tag)) {
    const attributes: Record<string, string> = {};
    for (const a of (match[1] ?? "").matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const key = a[1]!;
      const value = a[2] ?? a[3] ?? "";
      attributes[key] = value;
      // r:id, or whatever prefix the relationships namespace has.
      if (key.includes(":")) attributes[`:${key.split(":").pop()}`] = value;
    }
    found.push(attributes);
  }
  return found;
}

/**
 * The worksheet an import reads: the first visible sheet in the workbook's
 * own order (its tabs), by its relationship; the first worksheet part when
 * the workbook does not say.
 */
export function chooseWorksheet(data: Buffer, entries: readonly ZipEntry[]): string {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const sheets = entries.filter((e) => WORKSHEET.test(e.name)).map((e) => e.name);
  const fallback = [...sheets].sort((a, b) => sheetNumber(a) - sheetNumber(b))[0]!;
  const workbook = byName.get("xl/workbook.xml");
  const rels = byName.get("xl/_rels/workbook.xml.rels");
  if (!workbook || !rels) return fallback;
  try {
    const targets = new Map(
      elements(entryBytes(data, rels).toString("utf8"), "Relationship").map((r) => [
        r.Id,
        r.Target ?? "",
      ]),
    );
    for (const sheet of elements(entryBytes(data, workbook).toString("utf8"), "sheet")) {
      if (sheet.state === "hidden" || sheet.state === "veryHidden") continue;
      const target = targets.get(sheet[":id"] ?? "") ?? "";
      const part = target.startsWith("/") ? target.slice(1) : `xl/${target}`;
      if (WORKSHEET.test(part) && byName.has(part)) return part;
    }
  } catch {
    // An unreadable workbook part: the spreadsheet reader will say so.
  }
  return fallback;
}

const sheetNumber = (name: string) => Number(/(\d+)\.xml$/.exec(name)?.[1] ?? 0);

/**
 * The archive as the spreadsheet reader is given it: only the parts it
 * needs, in the order it needs them (relationships, workbook, styles and
 * shared strings before the one worksheet), so that it never spools a
 * worksheet to disk waiting for its strings nor reads another sheet. Each
 * part is its local header, data and descriptor, as in the file.
 */
export function readerParts(
  data: Buffer,
  entries: readonly ZipEntry[],
  worksheet: string,
): Buffer[] {
  const laidOut = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  const directoryOffset = data.readUInt32LE(findEndRecord(data) + 16);
  const spanOf = (name: string): Buffer | null => {
    const i = laidOut.findIndex((e) => e.name === name);
    if (i < 0) return null;
    const end = laidOut[i + 1]?.localOffset ?? directoryOffset;
    return data.subarray(laidOut[i]!.localOffset, end);
  };
  // Without shared strings (every string inline) or relationships, the
  // reader would wait for them to the end and spool the sheet to disk: it is
  // given empty ones instead.
  return [
    spanOf("xl/_rels/workbook.xml.rels") ??
      storedPart("xl/_rels/workbook.xml.rels", "<Relationships/>"),
    spanOf("xl/workbook.xml"),
    spanOf("xl/styles.xml"),
    spanOf("xl/sharedStrings.xml") ?? storedPart("xl/sharedStrings.xml", "<sst/>"),
    spanOf(worksheet),
  ].filter((span): span is Buffer => span !== null);
}

/** A small part written out as a stored (uncompressed) zip entry. */
function storedPart(name: string, text: string): Buffer {
  const nameBytes = Buffer.from(name);
  const body = Buffer.from(text);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt32LE(body.length, 18);
  header.writeUInt32LE(body.length, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  return Buffer.concat([header, nameBytes, body]);
}
