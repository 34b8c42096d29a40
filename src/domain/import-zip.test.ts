import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  chooseWorksheet,
  createRowCounter,
  inflateWithinLimits,
  readerParts,
  readZipDirectory,
} from "./import-zip.ts";

interface Part {
  name: string;
  data: Buffer;
  stored?: boolean;
  /** What the central directory says it inflates to (default: the truth). */
  declaredSize?: number;
  flags?: number;
}

/** A zip archive, written by hand so that each field can lie. */
function zip(parts: Part[], options: { gapAfterFirst?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  parts.forEach((part, i) => {
    const name = Buffer.from(part.name);
    const body = part.stored ? part.data : deflateRawSync(part.data);
    const size = part.declaredSize ?? part.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(part.flags ?? 0, 6);
    local.writeUInt16LE(part.stored ? 0 : 8, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(part.flags ?? 0, 8);
    central.writeUInt16LE(part.stored ? 0 : 8, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    const gap =
      i === 0 && options.gapAfterFirst ? Buffer.alloc(options.gapAfterFirst) : Buffer.alloc(0);
    locals.push(local, name, body, gap);
    centrals.push(central, name);
    offset += local.length + name.length + body.length + gap.length;
  });
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const xml = (text: string) => Buffer.from(text);
const sheetXml = (rows: number) =>
  xml(
    `<worksheet><sheetData>${Array.from(
      { length: rows },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>${i}</v></c></row>`,
    ).join("")}</sheetData></worksheet>`,
  );
const workbookParts = (sheet: Part): Part[] => [
  { name: "[Content_Types].xml", data: xml("<Types/>") },
  {
    name: "xl/workbook.xml",
    data: xml('<workbook><sheets><sheet name="고객" sheetId="1" r:id="rId1"/></sheets></workbook>'),
  },
  {
    name: "xl/_rels/workbook.xml.rels",
    data: xml(
      '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
  },
  sheet,
];
const LIMITS = { maxUnpackedBytes: 1024 * 1024 };

describe("readZipDirectory", () => {
  it("reads a workbook's entries and what they declare", () => {
    const data = zip(workbookParts({ name: "xl/worksheets/sheet1.xml", data: sheetXml(3) }));
    const read = readZipDirectory(data, LIMITS);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.entries.map((e) => e.name)).toContain("xl/worksheets/sheet1.xml");
    expect(read.declaredBytes).toBeGreaterThan(0);
  });

  it("refuses a workbook whose entries declare more than the limit, before inflating anything", () => {
    // The sheet is tiny; only its declaration is large.
    const data = zip(
      workbookParts({
        name: "xl/worksheets/sheet1.xml",
        data: sheetXml(1),
        declaredSize: 2 * 1024 * 1024,
      }),
    );
    expect(readZipDirectory(data, LIMITS)).toMatchObject({ ok: false, code: "FILE_TOO_LARGE" });
  });

  it("refuses an entry that declares 4 GB or more (zip64)", () => {
    const data = zip(
      workbookParts({
        name: "xl/worksheets/sheet1.xml",
        data: sheetXml(1),
        declaredSize: 0xffffffff,
      }),
    );
    expect(readZipDirectory(data, { maxUnpackedBytes: 2 ** 40 })).toMatchObject({
      ok: false,
      code: "FILE_TOO_LARGE",
    });
  });

  it("refuses a zip that is not a workbook, an encrypted one, and one with data between its entries", () => {
    const docx = zip([
      { name: "[Content_Types].xml", data: xml("<Types/>") },
      { name: "word/document.xml", data: xml("<document/>") },
    ]);
    expect(readZipDirectory(docx, LIMITS)).toMatchObject({
      ok: false,
      code: "UNSUPPORTED_FILE",
      message: expect.stringContaining("not an Excel workbook"),
    });
    const encrypted = zip(
      workbookParts({ name: "xl/worksheets/sheet1.xml", data: sheetXml(1), flags: 1 }),
    );
    expect(readZipDirectory(encrypted, LIMITS)).toMatchObject({ code: "UNSUPPORTED_FILE" });
    const hidden = zip(workbookParts({ name: "xl/worksheets/sheet1.xml", data: sheetXml(1) }), {
      gapAfterFirst: 4096,
    });
    expect(readZipDirectory(hidden, LIMITS)).toMatchObject({
      code: "UNSUPPORTED_FILE",
      message: expect.stringContaining("outside its entries"),
    });
    expect(readZipDirectory(Buffer.from("PK\x03\x04 and nothing else"), LIMITS)).toMatchObject({
      code: "UNSUPPORTED_FILE",
    });
  });
});

describe("inflateWithinLimits", () => {
  it("stops inflating a sheet that inflates past the limit though it declares little (a zip bomb)", async () => {
    const bomb = Buffer.alloc(8 * 1024 * 1024, 0x20);
    const data = zip(
      workbookParts({ name: "xl/worksheets/sheet1.xml", data: bomb, declaredSize: 1000 }),
    );
    const read = readZipDirectory(data, LIMITS);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const inflated = await inflateWithinLimits(data, read.entries, LIMITS);
    expect(inflated).toMatchObject({ ok: false, code: "FILE_TOO_LARGE" });
    // Within the limit, the same sheet passes.
    const roomy = { maxUnpackedBytes: 16 * 1024 * 1024 };
    expect(await inflateWithinLimits(data, read.entries, roomy)).toMatchObject({ ok: true });
  });

  it("counts what a workbook inflates to and each sheet's rows with a value", async () => {
    const data = zip(workbookParts({ name: "xl/worksheets/sheet1.xml", data: sheetXml(1500) }));
    const read = readZipDirectory(data, LIMITS);
    if (!read.ok) throw new Error(read.message);
    const inflated = await inflateWithinLimits(data, read.entries, LIMITS);
    expect(inflated).toMatchObject({ ok: true, unpackedBytes: read.declaredBytes });
    if (!inflated.ok) return;
    expect(inflated.rowsWithValues.get("xl/worksheets/sheet1.xml")).toBe(1500);
  });

  it("says a damaged entry is damaged", async () => {
    const data = zip(
      workbookParts({
        name: "xl/worksheets/sheet1.xml",
        data: Buffer.from("not deflate"),
        stored: true,
      }),
    );
    // Claim it is deflated: rewrite the method in both headers.
    const read = readZipDirectory(data, LIMITS);
    if (!read.ok) throw new Error(read.message);
    const sheet = read.entries.find((e) => e.name.startsWith("xl/worksheets"))!;
    const broken = await inflateWithinLimits(data, [{ ...sheet, method: 8 }], LIMITS);
    expect(broken).toMatchObject({ ok: false, code: "UNSUPPORTED_FILE" });
  });
});

describe("createRowCounter", () => {
  it("counts rows holding a value, whatever the chunks, and not rows kept for their format", () => {
    const text =
      '<sheetData><row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c></row>' +
      '<row r="2" ht="20" customHeight="1"/><row r="3"><c r="A3" s="4"/></row>' +
      '<row r="4"><c r="A4" t="inlineStr"><is><t>x</t></is></c></row><rowBreaks count="1"/></sheetData>';
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const counter = createRowCounter();
      for (let i = 0; i < text.length; i += size)
        counter.feed(Buffer.from(text.slice(i, i + size)));
      expect({ size, rows: counter.rows() }).toEqual({ size, rows: 2 });
    }
  });
});

describe("chooseWorksheet and readerParts", () => {
  it("reads the first visible sheet in the workbook's order, and gives the reader its parts first", () => {
    const data = zip([
      { name: "[Content_Types].xml", data: xml("<Types/>") },
      { name: "xl/worksheets/sheet1.xml", data: sheetXml(1) },
      { name: "xl/worksheets/sheet2.xml", data: sheetXml(2) },
      {
        name: "xl/workbook.xml",
        data: xml(
          '<workbook xmlns:r="x"><sheets><sheet name="숨김" sheetId="1" state="hidden" r:id="rId1"/>' +
            '<sheet name="고객" sheetId="2" r:id="rId2"/></sheets></workbook>',
        ),
      },
      { name: "xl/sharedStrings.xml", data: xml("<sst/>") },
      {
        name: "xl/_rels/workbook.xml.rels",
        data: xml(
          '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>' +
            '<Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>',
        ),
      },
    ]);
    const read = readZipDirectory(data, LIMITS);
    if (!read.ok) throw new Error(read.message);
    const sheet = chooseWorksheet(data, read.entries);
    expect(sheet).toBe("xl/worksheets/sheet2.xml");
    const parts = readerParts(data, read.entries, sheet);
    const names = parts.map((p) => p.toString("utf8", 30, 30 + p.readUInt16LE(26)));
    expect(names).toEqual([
      "xl/_rels/workbook.xml.rels",
      "xl/workbook.xml",
      "xl/sharedStrings.xml",
      "xl/worksheets/sheet2.xml",
    ]);
  });

  it("gives the reader empty shared strings and relationships where the workbook has none", () => {
    const data = zip([
      { name: "[Content_Types].xml", data: xml("<Types/>") },
      { name: "xl/workbook.xml", data: xml("<workbook/>") },
      { name: "xl/worksheets/sheet1.xml", data: sheetXml(1) },
    ]);
    const read = readZipDirectory(data, LIMITS);
    if (!read.ok) throw new Error(read.message);
    const parts = readerParts(data, read.entries, chooseWorksheet(data, read.entries));
    const named = parts.map((p) => [
      p.toString("utf8", 30, 30 + p.readUInt16LE(26)),
      p.readUInt16LE(8) === 0 ? p.toString("utf8", 30 + p.readUInt16LE(26)) : "(deflated)",
    ]);
    expect(named).toEqual([
      ["xl/_rels/workbook.xml.rels", "<Relationships/>"],
      ["xl/workbook.xml", "(deflated)"],
      ["xl/sharedStrings.xml", "<sst/>"],
      ["xl/worksheets/sheet1.xml", "(deflated)"],
    ]);
  });
});
