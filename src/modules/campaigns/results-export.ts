// A campaign's messages as CSV, as Excel opens it in Korean (src/lib/csv.ts):
// 수신번호, 이름, 유형, 상태, 발송시각, 결과시각, 오류, 금액 — one line per
// message (a fallback on its own line), in id order, read a page at a time
// so that a million-message campaign streams in bounded memory. Times are
// wall-clock times of the organization's time zone, as a spreadsheet reads
// a date and time ("2026-12-01 21:05:07").
import { Readable } from "node:stream";
import type { Db } from "../../db/client.ts";
import type { MessageStatus } from "../../db/schema/messages.ts";
import { formatLocalTime } from "../../domain/iso-time.ts";
import { formatCredits } from "../../domain/money.ts";
import { formatKoreanNumber } from "../../domain/phone.ts";
import { csvLine, UTF8_BOM } from "../../lib/csv.ts";
import { type ExportRow, pageCampaignMessagesForExport } from "./results-queries.ts";

export const EXPORT_HEADER = [
  "수신번호",
  "이름",
  "유형",
  "상태",
  "발송시각",
  "결과시각",
  "오류",
  "금액",
] as const;

const PAGE = 1000;

const TYPE_LABELS: Record<string, string> = {
  alimtalk: "알림톡",
  sms: "SMS",
  lms: "LMS",
  mms: "MMS",
};

export const STATUS_LABELS: Record<MessageStatus, string> = {
  draft: "임시저장",
  accepted: "접수",
  queued: "대기",
  sending: "발송중",
  sent: "결과대기",
  delivered: "성공",
  failed: "실패",
  canceled: "취소",
  expired: "결과없음",
};

/** "2026-12-01 21:05:07" in `timeZone`: what Excel takes for a date and time. */
export function spreadsheetTime(at: Date | null, timeZone: string): string {
  if (at === null) return "";
  return formatLocalTime(at, timeZone).slice(0, 19).replace("T", " ");
}

export function exportLine(m: ExportRow, timeZone: string): string {
  const type = TYPE_LABELS[m.type] ?? m.type;
  const result = m.status === "delivered" ? m.deliveredAt : m.failedAt;
  const error = m.errorCode
    ? m.errorMessage
      ? `${m.errorMessage} (${m.errorCode})`
      : m.errorCode
    : null;
  return csvLine([
    formatKoreanNumber(m.recipient),
    m.name,
    m.fallbackOf ? `${type}(대체발송)` : type,
    STATUS_LABELS[m.status] ?? m.status,
    spreadsheetTime(m.sentAt, timeZone),
    spreadsheetTime(result, timeZone),
    error,
    formatCredits(m.priceCharged),
  ]);
}

export function exportCampaignMessages(
  db: Db,
  options: { campaignId: string; timeZone: string },
): Readable {
  async function* lines() {
    yield UTF8_BOM + csvLine(EXPORT_HEADER);
    let after = "";
    for (;;) {
      const page = await pageCampaignMessagesForExport(db, {
        campaignId: options.campaignId,
        after,
        limit: PAGE,
      });
      let chunk = "";
      for (const m of page) chunk += exportLine(m, options.timeZone);
      if (chunk) yield chunk;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.id;
    }
  }
  return Readable.from(lines());
}
