// Our side of NHN Cloud Notification: the VendorAdapter the dispatcher, the
// webhook route and the reconciler call. SMS/LMS/MMS go through NHN's SMS API
// v3.0, Alimtalk through its KakaoTalk Bizmessage Alimtalk API v2.3; each
// product has its own appKey, secret key and host (settings.ts).
//
// UNCONFIRMED in NHN's docs, and how it is handled:
// - The answer to a wrong or missing X-Secret-Key: HTTP 401 and an auth result
//   code in a 200 are both read as AUTH_FAILED (map.ts).
// - Date strings' zone: read as KST unless they carry one (dates.ts).
// - Whether resendStatus RSC04 means the fallback was delivered: its SMS result
//   code decides when given (map.ts fallbackOutcome).
// - The Alimtalk webhook's hooks carry no resend fields: the fallback is
//   inferred as `sent` from our grouping key and reconciled by polling
//   (reports.ts fallbackReportOf).
// - The webhook type of an LMS/MMS (`senderType` values other than NORMAL_SMS
//   are undocumented): read leniently, for the trace only (reports.ts).
// - Whether NHN's per-request Alimtalk idempotency key reserves the key for a
//   request that failed: we do not use it, and dedupe retries by our grouping
//   key instead (queries.ts findSent).
import { checkFailureMessage } from "../http.ts";
import type { VendorAccount, VendorAdapter } from "../vendor.ts";
import { parseNhnReports } from "./callback.ts";
import { pollMessages } from "./poll.ts";
import { listWindow } from "./queries.ts";
import { sendMessages } from "./send.ts";
import { configOf, type NhnConfig, PRODUCT_LABEL } from "./settings.ts";
import { NHN_MAX_RECIPIENTS, type NhnProduct } from "./wire.ts";

export const nhnAdapter: VendorAdapter = {
  vendor: "nhn",
  batchSize: NHN_MAX_RECIPIENTS,
  canPoll: true,

  async send(account, messages) {
    if (messages.length === 0) return [];
    return sendMessages(account, messages, new Date());
  },

  parseReports(account, request) {
    return parseNhnReports(account, request, new Date());
  },

  async poll(account, messages) {
    return pollMessages(account, messages, new Date());
  },

  async checkCredentials(account) {
    const config = configOf(account);
    const used = usedProducts(account);
    if (used.length === 0) {
      return {
        ok: false,
        message: "the NHN account has neither SMS nor Alimtalk credentials",
      };
    }
    const checked: string[] = [];
    for (const product of used) {
      const problem = await checkProduct(config, product);
      if (problem !== null) return { ok: false, message: problem };
      checked.push(PRODUCT_LABEL[product]);
    }
    return { ok: true, message: `connected to NHN Cloud ${checked.join(" and ")}` };
  },
};

/** The products the account has any credential for. */
function usedProducts(account: VendorAccount): NhnProduct[] {
  const has = (name: string) => (account.credentials[name]?.trim() ?? "") !== "";
  return (["sms", "alimtalk"] as const).filter((p) => has(`${p}AppKey`) || has(`${p}SecretKey`));
}

/**
 * A cheap authenticated call: the product's message list for the last minute,
 * one item per page. Null when NHN took the credentials, else why not.
 */
async function checkProduct(config: NhnConfig, product: NhnProduct): Promise<string | null> {
  const setup = product === "sms" ? config.sms : config.alimtalk;
  if (typeof setup === "string") return setup;
  if (product === "alimtalk" && config.senderKey === null) {
    return "the NHN account has no Kakao sender key (settings.senderKey)";
  }
  const now = new Date();
  const listed = await listWindow(setup, config.timeoutMs, {
    from: new Date(now.getTime() - 60_000),
    to: now,
    pageSize: 1,
  });
  if (listed.ok) return null;
  // Our own words only: the answer may be anyone's server's (the URL is the account's).
  return checkFailureMessage(`NHN ${PRODUCT_LABEL[product]}`, listed.failure, listed.status);
}
