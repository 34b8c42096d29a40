// SOLAPI's message report webhook ("single-report"), and the reading of a
// stored message that the webhook and the list API (polling) share.
//
//   POST <the URL set in SOLAPI's console>
//   content-type: application/json
//   [ { messageId, groupId, type, to, from, statusCode, customFields, replacement?,
//       dateProcessed, dateReported, dateReceived, networkCode, … }, … ]
//
// SOLAPI documents no signature on its webhooks (UNCONFIRMED; reference §1.8),
// so the URL itself is the secret: the customer configures
// `{webhookUrl}/{webhookSecret}` (solapiWebhookUrl) and we compare the path
// token with the account's secret in constant time. SOLAPI's own ASP example
// also checks an `X-Solapi-Secret` header against a "webhook security key"
// from the console; when the account has that key (credential
// `webhookSecretKey`) the header must match as well.
//
// A group report ("group-report", an array of group objects) carries no
// per-message result; it is acknowledged and ignored — the message reports and
// polling cover the same messages.
import { createHash, timingSafeEqual } from "node:crypto";
import type { DeliveryReport, InboundRequest, ParsedReports, VendorAccount } from "../vendor.ts";
import { mapStatusCode, messageTypeOf, reportStatusOf } from "./map.ts";
import { isObject, OUR_ID_FIELD } from "./wire.ts";

export const EVENT_HEADER = "x-solapi-event-name";
export const SECRET_HEADER = "x-solapi-secret";

/** The suffix of the id we give a native fallback: SOLAPI reports both under one messageId. */
export const FALLBACK_SUFFIX = ":fallback";

/** The URL to paste into SOLAPI's console for this account's message reports. */
export function solapiWebhookUrl(account: Pick<VendorAccount, "webhookUrl" | "webhookSecret">) {
  return `${account.webhookUrl}/${encodeURIComponent(account.webhookSecret)}`;
}

/** Verifies an inbound report request and turns its reports into ours. */
export function parseSolapiReports(
  account: Pick<VendorAccount, "webhookSecret" | "credentials">,
  request: InboundRequest,
  now: Date,
): ParsedReports {
  if (request.pathToken === null || !sameSecret(request.pathToken, account.webhookSecret)) {
    return { ok: false, status: 401, message: "unknown webhook path token" };
  }
  const headerKey = account.credentials.webhookSecretKey;
  if (headerKey) {
    const given = headerOf(request, SECRET_HEADER);
    if (given === null || !sameSecret(given, headerKey)) {
      return { ok: false, status: 401, message: `${SECRET_HEADER} does not match` };
    }
  }
  if (headerOf(request, EVENT_HEADER)?.toUpperCase() === "GROUP-REPORT") {
    return { ok: true, reports: [] };
  }

  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    return { ok: false, status: 400, message: "the body is not JSON" };
  }
  if (!Array.isArray(body)) return { ok: false, status: 400, message: "the body must be an array" };
  const reports: DeliveryReport[] = [];
  for (const [i, item] of body.entries()) {
    if (isGroupInfo(item)) continue;
    const read = reportsOfStored(item, now);
    if (typeof read === "string") return { ok: false, status: 400, message: `[${i}]: ${read}` };
    reports.push(...read);
  }
  return { ok: true, reports };
}

/**
 * One stored message (webhook item or list entry) as our reports, or what is
 * wrong with it. Empty when there is nothing to act on: a type we never send
 * (someone else's Friendtalk on the same account) or a status code that is not
 * one (the docs' "TEST1000").
 *
 * A message with `replacement` set is an Alimtalk that SOLAPI replaced with an
 * SMS/LMS. SOLAPI keeps both under one messageId; we report two messages: the
 * Alimtalk failed, and the fallback — id `${messageId}:fallback`, fallbackOf
 * the Alimtalk's id — with the status code, which then is the replacement's
 * own result (UNCONFIRMED: the docs only say the flag means "대체 발송 여부").
 */
export function reportsOfStored(item: unknown, fallbackAt: Date): DeliveryReport[] | string {
  if (!isObject(item)) return "not an object";
  const { messageId, statusCode, statusMessage, reason, customFields } = item;
  if (typeof messageId !== "string" || messageId === "") return "messageId is required";
  if (typeof statusCode !== "string") return "statusCode must be a string";
  const type = messageTypeOf(item.type);
  const status = reportStatusOf(statusCode);
  if (type === null || status === null) return [];

  const text =
    typeof statusMessage === "string" ? statusMessage : typeof reason === "string" ? reason : null;
  const error = status === "failed" ? mapStatusCode(statusCode, text).error : null;
  const ours = isObject(customFields) ? customFields[OUR_ID_FIELD] : undefined;
  const base = {
    vendorMessageId: messageId,
    messageId: typeof ours === "string" && ours !== "" ? ours : null,
    at: dateOf(item) ?? fallbackAt,
    raw: item,
  };
  if (item.replacement !== true && item.replacement !== 1) {
    return [{ ...base, status, type, fallbackOf: null, error }];
  }
  return [
    {
      ...base,
      status: "failed",
      type: "alimtalk",
      fallbackOf: null,
      error: {
        code: "UNKNOWN",
        rawCode: "replacement",
        message: "Alimtalk was not delivered; SOLAPI sent the replacement SMS/LMS",
      },
    },
    {
      ...base,
      vendorMessageId: `${messageId}${FALLBACK_SUFFIX}`,
      // Our id in customFields is the Alimtalk message's, not the fallback's.
      messageId: null,
      status,
      // SOLAPI reports the replacement's type when it says; "sms" when it still says ATA.
      type: type === "alimtalk" ? "sms" : type,
      fallbackOf: messageId,
      error,
    },
  ];
}

/** When it happened: the report time, else reception, else processing, else the last update. */
function dateOf(item: Record<string, unknown>): Date | null {
  for (const key of ["dateReported", "dateReceived", "dateProcessed", "dateUpdated"]) {
    const value = item[key];
    if (typeof value !== "string" || value === "") continue;
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return null;
}

/** A group report item: a group, not a message. */
const isGroupInfo = (item: unknown) =>
  isObject(item) && item.messageId === undefined && typeof item.groupId === "string";

/** Constant-time equality of two secrets of any length (compared as SHA-256 digests). */
function sameSecret(given: string, expected: string): boolean {
  if (expected === "") return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function headerOf(request: InboundRequest, name: string): string | null {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" && first !== "" ? first.trim() : null;
}
