import { describe, expect, it } from "vitest";
import errors from "../../../test/support/vendors/solapi/fixtures/errors.json" with {
  type: "json",
};
import type { VendorErrorCode } from "../vendor.ts";
import {
  mapHttpFailure,
  mapStatusCode,
  messageTypeOf,
  reportStatusOf,
  SOLAPI_STATUS_CODES,
  solapiTypeOf,
} from "./map.ts";

describe("mapStatusCode", () => {
  it.each<[string, VendorErrorCode, boolean]>([
    ["1010", "CONTENT_REJECTED", false],
    ["1020", "AUTH_FAILED", false],
    ["1026", "CONTENT_REJECTED", false],
    ["1029", "CONTENT_REJECTED", false],
    ["1030", "INSUFFICIENT_VENDOR_BALANCE", true],
    ["1041", "SENDER_NOT_REGISTERED", false],
    ["1042", "TEMPLATE_MISMATCH", false],
    ["1043", "TEMPLATE_MISMATCH", false],
    ["1050", "CONTENT_REJECTED", false],
    ["1061", "BLOCKED", false],
    ["1062", "SENDER_NOT_REGISTERED", false],
    ["2062", "SENDER_NOT_REGISTERED", false],
    ["2063", "AUTH_FAILED", false],
    ["2230", "INSUFFICIENT_VENDOR_BALANCE", true],
    ["3010", "INVALID_NUMBER", false],
    ["3032", "INVALID_NUMBER", false],
    ["3040", "TIMEOUT", true],
    ["3043", "UNREACHABLE", false],
    ["3047", "BLOCKED", false],
    ["3059", "SENDER_NOT_REGISTERED", false],
    ["3103", "TEMPLATE_MISMATCH", false],
    ["3104", "NOT_KAKAO_USER", false],
    ["3105", "TEMPLATE_MISMATCH", false],
    ["3107", "NOT_KAKAO_USER", false],
  ])("%s → %s, retryable %s", (raw, code, retryable) => {
    expect(mapStatusCode(raw)).toEqual({
      error: { code, rawCode: raw, message: SOLAPI_STATUS_CODES[raw]!.message },
      retryable,
    });
  });

  it("keeps the text SOLAPI sent with the code", () => {
    expect(mapStatusCode("3104", "카카오톡 미사용자").error.message).toBe("카카오톡 미사용자");
  });

  it("retries exactly the codes a later attempt can pass", () => {
    const retryable = Object.entries(SOLAPI_STATUS_CODES)
      .filter(([, e]) => e.retryable)
      .map(([code]) => code);
    expect(retryable).toEqual(["1030", "2230", "3040"]);
  });

  it.each(["1099", "3999", "", "toString", "__proto__"])(
    "maps unknown code %j to a permanent UNKNOWN",
    (raw) => {
      expect(mapStatusCode(raw, null)).toEqual({
        error: { code: "UNKNOWN", rawCode: raw, message: `SOLAPI status ${raw}` },
        retryable: false,
      });
    },
  );
});

describe("reportStatusOf", () => {
  it.each([
    ["4000", "delivered"],
    ["2000", "sent"],
    ["3000", "sent"],
    ["3104", "failed"],
    ["1062", "failed"],
    ["2230", "failed"],
    ["4001", "failed"],
    ["TEST1000", null],
    ["400", null],
    ["", null],
  ])("%j → %s", (code, expected) => {
    expect(reportStatusOf(code)).toBe(expected);
  });
});

describe("message types", () => {
  it("sends ours as SOLAPI's", () => {
    expect(["alimtalk", "sms", "lms", "mms"].map((t) => solapiTypeOf(t as "sms"))).toEqual([
      "ATA",
      "SMS",
      "LMS",
      "MMS",
    ]);
  });

  it.each([
    ["ATA", "alimtalk"],
    ["SMS", "sms"],
    ["lms", "lms"],
    ["MMS", "mms"],
    ["CTA", null],
    ["RCS_SMS", null],
    [null, null],
    [4, null],
    ["constructor", null],
  ])("reads %j as %s", (type, expected) => {
    expect(messageTypeOf(type)).toBe(expected);
  });
});

describe("mapHttpFailure (fixtures/errors.json)", () => {
  it.each<[keyof typeof errors, VendorErrorCode, boolean]>([
    ["InvalidAPIKey", "AUTH_FAILED", false],
    ["SignatureDoesNotMatch", "AUTH_FAILED", false],
    ["RequestTimeTooSkewed", "AUTH_FAILED", true],
    ["DuplicatedSignature", "AUTH_FAILED", true],
    ["NotEnoughBalance", "INSUFFICIENT_VENDOR_BALANCE", true],
    ["ValidationError", "UNKNOWN", false],
    ["InternalError", "VENDOR_UNAVAILABLE", true],
  ])("%s → %s, retryable %s", (name, code, retryable) => {
    const { status, body } = errors[name];
    expect(mapHttpFailure(status, body)).toEqual({
      error: { code, rawCode: body!.errorCode, message: body!.errorMessage },
      retryable,
    });
  });

  it("429 without a body is a retryable RATE_LIMITED", () => {
    expect(mapHttpFailure(errors.TooManyRequests.status, errors.TooManyRequests.body)).toEqual({
      error: { code: "RATE_LIMITED", rawCode: "http.429", message: "SOLAPI answered HTTP 429" },
      retryable: true,
    });
  });

  it("a 502 from a proxy with an HTML body is retryable", () => {
    expect(mapHttpFailure(502, "<html>bad gateway</html>")).toEqual({
      error: {
        code: "VENDOR_UNAVAILABLE",
        rawCode: "http.502",
        message: "SOLAPI answered HTTP 502",
      },
      retryable: true,
    });
  });
});
