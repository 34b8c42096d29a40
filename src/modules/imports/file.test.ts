import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { cellOf, DEFAULT_IMPORT_LIMITS, FileProblem, openFile, type SheetRow } from "./file.ts";

async function rowsOf(data: Buffer): Promise<SheetRow[]> {
  const file = await openFile(data, DEFAULT_IMPORT_LIMITS);
  const rows: SheetRow[] = [];
  for await (const row of file.rows()) rows.push(row);
  return rows;
}

describe("cellOf", () => {
  it("reads exceljs's values as plain ones", () => {
    expect(cellOf({ richText: [{ text: "최" }, { text: "수진" }] })).toBe("최수진");
    expect(cellOf({ formula: "A1*2", result: 200 })).toBe(200);
    expect(cellOf({ sharedFormula: "A1", result: "강남점" })).toBe("강남점");
    expect(cellOf({ formula: "A1" })).toBeNull();
    expect(cellOf({ text: "링크", hyperlink: "https://example.com" })).toBe("링크");
    expect(cellOf({ error: "#N/A" })).toEqual({ error: "#N/A" });
    expect(cellOf(Number.NaN)).toEqual({ error: null });
    expect(cellOf(undefined)).toBeNull();
  });
});

describe("openFile", () => {
  it("reads Excel's Unicode text: UTF-16 with a BOM, tab-separated", async () => {
    const text = "\uFEFF이름\t휴대폰\r\n홍길동\t010-1234-5678\r\n";
    const file = await openFile(Buffer.from(text, "utf16le"), DEFAULT_IMPORT_LIMITS);
    expect(file).toMatchObject({ type: "csv", encoding: "utf-16le", rowsAtMost: 2 });
    expect(await rowsOf(Buffer.from(text, "utf16le"))).toEqual([
      { row: 1, cells: ["이름", "휴대폰"] },
      { row: 2, cells: ["홍길동", "010-1234-5678"] },
    ]);
  });

  it("reads a workbook's rows by their own numbers, with dates and numbers", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("고객");
    ws.getRow(2).values = ["이름", "휴대폰", "가입일"];
    ws.getRow(4).values = ["김민지", 1012345678, new Date(Date.UTC(2024, 0, 5))];
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    const file = await openFile(data, DEFAULT_IMPORT_LIMITS);
    expect(file).toMatchObject({ type: "xlsx", rowsAtMost: 2 });
    expect(await rowsOf(data)).toEqual([
      { row: 2, cells: ["이름", "휴대폰", "가입일"] },
      { row: 4, cells: ["김민지", 1012345678, new Date(Date.UTC(2024, 0, 5))] },
    ]);
  });

  it("says a CSV with a quote never closed cannot be read, and where", async () => {
    const rows = rowsOf(Buffer.from('이름,휴대폰\n"김민지,010-1234-5678\n'));
    await expect(rows).rejects.toBeInstanceOf(FileProblem);
    await expect(rows).rejects.toMatchObject({ code: "INVALID_CSV" });
  });

  it("refuses an empty file", async () => {
    await expect(openFile(Buffer.alloc(0), DEFAULT_IMPORT_LIMITS)).rejects.toMatchObject({
      code: "UNSUPPORTED_FILE",
    });
  });
});
