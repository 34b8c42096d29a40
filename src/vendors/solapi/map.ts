// SOLAPI's vocabulary and how it maps to ours. Pure: the adapter decides
// accepted / retry / rejected and sent / delivered / failed from these tables
// and nothing else.
//
// Status codes are four digits (reference §1.7): 1xxx refused at intake,
// 2000 accepted, other 2xxx platform errors, 3000 handed to the carrier,
// other 3xxx carrier or Kakao errors, 4000 delivered (SMS and Alimtalk alike).
import type { MessageType } from "../../domain/message-content.ts";
import type { MappedError } from "../http.ts";
import type { DeliveryReport, VendorErrorCode } from "../vendor.ts";
import type { SolapiType } from "./wire.ts";

interface StatusEntry {
  code: VendorErrorCode;
  /** Whether sending the same message again later may succeed. */
  retryable: boolean;
  message: string;
}

const entry = (code: VendorErrorCode, message: string, retryable = false): StatusEntry => ({
  code,
  retryable,
  message,
});

/** The failure codes worth telling apart, from SOLAPI's message-status-codes page. */
export const SOLAPI_STATUS_CODES: Readonly<Record<string, StatusEntry>> = {
  // 1xxx: refused at intake (answered in failedMessageList).
  "1010": entry("CONTENT_REJECTED", "A required field is missing."),
  "1011": entry("CONTENT_REJECTED", "A field has the wrong format."),
  "1013": entry("CONTENT_REJECTED", "SMS cannot have a subject."),
  "1014": entry("CONTENT_REJECTED", "The subject is longer than 40 bytes."),
  "1020": entry("AUTH_FAILED", "Authentication failed."),
  "1021": entry("UNKNOWN", "No such message."),
  "1022": entry("UNKNOWN", "No such group."),
  "1023": entry("CONTENT_REJECTED", "No such image."),
  "1025": entry("CONTENT_REJECTED", "Unknown message type."),
  "1026": entry("CONTENT_REJECTED", "The recipient appears twice."),
  "1027": entry("CONTENT_REJECTED", "The text is not UTF-8."),
  "1028": entry("CONTENT_REJECTED", "The text has non-printable characters."),
  "1029": entry("CONTENT_REJECTED", "The text has a character outside EUC-KR."),
  "1030": entry("INSUFFICIENT_VENDOR_BALANCE", "The SOLAPI balance is too low.", true),
  "1031": entry("CONTENT_REJECTED", "The text is too long for its type."),
  "1032": entry("CONTENT_REJECTED", "customFields key or value too long."),
  "1033": entry("CONTENT_REJECTED", "kakaoOptions are only for ATA/CTA."),
  "1041": entry("SENDER_NOT_REGISTERED", "Invalid Kakao channel (pfId)."),
  "1042": entry("TEMPLATE_MISMATCH", "Invalid templateId."),
  "1043": entry("TEMPLATE_MISMATCH", "The text differs from the registered template."),
  "1046": entry("TEMPLATE_MISMATCH", "The template has buttons but none were sent."),
  "1047": entry("TEMPLATE_MISMATCH", "The template has no buttons but some were sent."),
  "1048": entry("CONTENT_REJECTED", "A button URL is too long."),
  "1049": entry("CONTENT_REJECTED", "A button name is longer than 14 characters."),
  "1050": entry("CONTENT_REJECTED", "More than 5 buttons."),
  "1052": entry("TEMPLATE_MISMATCH", "Buttons are not in the template's order."),
  "1060": entry("BLOCKED", "The recipient is blocked."),
  "1061": entry("BLOCKED", "The recipient opted out through 080."),
  "1062": entry("SENDER_NOT_REGISTERED", "The sender number is not registered."),
  "1064": entry("BLOCKED", "The recipient is blocked after a KISA report."),
  // 2xxx: platform errors.
  "2060": entry("BLOCKED", "The recipient is blocked."),
  "2061": entry("BLOCKED", "The recipient opted out through 080."),
  "2062": entry("SENDER_NOT_REGISTERED", "The sender number is not registered."),
  "2063": entry("AUTH_FAILED", "The SOLAPI account is blocked."),
  "2064": entry("BLOCKED", "The recipient is blocked after a KISA report."),
  "2230": entry("INSUFFICIENT_VENDOR_BALANCE", "The SOLAPI balance is too low.", true),
  "2254": entry("CONTENT_REJECTED", "Stopped by SOLAPI's spam filter."),
  // 3xxx: carrier and Kakao errors.
  "3010": entry("INVALID_NUMBER", "The recipient number is malformed."),
  "3013": entry("SENDER_NOT_REGISTERED", "The sender number is malformed."),
  "3032": entry("INVALID_NUMBER", "The recipient is not a subscriber."),
  "3040": entry("TIMEOUT", "The carrier did not answer in time.", true),
  "3041": entry("UNREACHABLE", "The handset is unavailable."),
  "3042": entry("UNREACHABLE", "The handset is unavailable."),
  "3043": entry("UNREACHABLE", "The handset is unavailable."),
  "3044": entry("UNREACHABLE", "The handset is unavailable."),
  "3045": entry("UNREACHABLE", "The handset is unavailable."),
  "3046": entry("UNREACHABLE", "The handset is unavailable."),
  "3047": entry("BLOCKED", "The recipient refuses messages."),
  "3050": entry("UNREACHABLE", "The handset cannot receive SMS."),
  "3054": entry("CONTENT_REJECTED", "Stopped as spam."),
  "3055": entry("CONTENT_REJECTED", "Stopped as spam."),
  "3059": entry("SENDER_NOT_REGISTERED", "The sender number looks spoofed."),
  "3101": entry("SENDER_NOT_REGISTERED", "Invalid Kakao sender profile key."),
  "3103": entry("TEMPLATE_MISMATCH", "The message does not match the template."),
  "3104": entry("NOT_KAKAO_USER", "The recipient is not a KakaoTalk user."),
  "3105": entry("TEMPLATE_MISMATCH", "The template is not registered."),
  "3106": entry("SENDER_NOT_REGISTERED", "Invalid Kakao channel."),
  "3107": entry("NOT_KAKAO_USER", "Not a KakaoTalk user within 72 hours, or Alimtalk blocked."),
  "3108": entry("CONTENT_REJECTED", "Outside the allowed sending hours."),
};

export type { MappedError } from "../http.ts";

/**
 * A failure status code (and the text SOLAPI sent with it) as ours. Codes not
 * in the table are permanent UNKNOWN: retrying what we do not understand could
 * loop, and a human reads the raw code in the trace.
 */
export function mapStatusCode(statusCode: string, statusMessage?: string | null): MappedError {
  const known = Object.hasOwn(SOLAPI_STATUS_CODES, statusCode)
    ? SOLAPI_STATUS_CODES[statusCode]
    : undefined;
  if (known === undefined) {
    const message = statusMessage || `SOLAPI status ${statusCode}`;
    return { error: { code: "UNKNOWN", rawCode: statusCode, message }, retryable: false };
  }
  return {
    error: { code: known.code, rawCode: statusCode, message: statusMessage || known.message },
    retryable: known.retryable,
  };
}

/**
 * Where a status code puts a message: 2000 (accepted) and 3000 (with the
 * carrier) are progress, 4000 is delivery, every other four-digit code is a
 * final failure. Null for what is not a four-digit code (the list API's own
 * sample shows "TEST1000"): not a result we can act on.
 */
export function reportStatusOf(statusCode: string): DeliveryReport["status"] | null {
  if (!/^\d{4}$/.test(statusCode)) return null;
  if (statusCode === "4000") return "delivered";
  if (statusCode === "2000" || statusCode === "3000") return "sent";
  return "failed";
}

const TO_SOLAPI: Readonly<Record<MessageType, SolapiType>> = {
  alimtalk: "ATA",
  sms: "SMS",
  lms: "LMS",
  mms: "MMS",
};

export const solapiTypeOf = (type: MessageType): SolapiType => TO_SOLAPI[type];

const FROM_SOLAPI: Readonly<Record<string, MessageType>> = {
  ATA: "alimtalk",
  SMS: "sms",
  LMS: "lms",
  MMS: "mms",
};

/** SOLAPI's type as ours; null for the types we never send (CTA, RCS_*, FAX…). */
export function messageTypeOf(type: unknown): MessageType | null {
  if (typeof type !== "string") return null;
  const upper = type.toUpperCase();
  return Object.hasOwn(FROM_SOLAPI, upper) ? FROM_SOLAPI[upper]! : null;
}

/** The 403 codes of the authentication check that a later attempt can pass. */
const TRANSIENT_AUTH = new Set([
  // A fresh salt makes a fresh signature: the next request cannot collide.
  "DuplicatedSignature",
  // Our clock is off by more than 15 minutes: an operator fixes the clock,
  // and the messages should still go out then rather than be failed now.
  "RequestTimeTooSkewed",
]);

/** Request-level error codes that are not about our request being wrong. */
const TRANSIENT_REQUEST: Readonly<Record<string, VendorErrorCode>> = {
  NotEnoughBalance: "INSUFFICIENT_VENDOR_BALANCE",
  GroupInProcessing: "VENDOR_UNAVAILABLE",
};

/**
 * A request answered with something other than 200. 5xx and 429 are SOLAPI's
 * trouble (retry); 401/403 are credentials (permanent, except the two auth
 * codes above); other 4xx mean our request was wrong, so sending it again
 * cannot help — except a short balance, which a top-up fixes.
 */
export function mapHttpFailure(status: number, body: unknown): MappedError {
  const given = errorBodyOf(body);
  const rawCode = given?.errorCode ?? `http.${status}`;
  const message = given?.errorMessage ?? `SOLAPI answered HTTP ${status}`;
  const result = (code: VendorErrorCode, retryable: boolean): MappedError => ({
    error: { code, rawCode, message },
    retryable,
  });
  if (status >= 500) return result("VENDOR_UNAVAILABLE", true);
  if (status === 429) return result("RATE_LIMITED", true);
  if (status === 401 || status === 403) return result("AUTH_FAILED", TRANSIENT_AUTH.has(rawCode));
  if (Object.hasOwn(TRANSIENT_REQUEST, rawCode)) return result(TRANSIENT_REQUEST[rawCode]!, true);
  return result("UNKNOWN", false);
}

function errorBodyOf(body: unknown): { errorCode: string; errorMessage: string | null } | null {
  if (typeof body !== "object" || body === null) return null;
  const { errorCode, errorMessage } = body as Record<string, unknown>;
  if (typeof errorCode !== "string" || errorCode === "") return null;
  return { errorCode, errorMessage: typeof errorMessage === "string" ? errorMessage : null };
}
