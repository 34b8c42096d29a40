// SOLAPI's API-key authentication, both sides: the header our client signs
// and the check the fake server makes (reference §1.2).
//
//   Authorization: HMAC-SHA256 apiKey=<key>, date=<ISO 8601>, salt=<12–64 chars>, signature=<hex>
//   signature = hex(HMAC-SHA256(key = apiSecret, data = date + salt))
//
// Only date and salt are signed, never the method, path or body; what stops a
// replay is the server refusing a date more than 15 minutes off and a
// signature it has already seen within those 15 minutes.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const AUTH_WINDOW_MS = 15 * 60 * 1000;

export type AuthMethod = "HMAC-SHA256" | "HMAC-MD5";

/** hex(HMAC(apiSecret, date + salt)), lowercase like the official SDK. */
export function signatureOf(
  apiSecret: string,
  date: string,
  salt: string,
  method: AuthMethod = "HMAC-SHA256",
): string {
  const algorithm = method === "HMAC-MD5" ? "md5" : "sha256";
  return createHmac(algorithm, apiSecret)
    .update(date + salt)
    .digest("hex");
}

/**
 * The Authorization header for one request. The date is UTC to the second,
 * as in the documentation's example ("2019-07-01T00:41:48Z"); the salt is 32
 * random hex characters, new on every call.
 */
export function authorizationHeader(
  credentials: { apiKey: string; apiSecret: string },
  options: { now?: Date; salt?: string } = {},
): string {
  const date = (options.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const salt = options.salt ?? randomBytes(16).toString("hex");
  const signature = signatureOf(credentials.apiSecret, date, salt);
  return `HMAC-SHA256 apiKey=${credentials.apiKey}, date=${date}, salt=${salt}, signature=${signature}`;
}

export interface ParsedAuthorization {
  method: AuthMethod;
  apiKey: string;
  date: string;
  salt: string;
  signature: string;
}

const HEADER = /^(HMAC-SHA256|HMAC-MD5) (.+)$/;

/** The four parts of an Authorization header, or null when it is not one. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  const match = HEADER.exec(header?.trim() ?? "");
  if (!match) return null;
  const parts = new Map<string, string>();
  for (const part of match[2]!.split(", ")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const apiKey = parts.get("apiKey");
  const date = parts.get("date");
  const salt = parts.get("salt");
  const signature = parts.get("signature");
  if (!apiKey || !date || !salt || !signature) return null;
  return { method: match[1] as AuthMethod, apiKey, date, salt, signature };
}

/** The documented 403 error codes of the authentication check. */
export type AuthErrorCode =
  | "InvalidAPIKey"
  | "SignatureDoesNotMatch"
  | "RequestTimeTooSkewed"
  | "DuplicatedSignature";

export type AuthCheck =
  | { ok: true }
  | { ok: false; errorCode: AuthErrorCode; errorMessage: string };

export interface AuthVerifier {
  check(header: string | undefined, now: Date): AuthCheck;
}

/**
 * The server side of the check, remembering the signatures it accepted for
 * the 15-minute window. Any ISO 8601 date is accepted (the SDK sends local
 * time with an offset, the docs UTC with Z).
 */
export function createAuthVerifier(credentials: {
  apiKey: string;
  apiSecret: string;
}): AuthVerifier {
  const seen = new Map<string, number>();
  const fail = (errorCode: AuthErrorCode, errorMessage: string): AuthCheck => ({
    ok: false,
    errorCode,
    errorMessage,
  });
  return {
    check(header, now) {
      const auth = parseAuthorization(header);
      if (auth === null) return fail("InvalidAPIKey", "missing or malformed Authorization header");
      if (auth.apiKey !== credentials.apiKey) return fail("InvalidAPIKey", "unknown API key");
      const at = Date.parse(auth.date);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(auth.date) || Number.isNaN(at)) {
        return fail("SignatureDoesNotMatch", "date is not ISO 8601");
      }
      if (Math.abs(now.getTime() - at) > AUTH_WINDOW_MS) {
        return fail("RequestTimeTooSkewed", "date differs from the server time by over 15 minutes");
      }
      if (auth.salt.length < 12 || auth.salt.length > 64) {
        return fail("SignatureDoesNotMatch", "salt must be 12 to 64 characters");
      }
      const expected = Buffer.from(
        signatureOf(credentials.apiSecret, auth.date, auth.salt, auth.method),
      );
      const given = Buffer.from(auth.signature.toLowerCase());
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return fail("SignatureDoesNotMatch", "signature does not match");
      }
      for (const [signature, until] of seen) if (until <= now.getTime()) seen.delete(signature);
      if (seen.has(given.toString())) {
        return fail("DuplicatedSignature", "signature already used within 15 minutes");
      }
      seen.set(given.toString(), now.getTime() + AUTH_WINDOW_MS);
      return { ok: true };
    },
  };
}
