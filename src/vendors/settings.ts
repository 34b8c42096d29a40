// An account's settings read against its vendor's TypeBox schema, once per
// call: defaults filled in, and the first problem named by its path. Each
// vendor's settings.ts owns its schema (what an account may configure, with
// its defaults); this is the one reader of them. The settings that decide
// where and how long calls go — URL overrides (declared with urlSetting) and
// `timeoutMs` — are also checked when an account is saved, against the
// installation's transport: checkCallSettings.
import Type, { type Static, type TObject, type TString } from "typebox";
import Value from "typebox/value";
import type { VendorTransport } from "./http.ts";
import type { VendorError } from "./vendor.ts";

/** Marks a setting of a vendor's schema as a URL the adapter calls. */
const URL_SETTING = "x-vendor-url";

/**
 * A setting that says where calls go (a vendor's host, overridable for a
 * staging server): refused at save unless the egress guard would let a call
 * through, and guarded again at every connection.
 */
export function urlSetting(defaultUrl?: string): TString {
  return Type.String({
    ...(defaultUrl === undefined ? {} : { default: defaultUrl }),
    [URL_SETTING]: true,
  });
}

/** The account's own timeout per call; the operator's maximum caps it. */
export function timeoutSetting(defaultMs = 10_000) {
  return Type.Integer({ minimum: 1, default: defaultMs });
}

/** The names of a schema's URL settings. */
export function urlSettingsOf(schema: TObject): string[] {
  return Object.entries(schema.properties)
    .filter(([, property]) => (property as Record<string, unknown>)[URL_SETTING] === true)
    .map(([name]) => name);
}

export interface SettingProblem {
  /** The setting's name: `baseUrl`, `timeoutMs`. */
  setting: string;
  code: "URL_NOT_ALLOWED" | "TIMEOUT_TOO_LONG";
  message: string;
}

/**
 * What the transport would refuse of an account's settings: a URL setting
 * the egress guard does not let through (resolved now), a `timeoutMs`
 * longer than the operator's maximum. Settings of the wrong type are left to
 * the schema (parseSettings).
 */
export async function checkCallSettings(
  schema: TObject,
  settings: Record<string, unknown>,
  transport: VendorTransport,
): Promise<SettingProblem[]> {
  const problems: SettingProblem[] = [];
  for (const name of urlSettingsOf(schema)) {
    const value = settings[name];
    if (typeof value !== "string") continue;
    const verdict = await transport.egress.check(value);
    if (!verdict.ok) {
      const origin = URL.parse(value)?.origin;
      const shown = origin && origin !== "null" ? ` (${origin})` : "";
      problems.push({
        setting: name,
        code: "URL_NOT_ALLOWED",
        message: `settings.${name}${shown} ${verdict.reason}`,
      });
    }
  }
  const timeout = settings.timeoutMs;
  if ("timeoutMs" in schema.properties && typeof timeout === "number") {
    if (timeout > transport.maxTimeoutMs) {
      problems.push({
        setting: "timeoutMs",
        code: "TIMEOUT_TOO_LONG",
        message: `settings.timeoutMs may be at most ${transport.maxTimeoutMs} ms on this server (ALIMI_VENDOR_TIMEOUT_MAX), not ${timeout}`,
      });
    }
  }
  return problems;
}

export type ParsedSettings<T extends TObject> =
  | { ok: true; settings: Static<T> }
  | { ok: false; error: VendorError };

export function parseSettings<T extends TObject>(
  vendor: string,
  schema: T,
  settings: Record<string, unknown>,
): ParsedSettings<T> {
  const value = Value.Default(schema, structuredClone(settings));
  const [first] = Value.Errors(schema, value);
  if (first === undefined) return { ok: true, settings: value as Static<T> };
  const path = first.instancePath.slice(1).replaceAll("/", ".");
  return {
    ok: false,
    error: {
      code: "UNKNOWN",
      rawCode: `settings.${path || "(root)"}`,
      message: `the ${vendor} account's settings${path ? `.${path}` : ""} ${first.message}`,
    },
  };
}

/** An http(s) URL without its trailing slashes, or null. */
export function httpUrlOf(value: string): string | null {
  const url = URL.parse(value);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) return null;
  return value.replace(/\/+$/, "");
}
