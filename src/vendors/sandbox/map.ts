// The sandbox's own vocabulary (its "API reference": statuses and error codes)
// and how each maps to ours. Pure: the adapter decides retry-or-reject from this
// table and nothing else, so the classification lives in one place.

import type { MappedError } from "../http.ts";
import type { DeliveryReport, VendorErrorCode } from "../vendor.ts";

/** Statuses the sandbox reports for a message (webhook) or answers to a poll. */
export type SandboxStatus = "SENT" | "DELIVERED" | "FAILED";

/**
 * Every error code the sandbox emits. Dotted like many real vendors' codes and
 * deliberately not ours, so the mapping below does real work and is tested.
 */
export type SandboxErrorCode =
  | "kakao.not_user"
  | "carrier.unreachable"
  | "request.invalid_number"
  | "request.invalid_message"
  | "request.template_required"
  | "request.invalid_image"
  | "request.invalid"
  | "request.too_many_messages"
  | "auth.invalid_key"
  | "server.unavailable";

interface SandboxErrorEntry {
  code: VendorErrorCode;
  retryable: boolean;
  /** The text the sandbox sends with the code. */
  message: string;
}

export const SANDBOX_ERRORS: Readonly<Record<SandboxErrorCode, SandboxErrorEntry>> = {
  "kakao.not_user": {
    code: "NOT_KAKAO_USER",
    retryable: false,
    message: "The recipient is not a KakaoTalk user.",
  },
  "carrier.unreachable": {
    code: "UNREACHABLE",
    retryable: false,
    message: "The recipient's handset could not be reached.",
  },
  "request.invalid_number": {
    code: "INVALID_NUMBER",
    retryable: false,
    message: "The recipient is not an E.164 phone number.",
  },
  "request.invalid_message": {
    code: "CONTENT_REJECTED",
    retryable: false,
    message: "The message is missing a field or has one of the wrong type.",
  },
  "request.template_required": {
    code: "TEMPLATE_MISMATCH",
    retryable: false,
    message: "An Alimtalk message needs a template code.",
  },
  "request.invalid_image": {
    code: "CONTENT_REJECTED",
    retryable: false,
    message: "An MMS needs 1 to 3 JPEG images of at most 300 KB each, and only an MMS has images.",
  },
  // Whole-request errors: our request was malformed, sending it again cannot help.
  "request.invalid": { code: "UNKNOWN", retryable: false, message: "The request is malformed." },
  "request.too_many_messages": {
    code: "UNKNOWN",
    retryable: false,
    message: "A request carries at most 1,000 messages.",
  },
  "auth.invalid_key": { code: "AUTH_FAILED", retryable: false, message: "The API key is invalid." },
  "server.unavailable": {
    code: "VENDOR_UNAVAILABLE",
    retryable: true,
    message: "The sandbox is temporarily unavailable; try again.",
  },
};

export type { MappedError } from "../http.ts";

const isSandboxErrorCode = (code: string): code is SandboxErrorCode =>
  Object.hasOwn(SANDBOX_ERRORS, code);

/**
 * A sandbox error code (and the message it came with) as ours. Unknown codes
 * are permanent: retrying something we do not understand could loop forever.
 */
export function mapSandboxError(rawCode: string, message?: string | null): MappedError {
  if (!isSandboxErrorCode(rawCode)) {
    return {
      error: { code: "UNKNOWN", rawCode, message: message || `unknown sandbox error ${rawCode}` },
      retryable: false,
    };
  }
  const entry = SANDBOX_ERRORS[rawCode];
  return {
    error: { code: entry.code, rawCode, message: message || entry.message },
    retryable: entry.retryable,
  };
}

const STATUSES: Readonly<Record<SandboxStatus, DeliveryReport["status"]>> = {
  SENT: "sent",
  DELIVERED: "delivered",
  FAILED: "failed",
};

/** A reported status as ours, or null when it is not one the sandbox reports. */
export function mapSandboxStatus(status: string): DeliveryReport["status"] | null {
  return Object.hasOwn(STATUSES, status) ? STATUSES[status as SandboxStatus] : null;
}

/**
 * A send request answered with something other than 200. The status decides
 * retryability (5xx and 429 are the vendor's trouble, other 4xx are ours); the
 * body's errorCode, when there is one, is kept as the raw code for the trace.
 */
export function mapHttpFailure(status: number, body: unknown): MappedError {
  const given = errorBodyOf(body);
  const rawCode = given?.errorCode ?? `http.${status}`;
  const message = given?.errorMessage ?? `the sandbox answered HTTP ${status}`;
  if (status >= 500) {
    return { error: { code: "VENDOR_UNAVAILABLE", rawCode, message }, retryable: true };
  }
  if (status === 429) {
    return { error: { code: "RATE_LIMITED", rawCode, message }, retryable: true };
  }
  if (status === 401 || status === 403) {
    return { error: { code: "AUTH_FAILED", rawCode, message }, retryable: false };
  }
  return { error: mapSandboxError(rawCode, message).error, retryable: false };
}

function errorBodyOf(body: unknown): { errorCode: string; errorMessage: string | null } | null {
  if (typeof body !== "object" || body === null) return null;
  const { errorCode, errorMessage } = body as Record<string, unknown>;
  if (typeof errorCode !== "string" || errorCode === "") return null;
  return { errorCode, errorMessage: typeof errorMessage === "string" ? errorMessage : null };
}
