import { describe, expect, it } from "vitest";
import type { VendorErrorCode } from "../vendor.ts";
import {
  mapHttpFailure,
  mapSandboxError,
  mapSandboxStatus,
  SANDBOX_ERRORS,
  type SandboxErrorCode,
} from "./map.ts";

describe("mapSandboxError", () => {
  it.each<[SandboxErrorCode, VendorErrorCode, boolean]>([
    ["kakao.not_user", "NOT_KAKAO_USER", false],
    ["carrier.unreachable", "UNREACHABLE", false],
    ["request.invalid_number", "INVALID_NUMBER", false],
    ["request.invalid_message", "CONTENT_REJECTED", false],
    ["request.template_required", "TEMPLATE_MISMATCH", false],
    ["request.invalid_image", "CONTENT_REJECTED", false],
    ["request.invalid", "UNKNOWN", false],
    ["request.too_many_messages", "UNKNOWN", false],
    ["auth.invalid_key", "AUTH_FAILED", false],
    ["server.unavailable", "VENDOR_UNAVAILABLE", true],
  ])("%s → %s, retryable %s", (raw, code, retryable) => {
    expect(mapSandboxError(raw)).toEqual({
      error: { code, rawCode: raw, message: SANDBOX_ERRORS[raw].message },
      retryable,
    });
  });

  it("covers every code the sandbox has", () => {
    expect(Object.keys(SANDBOX_ERRORS)).toHaveLength(10);
  });

  it("keeps the message the sandbox sent", () => {
    expect(mapSandboxError("kakao.not_user", "blocked the channel").error.message).toBe(
      "blocked the channel",
    );
  });

  it.each(["nope", "", "toString", "__proto__"])(
    "maps unknown code %j to a permanent UNKNOWN",
    (raw) => {
      const mapped = mapSandboxError(raw, null);
      expect(mapped.error.code).toBe("UNKNOWN");
      expect(mapped.error.rawCode).toBe(raw);
      expect(mapped.retryable).toBe(false);
    },
  );
});

describe("mapSandboxStatus", () => {
  it.each([
    ["SENT", "sent"],
    ["DELIVERED", "delivered"],
    ["FAILED", "failed"],
    ["PENDING", null],
    ["delivered", null],
    ["", null],
    ["constructor", null],
  ])("%s → %s", (status, expected) => {
    expect(mapSandboxStatus(status)).toBe(expected);
  });
});

describe("mapHttpFailure", () => {
  it.each<[number, unknown, VendorErrorCode, string, boolean]>([
    [500, null, "VENDOR_UNAVAILABLE", "http.500", true],
    [502, "<html>bad gateway</html>", "VENDOR_UNAVAILABLE", "http.502", true],
    [
      503,
      { errorCode: "server.unavailable", errorMessage: "down" },
      "VENDOR_UNAVAILABLE",
      "server.unavailable",
      true,
    ],
    [429, null, "RATE_LIMITED", "http.429", true],
    [
      401,
      { errorCode: "auth.invalid_key", errorMessage: "no" },
      "AUTH_FAILED",
      "auth.invalid_key",
      false,
    ],
    [403, null, "AUTH_FAILED", "http.403", false],
    [400, { errorCode: "request.invalid", errorMessage: "x" }, "UNKNOWN", "request.invalid", false],
    [
      413,
      { errorCode: "request.too_many_messages" },
      "UNKNOWN",
      "request.too_many_messages",
      false,
    ],
    [404, null, "UNKNOWN", "http.404", false],
  ])("HTTP %i with %j → %s (%s), retryable %s", (status, body, code, rawCode, retryable) => {
    const mapped = mapHttpFailure(status, body);
    expect(mapped.error.code).toBe(code);
    expect(mapped.error.rawCode).toBe(rawCode);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.error.message).not.toBe("");
  });
});
