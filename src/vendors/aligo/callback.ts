// Aligo's delivery results. Aligo pushes no reports (no webhook exists in its
// SMS or akv10 APIs as documented; UNCONFIRMED that none exists at all), so
// the report endpoint refuses every request and results are polled:
//   SMS       POST /sms_list/ { mid }            one item per receiver: sms_state
//   Alimtalk  POST /akv10/history/detail/ { mid } one item per receiver: rslt, smid
// This file turns those items into our reports. Pure.
import type { DeliveryReport, ParsedReports } from "../vendor.ts";
import { type AligoMessageRef, fallbackIdOf, typeOfChannel } from "./ids.ts";
import { mapKakaoResult, mapSmsState, type RecipientResult, textTypeOf } from "./map.ts";
import type { AligoSettings } from "./settings.ts";
import {
  digitsOf,
  intOf,
  isObject,
  type KakaoDetailItem,
  parseAligoDate,
  type SmsListItem,
  textOf,
} from "./wire.ts";

export const NO_PUSH_REPORTS =
  "Aligo sends no delivery reports: its results are polled from /sms_list/ and /akv10/history/detail/";

/** The report endpoint's answer for an Aligo account, whatever was posted. */
export function refuseReports(): ParsedReports {
  return { ok: false, status: 400, message: NO_PUSH_REPORTS };
}

/**
 * A result list's items by receiver (digits only: Aligo may hyphenate). A
 * number listed twice keeps its first item; `send` never repeats a receiver
 * within one request.
 */
export function itemsByReceiver<T extends SmsListItem | KakaoDetailItem>(
  list: unknown[],
  field: "receiver" | "phone",
): Map<string, T> {
  const byReceiver = new Map<string, T>();
  for (const item of list) {
    if (!isObject(item)) continue;
    const phone = textOf(item[field]);
    if (phone === null) continue;
    const key = digitsOf(phone);
    if (key !== "" && !byReceiver.has(key)) byReceiver.set(key, item as T);
  }
  return byReceiver;
}

interface Asked {
  id: string;
  vendorMessageId: string;
}

/** The final report for an SMS/LMS/MMS receiver, or null while it has none. */
export function smsReportOf(options: {
  asked: Asked;
  ref: AligoMessageRef;
  item: SmsListItem | undefined;
  settings: Pick<AligoSettings, "smsDeliveredStates" | "smsPendingStates">;
  now: Date;
}): DeliveryReport | null {
  const { asked, ref, item } = options;
  if (item === undefined) return null;
  const result = mapSmsState(textOf(item.sms_state) ?? "", options.settings);
  return reportOf({
    result,
    vendorMessageId: asked.vendorMessageId,
    messageId: asked.id,
    type: typeOfChannel(ref.channel),
    fallbackOf: null,
    at: parseAligoDate(item.send_date) ?? options.now,
    raw: item,
  });
}

/** The final report for an Alimtalk receiver, or null while it has none. */
export function alimtalkReportOf(options: {
  asked: Asked;
  item: KakaoDetailItem | undefined;
  settings: Pick<AligoSettings, "kakaoDeliveredCodes">;
  now: Date;
}): DeliveryReport | null {
  const { asked, item } = options;
  if (item === undefined) return null;
  return reportOf({
    result: mapKakaoResult(item, options.settings),
    vendorMessageId: asked.vendorMessageId,
    messageId: asked.id,
    type: "alimtalk",
    fallbackOf: null,
    at: kakaoDateOf(item) ?? options.now,
    raw: item,
  });
}

/**
 * The mid of the SMS/LMS Aligo sent in place of a failed Alimtalk (`smid`),
 * or null when it sent none ("0").
 */
export function fallbackMidOf(item: KakaoDetailItem): string | null {
  const smid = intOf(item.smid);
  return smid === null || smid <= 0 ? null : String(smid);
}

/**
 * The final report of Aligo's own fallback for a failed Alimtalk, read from
 * `/sms_list/` of its `smid` (that the fallback is listed there is
 * UNCONFIRMED; when it is not, no fallback report is made). Its id is the
 * Alimtalk's plus ":fallback"; its type is what Aligo lists, SMS when unsaid.
 */
export function fallbackReportOf(options: {
  alimtalkVendorMessageId: string;
  item: SmsListItem | undefined;
  settings: Pick<AligoSettings, "smsDeliveredStates" | "smsPendingStates">;
  now: Date;
}): DeliveryReport | null {
  const { item } = options;
  if (item === undefined) return null;
  return reportOf({
    result: mapSmsState(textOf(item.sms_state) ?? "", options.settings),
    vendorMessageId: fallbackIdOf(options.alimtalkVendorMessageId),
    // The fallback is another message of ours, whose id Aligo cannot know.
    messageId: null,
    type: textTypeOf(item.type) ?? "sms",
    fallbackOf: options.alimtalkVendorMessageId,
    at: parseAligoDate(item.send_date) ?? options.now,
    raw: item,
  });
}

function reportOf(options: {
  result: RecipientResult;
  vendorMessageId: string;
  messageId: string | null;
  type: DeliveryReport["type"];
  fallbackOf: string | null;
  at: Date;
  raw: unknown;
}): DeliveryReport | null {
  const { result } = options;
  if (result === null) return null;
  return {
    vendorMessageId: options.vendorMessageId,
    messageId: options.messageId,
    status: result.status,
    type: options.type,
    fallbackOf: options.fallbackOf,
    error: result.error,
    at: options.at,
    raw: options.raw,
  };
}

/** When Aligo got the result, else when it last updated or sent it. */
const kakaoDateOf = (item: KakaoDetailItem): Date | null =>
  parseAligoDate(item.rsltdate) ?? parseAligoDate(item.reportdate) ?? parseAligoDate(item.sentdate);
