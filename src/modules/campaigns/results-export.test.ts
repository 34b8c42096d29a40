import { describe, expect, it } from "vitest";
import { EXPORT_HEADER, exportLine, spreadsheetTime } from "./results-export.ts";
import type { ExportRow } from "./results-queries.ts";

const row = (change: Partial<ExportRow>): ExportRow => ({
  id: "msg_1",
  recipient: "+821012345678",
  name: "홍길동",
  type: "alimtalk",
  fallbackOf: null,
  status: "delivered",
  sentAt: new Date("2026-12-01T12:05:07.900Z"),
  deliveredAt: new Date("2026-12-01T12:05:09Z"),
  failedAt: null,
  errorCode: null,
  errorMessage: null,
  priceCharged: 8_000_000n,
  ...change,
});

describe("the campaign CSV export", () => {
  it("has the contract's columns", () => {
    expect(EXPORT_HEADER.join(",")).toBe("수신번호,이름,유형,상태,발송시각,결과시각,오류,금액");
  });

  it("writes times as a spreadsheet reads them, in the given zone", () => {
    expect(spreadsheetTime(new Date("2026-12-01T12:05:07.900Z"), "Asia/Seoul")).toBe(
      "2026-12-01 21:05:07",
    );
    expect(spreadsheetTime(new Date("2026-12-01T12:05:07Z"), "America/New_York")).toBe(
      "2026-12-01 07:05:07",
    );
    expect(spreadsheetTime(null, "Asia/Seoul")).toBe("");
  });

  it.each([
    [row({}), "010-1234-5678,홍길동,알림톡,성공,2026-12-01 21:05:07,2026-12-01 21:05:09,,8.00\r\n"],
    [
      row({
        type: "sms",
        fallbackOf: "msg_0",
        status: "failed",
        deliveredAt: null,
        failedAt: new Date("2026-12-01T12:06:00Z"),
        errorCode: "UNREACHABLE",
        errorMessage: "the handset is off, or out of range",
        priceCharged: 0n,
      }),
      '010-1234-5678,홍길동,SMS(대체발송),실패,2026-12-01 21:05:07,2026-12-01 21:06:00,"the handset is off, or out of range (UNREACHABLE)",0.00\r\n',
    ],
    [
      row({ name: "=HYPERLINK(1)", status: "queued", sentAt: null, deliveredAt: null }),
      "010-1234-5678,'=HYPERLINK(1),알림톡,대기,,,,8.00\r\n",
    ],
    [
      row({ status: "expired", deliveredAt: null, errorCode: "EXPIRED", priceCharged: 0n }),
      "010-1234-5678,홍길동,알림톡,결과없음,2026-12-01 21:05:07,,EXPIRED,0.00\r\n",
    ],
  ])("writes a message as one line: %#", (message, line) => {
    expect(exportLine(message, "Asia/Seoul")).toBe(line);
  });
});
