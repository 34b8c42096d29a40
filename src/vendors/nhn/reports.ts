// NHN's per-message results — webhook hooks and result-query items — as our
// DeliveryReports. Pure. The docs' own webhook sample misspells
// `recipientGroupingKey` (as `recipientGropuingKey`) and `_links`; both
// spellings are read.
import type { MessageType } from "../../domain/message-content.ts";
import type { DeliveryReport } from "../vendor.ts";
import { parseNhnDate } from "./dates.ts";
import { vendorMessageIdOf } from "./ids.ts";
import { alimtalkOutcome, fallbackOutcome, type Outcome, smsOutcome } from "./map.ts";
import { fallbackOfGroupingKey, integerOf, isObject, stringOf } from "./wire.ts";

/** A code NHN documents as a string but that may come as a number. */
function codeOf(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return stringOf(value);
}

function groupingKeyOf(item: Record<string, unknown>): string | null {
  return stringOf(item.recipientGroupingKey) ?? stringOf(item.recipientGropuingKey);
}

function firstDate(item: Record<string, unknown>, fields: string[], now: Date): Date {
  for (const field of fields) {
    const date = parseNhnDate(item[field]);
    if (date !== null) return date;
  }
  return now;
}

function reportOf(
  base: Omit<DeliveryReport, "status" | "error">,
  outcome: Outcome,
): DeliveryReport | null {
  if (outcome === null) return null;
  return {
    ...base,
    status: outcome.status,
    error: outcome.status === "failed" ? outcome.error : null,
  };
}

/** NHN's own name for a failing result code (resultCodeName) as the error's message. */
function withName(outcome: Outcome, resultCode: string | null, name: string | null): Outcome {
  if (outcome?.status !== "failed" || name === null || outcome.error.rawCode !== resultCode) {
    return outcome;
  }
  return { status: "failed", error: { ...outcome.error, message: name } };
}

/** The type of an SMS-product message: `messageType` in queries, `senderType` in hooks. */
function smsTypeOf(item: Record<string, unknown>): MessageType {
  const given = (stringOf(item.messageType) ?? stringOf(item.senderType) ?? "").toUpperCase();
  if (given.includes("LMS")) return "lms";
  if (given.includes("MMS")) return "mms";
  return "sms";
}

/**
 * An SMS-product message (a MESSAGE_RESULT_UPDATE hook, or an item of a
 * `/sender/sms|mms` query) as a report: null while NHN has no final result,
 * a string saying what is wrong with a malformed item.
 */
export function smsReportOf(
  item: unknown,
  source: "hook" | "query",
  now: Date,
): DeliveryReport | null | string {
  if (!isObject(item)) return "not an object";
  const requestId = stringOf(item.requestId);
  const recipientSeq = integerOf(item.recipientSeq ?? item.mtPr);
  if (requestId === null || recipientSeq === null) return "requestId and recipientSeq are required";
  const status = stringOf(source === "hook" ? item.messageStatus : item.msgStatus);
  const resultCode = codeOf(item.resultCode);
  const named = withName(smsOutcome(status, resultCode), resultCode, stringOf(item.resultCodeName));
  return reportOf(
    {
      vendorMessageId: vendorMessageIdOf({
        product: "sms",
        requestId,
        recipientSeq,
        fallback: false,
      }),
      messageId: groupingKeyOf(item),
      type: smsTypeOf(item),
      fallbackOf: null,
      at: firstDate(item, ["receiveDate", "resultDate", "updateDate", "requestDate"], now),
      raw: item,
    },
    named,
  );
}

export interface AlimtalkItem {
  requestId: string;
  recipientSeq: number;
  messageStatus: string | null;
  resultCode: string | null;
  resultCodeName: string | null;
  resendStatus: string | null;
  resendResultCode: string | null;
  recipientGroupingKey: string | null;
  senderGroupingKey: string | null;
  at: Date;
  raw: Record<string, unknown>;
}

/** An Alimtalk hook or query item's fields, or what is wrong with it. */
export function readAlimtalkItem(item: unknown, now: Date): AlimtalkItem | string {
  if (!isObject(item)) return "not an object";
  const requestId = stringOf(item.requestId);
  const recipientSeq = integerOf(item.recipientSeq);
  if (requestId === null || recipientSeq === null) return "requestId and recipientSeq are required";
  return {
    requestId,
    recipientSeq,
    messageStatus: stringOf(item.messageStatus),
    resultCode: codeOf(item.resultCode),
    resultCodeName: stringOf(item.resultCodeName),
    resendStatus: stringOf(item.resendStatus),
    resendResultCode: codeOf(item.resendResultCode),
    recipientGroupingKey: groupingKeyOf(item),
    senderGroupingKey: stringOf(item.senderGroupingKey),
    at: firstDate(item, ["receiveDate", "createDate", "requestDate"], now),
    raw: item,
  };
}

const alimtalkVid = (item: AlimtalkItem, fallback: boolean) =>
  vendorMessageIdOf({
    product: "alimtalk",
    requestId: item.requestId,
    recipientSeq: item.recipientSeq,
    fallback,
  });

/** The Alimtalk message's own report, or null while it has no final result. */
export function alimtalkReportOf(item: AlimtalkItem): DeliveryReport | null {
  const outcome = alimtalkOutcome(item.messageStatus, item.resultCode);
  const named = withName(outcome, item.resultCode, item.resultCodeName);
  return reportOf(
    {
      vendorMessageId: alimtalkVid(item, false),
      messageId: item.recipientGroupingKey,
      type: "alimtalk",
      fallbackOf: null,
      at: item.at,
      raw: item.raw,
    },
    named,
  );
}

/**
 * The report of NHN's SMS/LMS fallback for this Alimtalk recipient, or null
 * when there is nothing to say. From the resend fields when the item has them
 * (result queries); otherwise, when `inferFromGroupingKey` (webhooks, whose
 * hooks carry no resend fields), an Alimtalk failure on a request that asked
 * NHN for a fallback (isResend true, per our grouping key) means NHN is
 * sending it: reported `sent`, so the fallback gets its vendor id and is
 * reconciled by polling later. `asked`: our fallback message exists and is
 * waiting for a final word.
 */
export function fallbackReportOf(
  item: AlimtalkItem,
  options: { asked: boolean; inferFromGroupingKey: boolean },
): DeliveryReport | null {
  const planned = fallbackOfGroupingKey(item.senderGroupingKey);
  const alimtalkFailed = alimtalkOutcome(item.messageStatus, item.resultCode)?.status === "failed";
  let outcome: Outcome;
  if (item.resendStatus !== null) {
    outcome = fallbackOutcome({
      resendStatus: item.resendStatus,
      resendResultCode: item.resendResultCode,
      alimtalkFailed,
      asked: options.asked,
    });
  } else {
    const inferred = options.inferFromGroupingKey && alimtalkFailed && typeof planned === "string";
    outcome = inferred ? { status: "sent" } : null;
  }
  return reportOf(
    {
      vendorMessageId: alimtalkVid(item, true),
      messageId: null,
      // NHN does not say SMS or LMS; our grouping key does. Without it
      // (not our request), "sms".
      type: typeof planned === "string" ? planned : "sms",
      fallbackOf: alimtalkVid(item, false),
      at: item.at,
      raw: item.raw,
    },
    outcome,
  );
}
