import { describe, expect, it } from "vitest";
import { countLines, detectDelimiter, sniffFile } from "./import-file.ts";

// "이름,휴대폰\r\n홍길동,01012345678\r\n" in CP949 (EUC-KR): Node can decode it, not encode it.
const CP949 = Buffer.concat([
  Buffer.from("c0ccb8a72cc8deb4ebc6f90d0a", "hex"),
  Buffer.from("c8abb1e6b5bf2c30313031323334353637380d0a", "hex"),
]);

describe("sniffFile", () => {
  it("tells a zip archive by its first bytes, whatever its name", () => {
    expect(sniffFile(Buffer.from("PK\x03\x04rest"))).toEqual({ kind: "zip" });
  });

  it("reads UTF-8 with and without a BOM, UTF-16 with one, and CP949", () => {
    expect(sniffFile(Buffer.from("\uFEFF이름,휴대폰\n"))).toEqual({
      kind: "text",
      encoding: "utf-8",
      bomLength: 3,
    });
    expect(sniffFile(Buffer.from("이름,휴대폰\n"))).toEqual({
      kind: "text",
      encoding: "utf-8",
      bomLength: 0,
    });
    expect(sniffFile(Buffer.from("\uFEFF이름\t휴대폰\n", "utf16le"))).toEqual({
      kind: "text",
      encoding: "utf-16le",
      bomLength: 2,
    });
    expect(sniffFile(CP949)).toEqual({ kind: "text", encoding: "euc-kr", bomLength: 0 });
    expect(new TextDecoder("euc-kr").decode(CP949)).toBe("이름,휴대폰\r\n홍길동,01012345678\r\n");
  });

  it("refuses binary files, naming an old .xls", () => {
    const xls = Buffer.from("d0cf11e0a1b11ae1000000", "hex");
    expect(sniffFile(xls)).toMatchObject({
      kind: "unsupported",
      message: expect.stringContaining(".xls"),
    });
    expect(sniffFile(Buffer.from("%PDF-1.7"))).toMatchObject({ kind: "unsupported" });
    expect(sniffFile(Buffer.from([0x41, 0x00, 0x42, 0x00, 0x43]))).toMatchObject({
      kind: "unsupported",
    });
    // Neither UTF-8 nor CP949: bytes CP949 has no character for.
    expect(sniffFile(Buffer.from([0x41, 0xff, 0xff, 0x42]))).toMatchObject({
      kind: "unsupported",
    });
    expect(sniffFile(Buffer.from([0xef, 0xbb, 0xbf, 0xc3, 0x28]))).toMatchObject({
      kind: "unsupported",
      message: expect.stringContaining("UTF-8"),
    });
  });
});

describe("detectDelimiter", () => {
  it("takes the most frequent separator outside quotes", () => {
    expect(detectDelimiter("이름,휴대폰,매장")).toBe(",");
    expect(detectDelimiter("이름\t휴대폰\t매장")).toBe("\t");
    expect(detectDelimiter("이름;휴대폰;매장")).toBe(";");
    expect(detectDelimiter('"a;b;c",휴대폰')).toBe(",");
    expect(detectDelimiter("휴대폰")).toBe(",");
  });
});

describe("countLines", () => {
  it("counts lines with and without a final line feed, in the text's own encoding", () => {
    expect(countLines(Buffer.from("a\r\nb"))).toBe(2);
    expect(countLines(Buffer.from("a\nb\n"))).toBe(2);
    expect(countLines(Buffer.from(""))).toBe(0);
    // U+0A0A is two 0A bytes, neither of them a line feed.
    expect(countLines(Buffer.from("\u0a0a\n\u0a0a\n", "utf16le"), "utf-16le")).toBe(2);
    expect(countLines(Buffer.from("\u0a0a\n\u0a0a", "utf16le"), "utf-16le")).toBe(2);
    expect(countLines(Buffer.from("\u0a0a\n", "utf16le").swap16(), "utf-16be")).toBe(1);
  });
});
