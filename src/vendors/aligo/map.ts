// Aligo's vocabulary and how it maps to ours. Pure: the adapter decides
// retry-or-reject from these functions and nothing else.
//
// Aligo answers HTTP 200 whatever happened; success or failure is in the body
// (`result_code` on the SMS API, `code` on the Kakao API) with a Korean
// `message`. Only -101 (authentication, including a non-whitelisted IP) is
// documented as a code; the rest of the negative-code table is UNCONFIRMED
// (reference/vendors.md §8), and the Kakao API answers -99 for many causes
// with the cause in the message ("포인트가 부족합니다.", "인증오류입니다." …).
// So: the code when we know it, else the message's keywords, else UNKNOWN
// and permanent (retrying what we do not understand could loop forever).

import type { MappedError } from "../http.ts";
import type { DeliveryReport, VendorError, VendorErrorCode } from "../vendor.ts";
import type { AligoSettings } from "./settings.ts";
import type { KakaoDetailItem } from "./wire.ts";
import { intOf, textOf } from "./wire.ts";

export type { MappedError } from "../http.ts";

interface Rule {
  pattern: RegExp;
  code: VendorErrorCode;
  retryable: boolean;
}

/** Request-level failures, by code (both APIs). */
const REQUEST_CODES: Readonly<Record<string, Omit<Rule, "pattern">>> = {
  "-101": { code: "AUTH_FAILED", retryable: false },
};

/**
 * Request-level failures by what the message says; first match wins, so the
 * sender-number rule comes before the authentication one ("인증되지 않은 발신번호").
 */
const REQUEST_RULES: readonly Rule[] = [
  { pattern: /발신\s*번호/, code: "SENDER_NOT_REGISTERED", retryable: false },
  { pattern: /발신\s*프로[필파]|senderkey/i, code: "SENDER_NOT_REGISTERED", retryable: false },
  { pattern: /템플릿|tpl_code/i, code: "TEMPLATE_MISMATCH", retryable: false },
  { pattern: /인증|토큰|token|api\s*key|\bIP\b/i, code: "AUTH_FAILED", retryable: false },
  // Our operators can top the account up; the dispatcher backs off meanwhile.
  { pattern: /포인트|잔액|잔여|충전|부족/, code: "INSUFFICIENT_VENDOR_BALANCE", retryable: true },
  {
    pattern: /일시|잠시|점검|서버|시간\s*초과|timeout/i,
    code: "VENDOR_UNAVAILABLE",
    retryable: true,
  },
  { pattern: /스팸|금지/, code: "CONTENT_REJECTED", retryable: false },
  { pattern: /수신|receiver|전화\s*번호|휴대폰/i, code: "INVALID_NUMBER", retryable: false },
];

/** A request Aligo refused (`result_code` ≠ 1, or `code` ≠ 0), with its message. */
export function mapAligoFailure(rawCode: string, message: string | null): MappedError {
  const text = message?.trim() || `Aligo answered code ${rawCode}`;
  const rule = Object.hasOwn(REQUEST_CODES, rawCode)
    ? REQUEST_CODES[rawCode]
    : REQUEST_RULES.find((r) => r.pattern.test(text));
  return {
    error: { code: rule?.code ?? "UNKNOWN", rawCode, message: text },
    retryable: rule?.retryable ?? false,
  };
}

/**
 * A request answered with something other than HTTP 200: Aligo itself always
 * answers 200, so this is a proxy or an outage. 5xx and 429 are worth a retry.
 */
export function mapHttpFailure(status: number): MappedError {
  const rawCode = `http.${status}`;
  const message = `Aligo answered HTTP ${status}`;
  if (status >= 500) {
    return { error: { code: "VENDOR_UNAVAILABLE", rawCode, message }, retryable: true };
  }
  if (status === 429) return { error: { code: "RATE_LIMITED", rawCode, message }, retryable: true };
  if (status === 401 || status === 403) {
    return { error: { code: "AUTH_FAILED", rawCode, message }, retryable: false };
  }
  return { error: { code: "UNKNOWN", rawCode, message }, retryable: false };
}

export const UNREADABLE_ANSWER: MappedError = {
  error: {
    code: "VENDOR_UNAVAILABLE",
    rawCode: "unreadable",
    message: "Aligo's answer is not the JSON it documents",
  },
  retryable: true,
};

/** What one receiver's result says: final (with the error when failed) or not yet. */
export type RecipientResult =
  | { status: "delivered"; error: null }
  | { status: "failed"; error: VendorError }
  | null;

/** Per-receiver SMS failures by what `sms_state` says (texts UNCONFIRMED; captured: 가입자없음). */
const SMS_STATE_RULES: readonly Rule[] = [
  { pattern: /수신\s*거부|거부/, code: "BLOCKED", retryable: false },
  { pattern: /스팸/, code: "CONTENT_REJECTED", retryable: false },
  { pattern: /발신\s*번호/, code: "SENDER_NOT_REGISTERED", retryable: false },
  {
    pattern: /결번|가입자\s*없음|없는\s*번호|번호\s*오류|잘못된\s*번호|형식/,
    code: "INVALID_NUMBER",
    retryable: false,
  },
  {
    pattern: /전원|음영|단말|정지|착신|시간\s*초과|통신/,
    code: "UNREACHABLE",
    retryable: false,
  },
];

/**
 * One `/sms_list/` receiver's `sms_state`: delivered when it is one of the
 * account's delivered states, not final while it contains a pending fragment
 * (or is empty), else failed.
 */
export function mapSmsState(
  state: string,
  settings: Pick<AligoSettings, "smsDeliveredStates" | "smsPendingStates">,
): RecipientResult {
  const text = state.trim();
  if (text === "") return null;
  if (settings.smsDeliveredStates.includes(text)) return { status: "delivered", error: null };
  if (settings.smsPendingStates.some((fragment) => text.includes(fragment))) return null;
  const rule = SMS_STATE_RULES.find((r) => r.pattern.test(text));
  return {
    status: "failed",
    error: { code: rule?.code ?? "UNKNOWN", rawCode: text, message: text },
  };
}

/**
 * Alimtalk `rslt` codes. Aligo documents only an example ("U": 메시지가
 * 템플릿과 일치하지않음); the numbered ones are Kakao's common result codes
 * (reference/vendors.md §2.2), kept in case Aligo passes them through (UNCONFIRMED).
 */
export const KAKAO_RESULT_CODES: Readonly<
  Record<string, { code: VendorErrorCode; message: string }>
> = {
  U: { code: "TEMPLATE_MISMATCH", message: "The message does not match the template." },
  "3015": { code: "TEMPLATE_MISMATCH", message: "The template was not found." },
  "3016": { code: "TEMPLATE_MISMATCH", message: "The message does not match the template." },
  "3025": { code: "TEMPLATE_MISMATCH", message: "A template variable is too long." },
  "3027": { code: "TEMPLATE_MISMATCH", message: "The buttons do not match the template." },
  "3018": { code: "NOT_KAKAO_USER", message: "The message cannot be delivered to this user." },
  "3019": { code: "NOT_KAKAO_USER", message: "The recipient is not a KakaoTalk user." },
  "3020": { code: "BLOCKED", message: "The recipient blocked Alimtalk from this channel." },
  "1003": { code: "SENDER_NOT_REGISTERED", message: "The sender key is invalid." },
  "1021": { code: "SENDER_NOT_REGISTERED", message: "The Kakao channel is blocked." },
  "1022": { code: "SENDER_NOT_REGISTERED", message: "The Kakao channel is closed." },
  "1023": { code: "SENDER_NOT_REGISTERED", message: "The Kakao channel is deleted." },
  "1024": { code: "SENDER_NOT_REGISTERED", message: "The Kakao channel is being deleted." },
  "1025": { code: "SENDER_NOT_REGISTERED", message: "The Kakao channel is sanctioned." },
};

/** Alimtalk failures by what `rslt_message` says, for codes not in the table. */
const KAKAO_MESSAGE_RULES: readonly Rule[] = [
  { pattern: /템플릿|버튼/, code: "TEMPLATE_MISMATCH", retryable: false },
  {
    pattern: /미사용|사용하지|카카오톡\s*유저가\s*아|비활성|휴면/,
    code: "NOT_KAKAO_USER",
    retryable: false,
  },
  { pattern: /차단|거부/, code: "BLOCKED", retryable: false },
  { pattern: /발신\s*프로[필파]|채널/, code: "SENDER_NOT_REGISTERED", retryable: false },
  { pattern: /번호/, code: "INVALID_NUMBER", retryable: false },
];

/**
 * One history/detail receiver: not final while its `msgid` starts with "Q"
 * (Aligo's documented "still sending") or it has no `rslt`; delivered when
 * `rslt` is one of the account's delivered codes; else failed.
 */
export function mapKakaoResult(
  item: Pick<KakaoDetailItem, "msgid" | "rslt" | "rslt_message" | "status">,
  settings: Pick<AligoSettings, "kakaoDeliveredCodes">,
): RecipientResult {
  const msgid = textOf(item.msgid) ?? "";
  const rslt = textOf(item.rslt) ?? "";
  if (msgid.startsWith("Q") || rslt === "") return null;
  if (settings.kakaoDeliveredCodes.includes(rslt)) return { status: "delivered", error: null };
  const said = textOf(item.rslt_message) || null;
  const known = Object.hasOwn(KAKAO_RESULT_CODES, rslt) ? KAKAO_RESULT_CODES[rslt] : undefined;
  const rule = said === null ? undefined : KAKAO_MESSAGE_RULES.find((r) => r.pattern.test(said));
  // status 2 is Aligo's "a number format Kakao cannot read".
  const code: VendorErrorCode =
    known?.code ?? rule?.code ?? (intOf(item.status) === 2 ? "INVALID_NUMBER" : "UNKNOWN");
  const message = said ?? known?.message ?? `Alimtalk failed with result ${rslt}`;
  return { status: "failed", error: { code, rawCode: rslt, message } };
}

/** Aligo's message type names ("SMS", "LMS", "MMS") as ours, or null. */
export function textTypeOf(
  value: unknown,
): Extract<DeliveryReport["type"], "sms" | "lms" | "mms"> | null {
  const text = textOf(value)?.toUpperCase();
  if (text === "SMS" || text === "SM") return "sms";
  if (text === "LMS" || text === "LM") return "lms";
  if (text === "MMS" || text === "MM") return "mms";
  return null;
}
