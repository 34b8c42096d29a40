// NHN's delivery-report webhook (SMS ko/webhook.md, Alimtalk
// ko/webhook-api-guide.md), configured in NHN's console per product:
//
//   POST {our webhook URL}
//   X-Toast-Webhook-Signature: <the signature string entered in NHN's console>
//   { hooksId, webhookConfigId, productName, appKey, event, hooks: [ … ] }
//
// The "signature" is not an HMAC: it is the static string the customer typed
// when setting up the webhook, sent as is, so we compare it (in constant time)
// with the one we know: `credentials.webhookSignatureKey` when the customer
// gave us theirs, else the account's webhookSecret, which Alimi shows the
// customer to enter in NHN's console. The customer configures
// `…/webhooks/vendors/{accountId}` (no path token needed).
//
// `appKey` tells the product (SMS or Alimtalk). Only MESSAGE_RESULT_UPDATE
// carries reports; other events (080 opt-outs, template reviews…) are
// acknowledged with none. Hooks about messages Alimi did not send (another
// system on the same appKey, NHN's own fallback SMS) are skipped by their
// grouping keys.
import { createHash, timingSafeEqual } from "node:crypto";
import type { DeliveryReport, InboundRequest, ParsedReports, VendorAccount } from "../vendor.ts";
import { alimtalkReportOf, fallbackReportOf, readAlimtalkItem, smsReportOf } from "./reports.ts";
import {
  fallbackOfGroupingKey,
  isObject,
  MESSAGE_RESULT_UPDATE,
  type NhnProduct,
  stringOf,
  TEXT_GROUPING_KEY,
  WEBHOOK_SIGNATURE_HEADER,
} from "./wire.ts";

type Account = Pick<VendorAccount, "credentials" | "webhookSecret">;

/** The signature NHN must send for this account. */
export function expectedSignature(account: Account): string {
  const given = account.credentials.webhookSignatureKey?.trim() ?? "";
  return given !== "" ? given : account.webhookSecret;
}

export function parseNhnReports(
  account: Account,
  request: InboundRequest,
  now: Date,
): ParsedReports {
  const signature = headerOf(request, WEBHOOK_SIGNATURE_HEADER);
  if (signature === null) return { ok: false, status: 401, message: "missing signature header" };
  if (!sameSecret(signature, expectedSignature(account))) {
    return { ok: false, status: 401, message: "signature mismatch" };
  }

  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    return { ok: false, status: 400, message: "the body is not JSON" };
  }
  if (!isObject(body) || typeof body.event !== "string" || !Array.isArray(body.hooks)) {
    return { ok: false, status: 400, message: "the body must be { appKey, event, hooks: [] }" };
  }
  if (body.event !== MESSAGE_RESULT_UPDATE) return { ok: true, reports: [] };
  const product = productOfAppKey(account, body.appKey);
  if (product === null) {
    return { ok: false, status: 400, message: "the appKey is not one of this account's" };
  }

  const reports: DeliveryReport[] = [];
  for (const [i, hook] of body.hooks.entries()) {
    const found = product === "sms" ? smsHookReports(hook, now) : alimtalkHookReports(hook, now);
    if (typeof found === "string") {
      return { ok: false, status: 400, message: `hooks[${i}]: ${found}` };
    }
    reports.push(...found);
  }
  return { ok: true, reports };
}

function productOfAppKey(account: Account, appKey: unknown): NhnProduct | null {
  if (typeof appKey !== "string" || appKey === "") return null;
  if (appKey === account.credentials.smsAppKey?.trim()) return "sms";
  if (appKey === account.credentials.alimtalkAppKey?.trim()) return "alimtalk";
  return null;
}

/**
 * Whether a hook is about a message Alimi sent: our requests carry our
 * senderGroupingKey. A hook without one (should NHN leave it out) is taken
 * when it has a recipient grouping key, which all our messages have.
 */
function isOurs(hook: Record<string, unknown>, product: NhnProduct): boolean {
  const key = stringOf(hook.senderGroupingKey);
  if (key === null) {
    return stringOf(hook.recipientGroupingKey ?? hook.recipientGropuingKey) !== null;
  }
  return product === "sms" ? key === TEXT_GROUPING_KEY : fallbackOfGroupingKey(key) !== undefined;
}

function smsHookReports(hook: unknown, now: Date): DeliveryReport[] | string {
  if (!isObject(hook)) return "not an object";
  if (!isOurs(hook, "sms")) return [];
  const report = smsReportOf(hook, "hook", now);
  if (typeof report === "string") return report;
  return report === null ? [] : [report];
}

function alimtalkHookReports(hook: unknown, now: Date): DeliveryReport[] | string {
  if (!isObject(hook)) return "not an object";
  const kind = stringOf(hook.kakaoMessageType);
  if ((kind !== null && !kind.startsWith("ALIMTALK")) || !isOurs(hook, "alimtalk")) return [];
  const item = readAlimtalkItem(hook, now);
  if (typeof item === "string") return item;
  const own = alimtalkReportOf(item);
  const fallback = fallbackReportOf(item, { asked: false, inferFromGroupingKey: true });
  return [own, fallback].filter((r): r is DeliveryReport => r !== null);
}

/** Equal strings, compared in constant time (through digests of equal length). */
function sameSecret(given: string, expected: string): boolean {
  if (expected === "") return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function headerOf(request: InboundRequest, name: string): string | null {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" && first !== "" ? first : null;
}
