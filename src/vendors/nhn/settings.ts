// What an NHN account is made of. SMS and Alimtalk are two NHN products, each
// with its own appKey (in the path) and secret key (X-Secret-Key header) and
// its own host; an account may use either or both.
//
// Credentials: smsAppKey, smsSecretKey, alimtalkAppKey, alimtalkSecretKey, and
// optionally webhookSignatureKey. Settings: senderKey (the Kakao channel's
// sender key, needed for Alimtalk), smsBaseUrl and alimtalkBaseUrl (override the
// production hosts), timeoutMs (default 10 s), nativeFallback (read by the
// dispatcher).
import Type from "typebox";
import type { VendorTransport } from "../http.ts";
import { parseSettings, timeoutSetting, urlSetting } from "../settings.ts";
import type { VendorAccount } from "../vendor.ts";
import { NhnTemplateSettingsSchema } from "./template-wire.ts";
import { ALIMTALK_API_PREFIX, type NhnProduct, SMS_API_PREFIX } from "./wire.ts";

export const NHN_SMS_URL = "https://sms.api.nhncloudservice.com";
export const NHN_ALIMTALK_URL = "https://kakaotalk-bizmessage.api.nhncloudservice.com";

export const NhnSettingsSchema = Type.Object({
  /** The Kakao channel's sender key, needed for Alimtalk. */
  senderKey: Type.Optional(Type.String()),
  smsBaseUrl: urlSetting(NHN_SMS_URL),
  alimtalkBaseUrl: urlSetting(NHN_ALIMTALK_URL),
  timeoutMs: timeoutSetting(),
  /** Read by the dispatcher: NHN sends the SMS/LMS itself when Alimtalk fails (resendParameter). */
  nativeFallback: Type.Optional(Type.Boolean()),
  /** The template API: category and status codes (template-wire.ts). */
  templates: Type.Optional(NhnTemplateSettingsSchema),
});

export interface ProductConfig {
  product: NhnProduct;
  /** Everything before the endpoint: `{baseUrl}/sms/v3.0/appKeys/{appKey}`. */
  root: string;
  secretKey: string;
  /** The account's transport: every call to the product goes through it. */
  transport: VendorTransport;
}

export interface NhnConfig {
  /** The product's config, or why the account cannot use it. */
  sms: ProductConfig | string;
  alimtalk: ProductConfig | string;
  senderKey: string | null;
  timeoutMs: number;
}

export const PRODUCT_LABEL: Record<NhnProduct, string> = { sms: "SMS", alimtalk: "Alimtalk" };

export function configOf(
  account: Pick<VendorAccount, "settings" | "credentials" | "transport">,
): NhnConfig {
  const { credentials } = account;
  const parsed = parseSettings("NHN", NhnSettingsSchema, account.settings);
  if (!parsed.ok) {
    // Settings NHN cannot be called with: neither product can send.
    const why = parsed.error.message;
    return { sms: why, alimtalk: why, senderKey: null, timeoutMs: 10_000 };
  }
  const settings = parsed.settings;
  return {
    sms: productOf("sms", {
      baseUrl: settings.smsBaseUrl,
      appKey: credentials.smsAppKey,
      secretKey: credentials.smsSecretKey,
      transport: account.transport,
    }),
    alimtalk: productOf("alimtalk", {
      baseUrl: settings.alimtalkBaseUrl,
      appKey: credentials.alimtalkAppKey,
      secretKey: credentials.alimtalkSecretKey,
      transport: account.transport,
    }),
    senderKey: settings.senderKey?.trim() ? settings.senderKey.trim() : null,
    timeoutMs: settings.timeoutMs,
  };
}

function productOf(
  product: NhnProduct,
  given: {
    baseUrl: unknown;
    appKey: string | undefined;
    secretKey: string | undefined;
    transport: VendorTransport;
  },
): ProductConfig | string {
  const keyName = `${product}AppKey`;
  const appKey = given.appKey?.trim() ?? "";
  const secretKey = given.secretKey?.trim() ?? "";
  if (appKey === "" || secretKey === "") {
    return `the NHN account has no ${PRODUCT_LABEL[product]} credentials (${keyName}, ${product}SecretKey)`;
  }
  const url = typeof given.baseUrl === "string" ? URL.parse(given.baseUrl) : null;
  if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) {
    return `settings.${product}BaseUrl is not an http(s) URL`;
  }
  const prefix = product === "sms" ? SMS_API_PREFIX : ALIMTALK_API_PREFIX;
  const base = url.href.replace(/\/+$/, "");
  const root = `${base}${prefix}/${encodeURIComponent(appKey)}`;
  return { product, root, secretKey, transport: given.transport };
}

export function productConfig(config: NhnConfig, product: NhnProduct): ProductConfig | string {
  return product === "sms" ? config.sms : config.alimtalk;
}
