// The sandbox's delivery-report webhook: wire format, signing and verification.
//
//   POST {webhookUrl}
//   content-type: application/json
//   x-sandbox-timestamp: 1767225600                  (unix seconds)
//   x-sandbox-signature: v1=<hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`)>
//   { "batchId": "sbxb_…", "reports": [WireReport, …] }   (≤ 1,000 reports)
//
// An object around the array rather than a bare array, so the batch has an id
// (a failed POST is retried with the same body) and room for later fields.
// The timestamp is signed with the body, and refused beyond five minutes
// either way, so a captured request cannot be replayed later.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { MessageType } from "../../domain/message-content.ts";
import type { DeliveryReport, InboundRequest, ParsedReports, VendorAccount } from "../vendor.ts";
import { mapSandboxError, mapSandboxStatus } from "./map.ts";
import { isObject } from "./wire.ts";

export const SANDBOX_TIMESTAMP_HEADER = "x-sandbox-timestamp";
export const SANDBOX_SIGNATURE_HEADER = "x-sandbox-signature";
export const SANDBOX_SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export interface SandboxSignatureHeaders {
  "x-sandbox-timestamp": string;
  "x-sandbox-signature": string;
}

/** The two headers that sign a report body sent at `timestampSeconds`. */
export function signSandboxReports(
  secret: string,
  rawBody: string | Buffer,
  timestampSeconds: number,
): SandboxSignatureHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  return {
    [SANDBOX_TIMESTAMP_HEADER]: timestamp,
    [SANDBOX_SIGNATURE_HEADER]: `v1=${hmac(secret, timestamp, rawBody).toString("hex")}`,
  };
}

/** Verifies an inbound report request and turns its reports into ours. */
export function parseSandboxReports(
  account: Pick<VendorAccount, "webhookSecret">,
  request: InboundRequest,
  now: Date,
): ParsedReports {
  const verified = verifySignature(account.webhookSecret, request, now);
  if (verified !== null) return { ok: false, status: 401, message: verified };

  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    return { ok: false, status: 400, message: "the body is not JSON" };
  }
  if (!isObject(body) || !Array.isArray(body.reports)) {
    return { ok: false, status: 400, message: "the body must be { batchId, reports: [] }" };
  }
  const reports: DeliveryReport[] = [];
  for (const [i, item] of body.reports.entries()) {
    const report = deliveryReportOf(item);
    if (typeof report === "string") {
      return { ok: false, status: 400, message: `reports[${i}]: ${report}` };
    }
    reports.push(report);
  }
  return { ok: true, reports };
}

/** Null when the request is signed by `secret` within the tolerance, else why not. */
function verifySignature(secret: string, request: InboundRequest, now: Date): string | null {
  const timestamp = headerOf(request, SANDBOX_TIMESTAMP_HEADER);
  const signature = headerOf(request, SANDBOX_SIGNATURE_HEADER);
  if (timestamp === null || signature === null) return "missing signature headers";
  if (!/^\d{1,12}$/.test(timestamp)) return "malformed timestamp";
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > SANDBOX_SIGNATURE_TOLERANCE_SECONDS) return "timestamp outside the tolerance";
  const expected = hmac(secret, timestamp, request.rawBody);
  // Several space-separated signatures are allowed, for rotating the secret.
  for (const candidate of signature.split(" ")) {
    if (!candidate.startsWith("v1=")) continue;
    const given = Buffer.from(candidate.slice(3), "hex");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return "signature mismatch";
}

function hmac(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest();
}

function headerOf(request: InboundRequest, name: string): string | null {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" && first !== "" ? first : null;
}

const TYPES = new Set<string>(["alimtalk", "sms", "lms", "mms"]);

/** A webhook report item as ours, or what is wrong with it. */
export function deliveryReportOf(item: unknown): DeliveryReport | string {
  if (!isObject(item)) return "not an object";
  const status = typeof item.status === "string" ? mapSandboxStatus(item.status) : null;
  if (status === null) return "unknown status";
  return reportFrom(item, status);
}

/**
 * A poll answer item as ours, or null while it has no final result (the poll
 * answers "PENDING" then). A native fallback nested in an item is read with
 * this function too.
 */
export function polledReportOf(item: unknown): DeliveryReport | null | string {
  if (!isObject(item)) return "not an object";
  if (item.status === "PENDING") return null;
  const status = typeof item.status === "string" ? mapSandboxStatus(item.status) : null;
  if (status === null) return "unknown status";
  return status === "sent" ? null : reportFrom(item, status);
}

function reportFrom(
  item: Record<string, unknown>,
  status: DeliveryReport["status"],
): DeliveryReport | string {
  const { messageId, customId, type, errorCode, errorMessage, fallbackOf, occurredAt } = item;
  if (typeof messageId !== "string" || messageId === "") return "messageId is required";
  if (!isNullableString(customId)) return "customId must be a string or null";
  if (typeof type !== "string" || !TYPES.has(type)) return "unknown type";
  if (!isNullableString(errorCode) || !isNullableString(errorMessage)) {
    return "errorCode and errorMessage must be strings or null";
  }
  if (!isNullableString(fallbackOf)) return "fallbackOf must be a string or null";
  const at = typeof occurredAt === "string" ? new Date(occurredAt) : null;
  if (at === null || Number.isNaN(at.getTime())) return "occurredAt must be an ISO time";
  const failed = status === "failed";
  return {
    vendorMessageId: messageId,
    messageId: customId ?? null,
    status,
    type: type as MessageType,
    fallbackOf: fallbackOf ?? null,
    // A failure without a code is still a failure; a success carries no error.
    error: failed ? mapSandboxError(errorCode ?? "unknown", errorMessage).error : null,
    at,
    raw: item,
  };
}

const isNullableString = (value: unknown): value is string | null | undefined =>
  value === undefined || value === null || typeof value === "string";
