// What a sandbox account is made of: one TypeBox schema for its settings.
// Credentials: `apiKey`.
import Type from "typebox";
import { httpUrlOf, parseSettings, urlSetting } from "../settings.ts";
import type { VendorAccount, VendorError } from "../vendor.ts";

export const SandboxSettingsSchema = Type.Object({
  /** Where /sandbox/v1/ is served: Alimi itself when embedded. */
  baseUrl: urlSetting(),
  timeoutMs: Type.Integer({ minimum: 1, default: 10_000 }),
  /** Let the sandbox send the SMS/LMS itself when Alimtalk fails. */
  nativeFallback: Type.Boolean({ default: false }),
});

export interface SandboxSettings {
  baseUrl: string;
  timeoutMs: number;
  nativeFallback: boolean;
}

export type Settings = { ok: true; settings: SandboxSettings } | { ok: false; error: VendorError };

export function settingsOf(account: Pick<VendorAccount, "settings">): Settings {
  if (typeof account.settings.baseUrl !== "string") return noBaseUrl;
  const parsed = parseSettings("sandbox", SandboxSettingsSchema, account.settings);
  if (!parsed.ok) return parsed;
  const baseUrl = httpUrlOf(parsed.settings.baseUrl);
  if (baseUrl === null) return noBaseUrl;
  return { ok: true, settings: { ...parsed.settings, baseUrl } };
}

const noBaseUrl: Settings = {
  ok: false,
  error: {
    code: "UNKNOWN",
    rawCode: "settings.baseUrl",
    message: "the sandbox account has no valid baseUrl",
  },
};
