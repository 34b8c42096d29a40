// What a SOLAPI account is made of: one TypeBox schema for its settings, and
// its credentials.
//
// Credentials: `apiKey`, `apiSecret` (required); `webhookSecretKey` (optional,
// the console's webhook security key, checked against X-Solapi-Secret).
import Type from "typebox";
import type { VendorTransport } from "../http.ts";
import { httpUrlOf, parseSettings, timeoutSetting, urlSetting } from "../settings.ts";
import type { VendorAccount, VendorError } from "../vendor.ts";
import type { OutboundSettings } from "./outbound.ts";
import { SolapiTemplateSettingsSchema } from "./template-wire.ts";
import { SOLAPI_BASE_URL, SOLAPI_MAX_MESSAGES } from "./wire.ts";

export const SolapiSettingsSchema = Type.Object({
  baseUrl: urlSetting(SOLAPI_BASE_URL),
  timeoutMs: timeoutSetting(),
  /** The Kakao channel's SOLAPI id ("KA01PF…"); required for Alimtalk. */
  pfId: Type.Optional(Type.String()),
  /** Our template code → SOLAPI's templateId ("KA01TP…"); a code not listed is sent as is. */
  templateIds: Type.Record(Type.String(), Type.String({ minLength: 1 }), { default: {} }),
  allowDuplicates: Type.Boolean({ default: true }),
  /** Send a fallback text that differs from the Alimtalk text as a `replacements` entry. */
  sendReplacements: Type.Boolean({ default: true }),
  /**
   * Ids asked per list request. SOLAPI documents no maximum for `limit`
   * (UNCONFIRMED); nextKey paging covers a smaller server cap.
   */
  pollPageSize: Type.Integer({ minimum: 1, default: 100 }),
  /** Read by the dispatcher: SOLAPI sends the SMS/LMS itself when Alimtalk fails. */
  nativeFallback: Type.Optional(Type.Boolean()),
  /** The template API: category, inspection request, status words (template-wire.ts). */
  templates: Type.Optional(SolapiTemplateSettingsSchema),
});

export interface SolapiConfig extends OutboundSettings {
  baseUrl: string;
  timeoutMs: number;
  transport: VendorTransport;
  allowDuplicates: boolean;
  pollPageSize: number;
  apiKey: string;
  apiSecret: string;
}

export type Config = { ok: true; config: SolapiConfig } | { ok: false; error: VendorError };

export function configOf(
  account: Pick<VendorAccount, "settings" | "credentials" | "transport">,
): Config {
  const { apiKey, apiSecret } = account.credentials;
  if (!apiKey || !apiSecret) {
    return fail("AUTH_FAILED", "credentials", "the SOLAPI account needs apiKey and apiSecret");
  }
  const parsed = parseSettings("SOLAPI", SolapiSettingsSchema, account.settings);
  if (!parsed.ok) return parsed;
  const s = parsed.settings;
  const baseUrl = httpUrlOf(s.baseUrl);
  if (baseUrl === null) {
    return fail("UNKNOWN", "settings.baseUrl", "the SOLAPI account's baseUrl is not a URL");
  }
  return {
    ok: true,
    config: {
      baseUrl,
      timeoutMs: s.timeoutMs,
      transport: account.transport,
      pfId: s.pfId?.trim() ? s.pfId : null,
      templateIds: s.templateIds,
      allowDuplicates: s.allowDuplicates,
      sendReplacements: s.sendReplacements,
      pollPageSize: Math.min(s.pollPageSize, SOLAPI_MAX_MESSAGES),
      apiKey,
      apiSecret,
    },
  };
}

const fail = (code: VendorError["code"], rawCode: string, message: string): Config => ({
  ok: false,
  error: { code, rawCode, message },
});
