import { describe, expect, it } from "vitest";
import {
  configOf,
  DEFAULT_KAKAO_DELIVERED_CODES,
  DEFAULT_SMS_DELIVERED_STATES,
  DEFAULT_SMS_PENDING_STATES,
} from "./settings.ts";

const credentials = { apiKey: "k", userId: "u" };

describe("configOf", () => {
  it("defaults to Aligo's production hosts and the documented behaviour", () => {
    expect(configOf({ settings: {}, credentials })).toEqual({
      ok: true,
      credentials,
      settings: {
        smsBaseUrl: "https://apis.aligo.in",
        kakaoBaseUrl: "https://kakaoapi.aligo.in",
        senderKey: null,
        defaultSender: null,
        timeoutMs: 10_000,
        nativeFallback: false,
        testMode: false,
        kakaoUseToken: true,
        kakaoTokenTtlSeconds: 3600,
        kakaoButtonKeys: "short",
        kakaoDeliveredCodes: DEFAULT_KAKAO_DELIVERED_CODES,
        smsDeliveredStates: DEFAULT_SMS_DELIVERED_STATES,
        smsPendingStates: DEFAULT_SMS_PENDING_STATES,
      },
    });
  });

  it("takes the account's overrides, trimming base URLs and a trailing /akv10", () => {
    const config = configOf({
      settings: {
        smsBaseUrl: "http://127.0.0.1:4000/",
        kakaoBaseUrl: "http://127.0.0.1:4001/akv10/",
        senderKey: " sk ",
        timeoutMs: 500,
        nativeFallback: true,
        kakaoUseToken: false,
        kakaoTokenTtlSeconds: 90.7,
        kakaoButtonKeys: "long",
        kakaoDeliveredCodes: ["S"],
      },
      credentials,
    });
    expect(config.ok && config.settings).toMatchObject({
      smsBaseUrl: "http://127.0.0.1:4000",
      kakaoBaseUrl: "http://127.0.0.1:4001",
      senderKey: "sk",
      timeoutMs: 500,
      nativeFallback: true,
      kakaoUseToken: false,
      kakaoTokenTtlSeconds: 90,
      kakaoButtonKeys: "long",
      kakaoDeliveredCodes: ["S"],
      smsPendingStates: DEFAULT_SMS_PENDING_STATES,
    });
    expect(config.ok && Object.keys(config.settings).sort()).toEqual(
      [
        "smsBaseUrl",
        "kakaoBaseUrl",
        "senderKey",
        "defaultSender",
        "timeoutMs",
        "nativeFallback",
        "testMode",
        "kakaoUseToken",
        "kakaoTokenTtlSeconds",
        "kakaoButtonKeys",
        "kakaoDeliveredCodes",
        "smsDeliveredStates",
        "smsPendingStates",
      ].sort(),
    );
  });

  it.each([
    [{ smsBaseUrl: "not a url" }, "settings.smsBaseUrl"],
    [{ kakaoBaseUrl: "ftp://kakao" }, "settings.kakaoBaseUrl"],
    [{ smsBaseUrl: 42 }, "settings.smsBaseUrl"],
    // One schema (AligoSettingsSchema): a value of the wrong type is named, not silently defaulted.
    [{ smsPendingStates: "대기" }, "settings.smsPendingStates"],
    [{ kakaoButtonKeys: "medium" }, "settings.kakaoButtonKeys"],
    [{ timeoutMs: "fast" }, "settings.timeoutMs"],
  ])("refuses %j", (settings, rawCode) => {
    expect(configOf({ settings, credentials })).toMatchObject({
      ok: false,
      error: { code: "UNKNOWN", rawCode },
    });
  });

  it("needs both credentials", () => {
    expect(configOf({ settings: {}, credentials: { apiKey: "k", userId: "" } })).toEqual({
      ok: false,
      error: {
        code: "AUTH_FAILED",
        rawCode: "credentials",
        message: "the Aligo account needs the credentials apiKey and userId",
      },
    });
  });
});
