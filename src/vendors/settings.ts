// An account's settings read against its vendor's TypeBox schema, once per
// call: defaults filled in, and the first problem named by its path. Each
// vendor's settings.ts owns its schema (what an account may configure, with
// its defaults); this is the one reader of them.
import type { Static, TObject } from "typebox";
import Value from "typebox/value";
import type { VendorError } from "./vendor.ts";

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
