import { describe, expect, it } from "vitest";
import {
  AUTH_WINDOW_MS,
  authorizationHeader,
  createAuthVerifier,
  parseAuthorization,
  signatureOf,
} from "./auth.ts";

const CREDENTIALS = { apiKey: "NCSAYU7YDBXYORXC", apiSecret: "test-secret-0123" };
const DATE = "2019-07-01T00:41:48Z";
const SALT = "jqsba2jxjnrjor";
// Computed with openssl, not with our code:
//   printf '%s' '2019-07-01T00:41:48Zjqsba2jxjnrjor' | openssl dgst -sha256 -hmac 'test-secret-0123'
const SHA256_SIGNATURE = "e07510aac2c7b0897b703a8ef33d98ae92c685c919d8bb40fb7750617bef7880";
const MD5_SIGNATURE = "19b6574c529095422ee33d0696fcce72";

describe("signing", () => {
  it("signs date + salt with the secret, as lowercase hex", () => {
    expect(signatureOf(CREDENTIALS.apiSecret, DATE, SALT)).toBe(SHA256_SIGNATURE);
    expect(signatureOf(CREDENTIALS.apiSecret, DATE, SALT, "HMAC-MD5")).toBe(MD5_SIGNATURE);
  });

  it("writes the header exactly as documented", () => {
    expect(authorizationHeader(CREDENTIALS, { now: new Date(DATE), salt: SALT })).toBe(
      `HMAC-SHA256 apiKey=NCSAYU7YDBXYORXC, date=2019-07-01T00:41:48Z, salt=jqsba2jxjnrjor, signature=${SHA256_SIGNATURE}`,
    );
  });

  it("uses UTC to the second and a new 32-character salt on every call", () => {
    const now = new Date("2026-05-01T12:34:56.789Z");
    const a = parseAuthorization(authorizationHeader(CREDENTIALS, { now }))!;
    const b = parseAuthorization(authorizationHeader(CREDENTIALS, { now }))!;
    expect(a.date).toBe("2026-05-01T12:34:56Z");
    expect(a.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(a.salt).not.toBe(b.salt);
    expect(a.signature).not.toBe(b.signature);
  });
});

describe("parseAuthorization", () => {
  it("reads the four parts", () => {
    expect(
      parseAuthorization(`HMAC-MD5 apiKey=K, date=${DATE}, salt=${SALT}, signature=abc`),
    ).toEqual({ method: "HMAC-MD5", apiKey: "K", date: DATE, salt: SALT, signature: "abc" });
  });

  it.each([
    undefined,
    "",
    "Bearer abc",
    `HMAC-SHA1 apiKey=K, date=${DATE}, salt=${SALT}, signature=abc`,
    `HMAC-SHA256 apiKey=K, date=${DATE}, salt=${SALT}`,
    `HMAC-SHA256 apiKey=K,date=${DATE},salt=${SALT},signature=abc`,
  ])("refuses %j", (header) => {
    expect(parseAuthorization(header)).toBeNull();
  });
});

describe("the server's check", () => {
  const at = (iso: string) => new Date(iso);

  it("accepts a fresh header once, then refuses the same signature as duplicated", () => {
    const verifier = createAuthVerifier(CREDENTIALS);
    const header = authorizationHeader(CREDENTIALS, { now: at(DATE), salt: SALT });
    expect(verifier.check(header, at(DATE))).toEqual({ ok: true });
    expect(verifier.check(header, at("2019-07-01T00:50:00Z"))).toMatchObject({
      ok: false,
      errorCode: "DuplicatedSignature",
    });
    // Another salt, another signature: accepted.
    const other = authorizationHeader(CREDENTIALS, { now: at(DATE), salt: `${SALT}x` });
    expect(verifier.check(other, at(DATE))).toEqual({ ok: true });
  });

  it("allows exactly 15 minutes of skew either way", () => {
    const verifier = createAuthVerifier(CREDENTIALS);
    const header = (salt: string) => authorizationHeader(CREDENTIALS, { now: at(DATE), salt });
    const base = at(DATE).getTime();
    expect(verifier.check(header("salt-000000001"), new Date(base + AUTH_WINDOW_MS))).toEqual({
      ok: true,
    });
    expect(verifier.check(header("salt-000000002"), new Date(base - AUTH_WINDOW_MS))).toEqual({
      ok: true,
    });
    for (const skew of [AUTH_WINDOW_MS + 1000, -AUTH_WINDOW_MS - 1000]) {
      expect(verifier.check(header(`salt-${skew}`), new Date(base + skew))).toMatchObject({
        ok: false,
        errorCode: "RequestTimeTooSkewed",
      });
    }
  });

  it("accepts the SDK's local time with an offset, and HMAC-MD5", () => {
    const verifier = createAuthVerifier(CREDENTIALS);
    const local = "2019-07-01T09:41:48+09:00";
    const sig = signatureOf(CREDENTIALS.apiSecret, local, SALT);
    const header = `HMAC-SHA256 apiKey=${CREDENTIALS.apiKey}, date=${local}, salt=${SALT}, signature=${sig}`;
    expect(verifier.check(header, at(DATE))).toEqual({ ok: true });
    const md5 = `HMAC-MD5 apiKey=${CREDENTIALS.apiKey}, date=${DATE}, salt=${SALT}, signature=${MD5_SIGNATURE}`;
    expect(verifier.check(md5, at(DATE))).toEqual({ ok: true });
  });

  it.each([
    ["no header", undefined, "InvalidAPIKey"],
    [
      "another key",
      `HMAC-SHA256 apiKey=OTHER, date=${DATE}, salt=${SALT}, signature=${SHA256_SIGNATURE}`,
      "InvalidAPIKey",
    ],
    [
      "another secret",
      `HMAC-SHA256 apiKey=${CREDENTIALS.apiKey}, date=${DATE}, salt=${SALT}, signature=${"0".repeat(64)}`,
      "SignatureDoesNotMatch",
    ],
    [
      "a signature of another date",
      `HMAC-SHA256 apiKey=${CREDENTIALS.apiKey}, date=2019-07-01T00:41:49Z, salt=${SALT}, signature=${SHA256_SIGNATURE}`,
      "SignatureDoesNotMatch",
    ],
    [
      "a short salt",
      `HMAC-SHA256 apiKey=${CREDENTIALS.apiKey}, date=${DATE}, salt=short, signature=${signatureOf(CREDENTIALS.apiSecret, DATE, "short")}`,
      "SignatureDoesNotMatch",
    ],
    [
      "a date that is not ISO",
      `HMAC-SHA256 apiKey=${CREDENTIALS.apiKey}, date=1561941708, salt=${SALT}, signature=${SHA256_SIGNATURE}`,
      "SignatureDoesNotMatch",
    ],
  ])("refuses %s (%s)", (_name, header, errorCode) => {
    expect(createAuthVerifier(CREDENTIALS).check(header, at(DATE))).toMatchObject({
      ok: false,
      errorCode,
    });
  });
});
