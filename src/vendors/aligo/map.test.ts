import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { VendorErrorCode } from "../vendor.ts";
import { mapAligoFailure, mapHttpFailure, mapKakaoResult, mapSmsState, textTypeOf } from "./map.ts";
import {
  DEFAULT_KAKAO_DELIVERED_CODES,
  DEFAULT_SMS_DELIVERED_STATES,
  DEFAULT_SMS_PENDING_STATES,
} from "./settings.ts";
import type { KakaoDetailItem, SmsListItem } from "./wire.ts";
import { intOf, textOf } from "./wire.ts";

// Fixture payloads are shaped as reference/vendors.md §3 documents; the
// values are ours (the reference's shapes are illustrative too).
const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(
      new URL(`../../../test/support/vendors/aligo/fixtures/${name}`, import.meta.url),
      "utf8",
    ),
  );

const smsSettings = {
  smsDeliveredStates: DEFAULT_SMS_DELIVERED_STATES,
  smsPendingStates: DEFAULT_SMS_PENDING_STATES,
};
const kakaoSettings = { kakaoDeliveredCodes: DEFAULT_KAKAO_DELIVERED_CODES };

describe("mapAligoFailure (fixtures/failures.json)", () => {
  const failures = fixture("failures.json") as {
    api: "sms" | "kakao";
    body: Record<string, unknown>;
  }[];
  const expected: [VendorErrorCode, boolean][] = [
    ["AUTH_FAILED", false],
    ["INSUFFICIENT_VENDOR_BALANCE", true],
    ["SENDER_NOT_REGISTERED", false],
    ["INVALID_NUMBER", false],
    ["UNKNOWN", false],
    ["AUTH_FAILED", false],
    ["AUTH_FAILED", false],
    ["INSUFFICIENT_VENDOR_BALANCE", true],
    ["SENDER_NOT_REGISTERED", false],
    ["TEMPLATE_MISMATCH", false],
    ["VENDOR_UNAVAILABLE", true],
  ];

  it("has one expectation per fixture", () => {
    expect(failures).toHaveLength(expected.length);
  });

  it.each(failures.map((f, i) => [i, f, expected[i]!] as const))(
    "#%i → %j",
    (_i, { api, body }, [code, retryable]) => {
      const raw = api === "sms" ? body.result_code : body.code;
      const rawCode = String(intOf(raw));
      expect(mapAligoFailure(rawCode, textOf(body.message))).toEqual({
        error: { code, rawCode, message: body.message },
        retryable,
      });
    },
  );

  it("maps -101 to AUTH_FAILED whatever the message says", () => {
    expect(mapAligoFailure("-101", "포인트가 부족합니다.").error.code).toBe("AUTH_FAILED");
  });

  it("says which code came when there is no message", () => {
    expect(mapAligoFailure("-5", null)).toEqual({
      error: { code: "UNKNOWN", rawCode: "-5", message: "Aligo answered code -5" },
      retryable: false,
    });
  });

  it.each(["toString", "__proto__", "constructor"])(
    "does not read %s off the code table",
    (raw) => {
      expect(mapAligoFailure(raw, "?").error.code).toBe("UNKNOWN");
    },
  );
});

describe("mapSmsState (fixtures/sms-list.json)", () => {
  const { list } = fixture("sms-list.json") as { list: SmsListItem[] };
  const expected: (null | "delivered" | VendorErrorCode)[] = [
    "delivered",
    "INVALID_NUMBER",
    null,
    null,
    "BLOCKED",
    "UNREACHABLE",
    "INVALID_NUMBER",
    "UNKNOWN",
  ];

  it("has one expectation per item", () => {
    expect(list).toHaveLength(expected.length);
  });

  it.each(list.map((item, i) => [item.sms_state!, expected[i]!] as const))(
    "%s → %s",
    (state, want) => {
      const result = mapSmsState(state, smsSettings);
      if (want === null) expect(result).toBeNull();
      else if (want === "delivered") expect(result).toEqual({ status: "delivered", error: null });
      else {
        expect(result).toEqual({
          status: "failed",
          error: { code: want, rawCode: state, message: state },
        });
      }
    },
  );

  it("is not final for an empty state", () => {
    expect(mapSmsState("  ", smsSettings)).toBeNull();
  });

  it("follows the account's own state lists", () => {
    const custom = { smsDeliveredStates: ["성공완료"], smsPendingStates: ["진행"] };
    expect(mapSmsState("성공완료", custom)).toEqual({ status: "delivered", error: null });
    expect(mapSmsState("진행중", custom)).toBeNull();
    expect(mapSmsState("발송완료", custom)?.status).toBe("failed");
  });
});

describe("mapKakaoResult (fixtures/kakao-history-detail.json)", () => {
  const { list } = fixture("kakao-history-detail.json") as { list: KakaoDetailItem[] };
  const expected: (null | "delivered" | [VendorErrorCode, string])[] = [
    "delivered",
    ["TEMPLATE_MISMATCH", "메시지가 템플릿과 일치하지않음"],
    null,
    ["NOT_KAKAO_USER", "카카오톡 미사용자입니다."],
    ["INVALID_NUMBER", "Alimtalk failed with result E"],
    ["BLOCKED", "카카오톡 채널을 차단한 사용자입니다."],
  ];

  it("has one expectation per item", () => {
    expect(list).toHaveLength(expected.length);
  });

  it.each(list.map((item, i) => [item.msgid!, item, expected[i]!] as const))(
    "msgid %s",
    (_msgid, item, want) => {
      const result = mapKakaoResult(item, kakaoSettings);
      if (want === null) expect(result).toBeNull();
      else if (want === "delivered") expect(result).toEqual({ status: "delivered", error: null });
      else {
        expect(result).toEqual({
          status: "failed",
          error: { code: want[0], rawCode: item.rslt, message: want[1] },
        });
      }
    },
  );

  it.each([
    ["3018", "NOT_KAKAO_USER"],
    ["3020", "BLOCKED"],
    ["3016", "TEMPLATE_MISMATCH"],
    ["1003", "SENDER_NOT_REGISTERED"],
    ["9999", "UNKNOWN"],
  ] as const)("maps Kakao's common code %s to %s with its own message", (rslt, code) => {
    const result = mapKakaoResult(
      { msgid: "1", rslt, rslt_message: "", status: "3" },
      kakaoSettings,
    );
    expect(result?.status).toBe("failed");
    expect(result?.error?.code).toBe(code);
    expect(result?.error?.rawCode).toBe(rslt);
  });

  it("is not final while the msgid starts with Q, whatever rslt says", () => {
    expect(mapKakaoResult({ msgid: "Q42", rslt: "3018" }, kakaoSettings)).toBeNull();
    expect(mapKakaoResult({ msgid: "42", rslt: "3018" }, kakaoSettings)?.status).toBe("failed");
  });

  it("is not final without a rslt, and delivered by the account's own codes", () => {
    expect(mapKakaoResult({ msgid: "1", rslt: "" }, kakaoSettings)).toBeNull();
    expect(mapKakaoResult({ msgid: "1", rslt: "S" }, { kakaoDeliveredCodes: ["S"] })).toEqual({
      status: "delivered",
      error: null,
    });
    expect(
      mapKakaoResult({ msgid: "1", rslt: "0000" }, { kakaoDeliveredCodes: ["S"] })?.status,
    ).toBe("failed");
  });
});

describe("mapHttpFailure", () => {
  it.each([
    [500, "VENDOR_UNAVAILABLE", true],
    [503, "VENDOR_UNAVAILABLE", true],
    [429, "RATE_LIMITED", true],
    [401, "AUTH_FAILED", false],
    [403, "AUTH_FAILED", false],
    [404, "UNKNOWN", false],
  ] as const)("HTTP %i → %s, retryable %s", (status, code, retryable) => {
    expect(mapHttpFailure(status)).toEqual({
      error: { code, rawCode: `http.${status}`, message: `Aligo answered HTTP ${status}` },
      retryable,
    });
  });
});

describe("textTypeOf", () => {
  it.each([
    ["SMS", "sms"],
    ["LMS", "lms"],
    ["mms", "mms"],
    ["SM", "sms"],
    ["LM", "lms"],
    ["AT", null],
    [undefined, null],
  ] as const)("%s → %s", (value, type) => {
    expect(textTypeOf(value)).toBe(type);
  });
});
