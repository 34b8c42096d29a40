import { describe, expect, it } from "vitest";
import { csvLine } from "./csv.ts";

describe("csvLine", () => {
  it("quotes what needs quotes and ends with CRLF", () => {
    expect(csvLine(["010-1234-5678", "홍길동", 'a "b", c', "x\ny", 3, true, null])).toBe(
      '010-1234-5678,홍길동,"a ""b"", c","x\ny",3,true,\r\n',
    );
  });

  it("keeps a spreadsheet from running text as a formula", () => {
    expect(csvLine(["=HYPERLINK(1)", "+1", "-2", "@x", "plain"])).toBe(
      "'=HYPERLINK(1),'+1,'-2,'@x,plain\r\n",
    );
    expect(csvLine([-2])).toBe("-2\r\n");
  });
});
