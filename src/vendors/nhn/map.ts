// NHN's vocabulary and how it maps to ours. Pure: whether a message is retried
// or rejected, and what a report says, is decided from these tables only.
//
// Three code families:
// - API result codes (integers, `header.resultCode` or a recipient's
//   `resultCode` in a send answer): the request or the recipient was refused
//   before sending. [TOAST-DOCS/SMS ko/error-code.md; Alimtalk ko/error-code.md]
// - SMS delivery result codes (strings, carriers' answer): "1000" delivered.
// - Kakao delivery result codes (strings): "1000" delivered.

import type { MappedError } from "../http.ts";
import type { VendorError, VendorErrorCode } from "../vendor.ts";
import { headerOf, type NhnProduct } from "./wire.ts";

export type { MappedError } from "../http.ts";

type Entry = readonly [VendorErrorCode, string];
type ApiEntry = readonly [VendorErrorCode, boolean, string];

const BAD_REQUEST = "UNKNOWN";

/** SMS API result codes; only those a send or a result query can answer. */
export const SMS_API_ERRORS: Readonly<Record<number, ApiEntry>> = {
  4: [BAD_REQUEST, false, "Parameter validation failed."],
  [-1000]: ["AUTH_FAILED", false, "Invalid appKey."],
  [-1001]: ["AUTH_FAILED", false, "Service is not exist."],
  [-1002]: ["AUTH_FAILED", false, "Service is disabled."],
  [-1003]: ["AUTH_FAILED", false, "Not project member id."],
  [-1004]: ["AUTH_FAILED", false, "Not allow ip."],
  [-1007]: ["AUTH_FAILED", false, "MemberType is invalid."],
  [-1008]: ["AUTH_FAILED", false, "Service is blocked."],
  [-2014]: ["CONTENT_REJECTED", false, "The title or body is empty."],
  [-2015]: ["CONTENT_REJECTED", false, "Title or Body exceed maximum byte."],
  [-2016]: [BAD_REQUEST, false, "The max recipient size is 1000."],
  [-2018]: ["INVALID_NUMBER", false, "RecipientNo can not be empty."],
  [-2019]: ["INVALID_NUMBER", false, "RecipientNo is invalid."],
  [-2021]: ["VENDOR_UNAVAILABLE", true, "System error. Failed insert queue."],
  [-2023]: ["CONTENT_REJECTED", false, "Unacceptable characters in title and body."],
  [-2024]: ["INVALID_NUMBER", false, "LMS/MMS Type is not sent to outside of Korea."],
  [-2003]: ["CONTENT_REJECTED", false, "The attachment must be a jpg/jpeg file."],
  [-2005]: ["CONTENT_REJECTED", false, "The attachment is over 300 KB."],
  [-2044]: ["INVALID_NUMBER", false, "Invalid countryCode for sending."],
  [-2045]: ["BLOCKED", false, "International sending blocked by service."],
  [-2046]: ["BLOCKED", false, "Blocked country by service."],
  [-2047]: ["BLOCKED", false, "Blocked by total indicator."],
  [-2048]: ["CONTENT_REJECTED", false, "International message body exceed maximum length."],
  [-2312]: ["SENDER_NOT_REGISTERED", false, "Not regist sendno."],
  [-2313]: ["SENDER_NOT_REGISTERED", false, "This sendno is blocked."],
  [-6001]: ["BLOCKED", false, "Recipient Number is refused."],
  [-6003]: ["CONTENT_REJECTED", false, "The body must contain block guide ment."],
  [-8000]: ["CONTENT_REJECTED", false, "The body must contain auth guide ment."],
  [-9995]: [BAD_REQUEST, false, "Invalid api version."],
  [-9996]: [BAD_REQUEST, false, "Only application/json Content-type is supported."],
  [-9997]: [BAD_REQUEST, false, "Invalid API parameters."],
  [-9998]: [BAD_REQUEST, false, "Not exist API."],
  [-9999]: ["VENDOR_UNAVAILABLE", true, "System error."],
};

/** Alimtalk API result codes; only those a send or a result query can answer. */
export const ALIMTALK_API_ERRORS: Readonly<Record<number, ApiEntry>> = {
  4: [BAD_REQUEST, false, "Parameter validation failed."],
  [-1000]: ["AUTH_FAILED", false, "Invalid appKey."],
  [-1001]: ["AUTH_FAILED", false, "Invalid secretKey."],
  [-1002]: ["SENDER_NOT_REGISTERED", false, "Invalid Sms appkey (fallback)."],
  [-1003]: ["SENDER_NOT_REGISTERED", false, "Invalid Sms Sendno (fallback)."],
  [-1006]: ["SENDER_NOT_REGISTERED", false, "Plus friend don't have senderKey."],
  [-1014]: ["SENDER_NOT_REGISTERED", false, "Not active status plus friend."],
  [-1019]: ["CONTENT_REJECTED", false, "Invalid Sms UnSubscribeno."],
  [-1027]: ["SENDER_NOT_REGISTERED", false, "The sender is blocked status."],
  [-1028]: ["TEMPLATE_MISMATCH", false, "Template values differ by more than 14 characters."],
  [-2000]: ["CONTENT_REJECTED", false, "A field is longer than its maximum."],
  [-2001]: ["CONTENT_REJECTED", false, "A required field is blank."],
  [-2002]: ["CONTENT_REJECTED", false, "A required field is null."],
  [-2017]: ["SENDER_NOT_REGISTERED", false, "Not exist plus friend."],
  [-2018]: ["TEMPLATE_MISMATCH", false, "Button parameter is invalid."],
  [-2502]: [BAD_REQUEST, false, "Please set up plus-friend resend setting."],
  [-3000]: ["TEMPLATE_MISMATCH", false, "If template have a WL(webLink), must input linkMo."],
  [-3003]: ["TEMPLATE_MISMATCH", false, "Template does not exist."],
  [-3004]: ["TEMPLATE_MISMATCH", false, "Please check template parameter."],
  [-3005]: ["TEMPLATE_MISMATCH", false, "Please check template status."],
  [-3010]: ["TEMPLATE_MISMATCH", false, "The contents are not matched to template."],
  [-3048]: ["CONTENT_REJECTED", false, "The template parameter's length exceeds 1300."],
  [-3049]: ["TEMPLATE_MISMATCH", false, "The template parameter is not matched to template."],
  [-3301]: ["BLOCKED", false, "The unsubscribed recipient are found."],
  [-4004]: ["AUTH_FAILED", false, "Not exist appkey."],
  [-4005]: ["AUTH_FAILED", false, "Appkey is disabled status."],
  [-4019]: ["INVALID_NUMBER", false, "Invalid recipient number."],
  [-4200]: ["CONTENT_REJECTED", false, "Resend Message is invalid."],
  [-8008]: ["CONTENT_REJECTED", false, "The content has banned word."],
  [-9999]: ["VENDOR_UNAVAILABLE", true, "System error."],
};

/**
 * An API result code (not 0) as ours. Unknown codes are permanent: retrying
 * something we do not understand could loop; NHN's own system errors are in
 * the tables as retryable.
 */
export function mapApiResult(product: NhnProduct, code: number, message?: string): MappedError {
  const table = product === "sms" ? SMS_API_ERRORS : ALIMTALK_API_ERRORS;
  const entry = Object.hasOwn(table, code) ? table[code] : undefined;
  const text = message || entry?.[2] || `NHN ${product} API error ${code}`;
  return {
    error: { code: entry?.[0] ?? "UNKNOWN", rawCode: String(code), message: text },
    retryable: entry?.[1] ?? false,
  };
}

/** SMS delivery result codes (carriers' answers) other than "1000". */
export const SMS_RESULT_CODES: Readonly<Record<string, Entry>> = {
  "1001": ["VENDOR_UNAVAILABLE", "Carrier server busy."],
  "1002": ["INVALID_NUMBER", "Malformed recipient number."],
  "1003": ["SENDER_NOT_REGISTERED", "Malformed sender number."],
  "1019": ["UNREACHABLE", "TTL exceeded."],
  "2000": ["UNREACHABLE", "Delivery timed out."],
  "2001": ["UNREACHABLE", "Delivery failed in the wireless network."],
  "2002": ["UNREACHABLE", "Delivery failed between network and handset."],
  "2003": ["UNREACHABLE", "The handset is switched off."],
  "2004": ["UNREACHABLE", "The handset's message buffer is full."],
  "2005": ["UNREACHABLE", "The handset is out of coverage."],
  "2006": ["UNREACHABLE", "The message was deleted."],
  "2007": ["UNREACHABLE", "Temporary handset problem."],
  "3000": ["UNREACHABLE", "Cannot be delivered."],
  "3001": ["INVALID_NUMBER", "No such subscriber."],
  "3002": ["BLOCKED", "Adult verification failed."],
  "3003": ["INVALID_NUMBER", "Malformed or unassigned recipient number."],
  "3004": ["UNREACHABLE", "The subscriber's service is suspended."],
  "3005": ["UNREACHABLE", "The handset is busy with a call."],
  "3006": ["BLOCKED", "The recipient refuses messages."],
  "3007": ["UNREACHABLE", "The handset cannot take callback URLs."],
  "3008": ["UNREACHABLE", "Other handset problem."],
  "3009": ["CONTENT_REJECTED", "Malformed message."],
  "3010": ["UNREACHABLE", "The handset does not support MMS."],
  "3011": ["VENDOR_UNAVAILABLE", "Carrier server error."],
  "3012": ["CONTENT_REJECTED", "Refused as spam."],
  "3013": ["BLOCKED", "Service refused."],
  "3014": ["UNKNOWN", "Other carrier error."],
  "3015": ["UNREACHABLE", "No route to the recipient."],
  "3016": ["CONTENT_REJECTED", "The attachment is too large."],
  "3017": ["SENDER_NOT_REGISTERED", "Sender number refused by the anti-spoofing service."],
  "3018": ["SENDER_NOT_REGISTERED", "Sender number is a protected personal number."],
  "3019": ["SENDER_NOT_REGISTERED", "Sender number is blocked for all senders."],
  E911: ["CONTENT_REJECTED", "The attachment has no extension."],
  E913: ["CONTENT_REJECTED", "The attachment is empty."],
  E915: ["CONTENT_REJECTED", "Refused as a duplicate message."],
  E919: ["BLOCKED", "Sending is restricted at this time."],
  E999: ["UNKNOWN", "Other error."],
};

/** Kakao delivery result codes other than "1000" (the Alimtalk error-code page). */
export const KAKAO_RESULT_CODES: Readonly<Record<string, Entry>> = {
  "1003": ["SENDER_NOT_REGISTERED", "Invalid sender profile key."],
  "1006": ["SENDER_NOT_REGISTERED", "Deleted sender profile."],
  "1007": ["SENDER_NOT_REGISTERED", "Blocked sender profile."],
  "1020": ["INVALID_NUMBER", "Invalid or missing phone number."],
  "1021": ["SENDER_NOT_REGISTERED", "The KakaoTalk channel is blocked."],
  "1022": ["SENDER_NOT_REGISTERED", "The KakaoTalk channel is closed."],
  "1023": ["SENDER_NOT_REGISTERED", "The KakaoTalk channel is deleted."],
  "1024": ["SENDER_NOT_REGISTERED", "The KakaoTalk channel is being deleted."],
  "1025": ["SENDER_NOT_REGISTERED", "The KakaoTalk channel is sanctioned."],
  "1027": ["SENDER_NOT_REGISTERED", "The channel's messages are sanctioned."],
  "2001": ["VENDOR_UNAVAILABLE", "Unexpected error."],
  "3000": ["VENDOR_UNAVAILABLE", "Unexpected error."],
  "3005": ["UNREACHABLE", "Sent, but the receipt was not confirmed."],
  "3006": ["VENDOR_UNAVAILABLE", "Internal system error."],
  "3008": ["INVALID_NUMBER", "Invalid phone number."],
  "3010": ["VENDOR_UNAVAILABLE", "Unexpected error."],
  "3012": ["VENDOR_UNAVAILABLE", "Kakao communication failure."],
  "3013": ["CONTENT_REJECTED", "The message is empty."],
  "3014": ["CONTENT_REJECTED", "The message is too long."],
  "3015": ["TEMPLATE_MISMATCH", "Template not found."],
  "3016": ["TEMPLATE_MISMATCH", "The message does not match the template."],
  "3018": ["NOT_KAKAO_USER", "Cannot deliver: not an active KakaoTalk user."],
  "3019": ["NOT_KAKAO_USER", "Not a KakaoTalk user."],
  "3020": ["BLOCKED", "The recipient blocked Alimtalk."],
  "3021": ["NOT_KAKAO_USER", "The KakaoTalk version is too old."],
  "3022": ["BLOCKED", "Not a sending hour."],
  "3024": ["CONTENT_REJECTED", "The message's image cannot be sent."],
  "3025": ["CONTENT_REJECTED", "A variable is too long."],
  "3027": ["TEMPLATE_MISMATCH", "Buttons do not match the template."],
  "3028": ["TEMPLATE_MISMATCH", "The emphasized title does not match the template."],
  "3030": ["TEMPLATE_MISMATCH", "The message type does not match the template."],
  "3031": ["TEMPLATE_MISMATCH", "The header does not match the template."],
  "3033": ["TEMPLATE_MISMATCH", "The item highlight does not match the template."],
  "3036": ["TEMPLATE_MISMATCH", "The item list does not match the template."],
  "3038": ["TEMPLATE_MISMATCH", "The item summary does not match the template."],
  "3042": ["TEMPLATE_MISMATCH", "The representative link does not match the template."],
  "9998": ["VENDOR_UNAVAILABLE", "Kakao system error."],
  "9999": ["VENDOR_UNAVAILABLE", "Kakao system error."],
};

const DELIVERED = "1000";
/** Kakao's "message still being processed": no result yet. */
const KAKAO_PENDING = new Set(["4161"]);

function deliveryError(
  table: Readonly<Record<string, Entry>>,
  rawCode: string,
  name: string | null,
): VendorError {
  const entry = Object.hasOwn(table, rawCode) ? table[rawCode] : undefined;
  return {
    code: entry?.[0] ?? "UNKNOWN",
    rawCode,
    message: name || entry?.[1] || `NHN result code ${rawCode}`,
  };
}

export const mapSmsResult = (rawCode: string, name: string | null = null): VendorError =>
  deliveryError(SMS_RESULT_CODES, rawCode, name);

export const mapKakaoResult = (rawCode: string, name: string | null = null): VendorError =>
  deliveryError(KAKAO_RESULT_CODES, rawCode, name);

export type Outcome =
  | { status: "delivered" }
  | { status: "failed"; error: VendorError }
  | { status: "sent" }
  | null;

const statusError = (rawCode: string, message: string): Outcome => ({
  status: "failed",
  error: { code: "UNKNOWN", rawCode, message },
});

/**
 * An SMS-product message by its status and carrier result code: `msgStatus`
 * ("0"…"7") in result queries, `messageStatus` (COMPLETED, FAILED, CANCEL,
 * DUPLICATED, FAILED_AD) in webhooks. Null while NHN has no final result.
 * A carrier code other than "1000" is a failure whatever the status says.
 */
export function smsOutcome(status: string | null, resultCode: string | null): Outcome {
  const failedBy = (fallback: string, message: string): Outcome =>
    resultCode !== null && resultCode !== DELIVERED
      ? { status: "failed", error: mapSmsResult(resultCode) }
      : statusError(fallback, message);
  switch (status) {
    case "3":
    case "COMPLETED":
      return resultCode === null || resultCode === DELIVERED
        ? { status: "delivered" }
        : { status: "failed", error: mapSmsResult(resultCode) };
    case "0":
    case "FAILED":
      return failedBy("FAILED", "NHN reports the message failed.");
    case "4":
    case "CANCEL":
      return statusError("CANCEL", "The reservation was cancelled.");
    case "5":
    case "DUPLICATED":
      return statusError("DUPLICATED", "NHN refused the message as a duplicate.");
    case "6":
    case "FAILED_AD":
      return statusError("FAILED_AD", "NHN refused the advertising message (ad limit).");
    default:
      // "1" requested, "2" processing, "7" waiting to resend: not final.
      return null;
  }
}

/**
 * An Alimtalk message by its `messageStatus` (result queries: COMPLETED,
 * FAILED, CANCEL; absent from webhooks) and Kakao result code.
 */
export function alimtalkOutcome(status: string | null, resultCode: string | null): Outcome {
  if (resultCode === DELIVERED) return { status: "delivered" };
  if (resultCode !== null && !KAKAO_PENDING.has(resultCode)) {
    return { status: "failed", error: mapKakaoResult(resultCode) };
  }
  if (status === "FAILED") return statusError("FAILED", "NHN reports the Alimtalk failed.");
  if (status === "CANCEL") return statusError("CANCEL", "The reservation was cancelled.");
  return null;
}

/**
 * NHN's SMS/LMS fallback of an Alimtalk message, from the recipient's resend
 * fields: `resendStatus` RSC01 not a fallback target, RSC02 target (sent if
 * the Alimtalk fails), RSC03 sending, RSC04 succeeded, RSC05 failed;
 * `resendResultCode` is the fallback's SMS result code. Whether RSC04 means
 * accepted by carriers or delivered is UNCONFIRMED: a result code, when NHN
 * gives one, decides; without one RSC04 counts as delivered.
 *
 * `alimtalkFailed`: the Alimtalk itself is known to have failed (RSC02 then
 * means the fallback is on its way). `asked`: the fallback message exists on
 * our side, so a final "no fallback" must be reported as its failure.
 */
export function fallbackOutcome(fields: {
  resendStatus: string | null;
  resendResultCode: string | null;
  alimtalkFailed: boolean;
  asked: boolean;
}): Outcome {
  const { resendStatus, resendResultCode } = fields;
  const byCode = (): Outcome =>
    resendResultCode === DELIVERED
      ? { status: "delivered" }
      : { status: "failed", error: mapSmsResult(resendResultCode!) };
  switch (resendStatus) {
    case "RSC04":
      return resendResultCode === null ? { status: "delivered" } : byCode();
    case "RSC05":
      return resendResultCode === null
        ? statusError("RSC05", "NHN reports the fallback failed.")
        : byCode();
    case "RSC03":
      return { status: "sent" };
    case "RSC02":
      return fields.alimtalkFailed ? { status: "sent" } : null;
    case "RSC01":
      return fields.asked && fields.alimtalkFailed
        ? statusError("RSC01", "NHN did not send a fallback for this Alimtalk.")
        : null;
    default:
      return null;
  }
}

/**
 * An answer that is not a success: the HTTP status decides retryability
 * (5xx and 429 are NHN's trouble; 401 and 403 the credentials), then the
 * header's result code. An auth failure may come as HTTP 401 or as a 200 with
 * an auth result code (which of the two NHN uses for a wrong X-Secret-Key is
 * UNCONFIRMED; both are read as AUTH_FAILED).
 */
export function mapAnswerFailure(product: NhnProduct, status: number, body: unknown): MappedError {
  const header = headerOf(body);
  const rawCode = header ? String(header.resultCode) : `http.${status}`;
  const message = header?.resultMessage || `NHN answered HTTP ${status}`;
  if (status >= 500) {
    return { error: { code: "VENDOR_UNAVAILABLE", rawCode, message }, retryable: true };
  }
  if (status === 429) return { error: { code: "RATE_LIMITED", rawCode, message }, retryable: true };
  if (status === 401 || status === 403) {
    return { error: { code: "AUTH_FAILED", rawCode, message }, retryable: false };
  }
  if (header !== null && !header.isSuccessful) {
    return mapApiResult(product, header.resultCode, header.resultMessage);
  }
  if (status === 200) {
    // A 200 we cannot read: the request may have been taken, so it is NHN's trouble.
    return {
      error: { code: "VENDOR_UNAVAILABLE", rawCode, message: "NHN's answer could not be read" },
      retryable: true,
    };
  }
  return { error: { code: "UNKNOWN", rawCode, message }, retryable: false };
}
