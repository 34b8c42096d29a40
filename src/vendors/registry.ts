// The vendor adapters this build knows, by vendor name, and how each one's
// webhooks are authenticated.
import type { TObject } from "typebox";
import { aligoAdapter } from "./aligo/client.ts";
import { AligoSettingsSchema } from "./aligo/settings.ts";
import { expectedSignature } from "./nhn/callback.ts";
import { nhnAdapter } from "./nhn/client.ts";
import { NhnSettingsSchema } from "./nhn/settings.ts";
import { sandboxAdapter } from "./sandbox/client.ts";
import { SandboxSettingsSchema } from "./sandbox/settings.ts";
import { solapiAdapter } from "./solapi/client.ts";
import { SolapiSettingsSchema } from "./solapi/settings.ts";
import type { VendorAccount, VendorAdapter, VendorName } from "./vendor.ts";

export const adapters: Record<VendorName, VendorAdapter | undefined> = {
  sandbox: sandboxAdapter,
  solapi: solapiAdapter,
  nhn: nhnAdapter,
  aligo: aligoAdapter,
};

/** Each vendor's settings schema: what an account may configure (see ./settings.ts). */
export const SETTINGS_SCHEMAS: Record<VendorName, TObject> = {
  sandbox: SandboxSettingsSchema,
  solapi: SolapiSettingsSchema,
  nhn: NhnSettingsSchema,
  aligo: AligoSettingsSchema,
};

/**
 * - `signature`: the vendor signs its reports; the webhook URL is public.
 * - `path-token`: the vendor does not sign them; the URL carries a secret token.
 * - `none`: the vendor does not push reports; Alimi polls.
 */
export type WebhookStyle = "signature" | "path-token" | "none";

const WEBHOOK_STYLES: Record<VendorName, WebhookStyle> = {
  sandbox: "signature",
  solapi: "path-token",
  // NHN sends a fixed signature string (X-Toast-Webhook-Signature) set in its console.
  nhn: "signature",
  aligo: "none",
};

export function webhookStyleOf(vendor: VendorName): WebhookStyle {
  return WEBHOOK_STYLES[vendor];
}

/**
 * The string a customer must paste into the vendor's console for its reports
 * to verify (NHN's webhook signature: the `webhookSignatureKey` they chose,
 * or else the account's generated secret); null where nothing is pasted.
 */
export function pastedSignatureOf(
  vendor: VendorName,
  account: Pick<VendorAccount, "credentials" | "webhookSecret">,
): string | null {
  return vendor === "nhn" ? expectedSignature(account) : null;
}

export const VENDOR_NAMES = Object.keys(WEBHOOK_STYLES) as VendorName[];
