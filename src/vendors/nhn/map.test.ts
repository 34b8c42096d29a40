import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { VendorErrorCode } from "../vendor.ts";
import { formatNhnDate, parseNhnDate } from "./dates.ts";
import { parseVendorMessageId, vendorMessageIdOf } from "./ids.ts";
import {
  alimtalkOutcome,
  fallbackOutcome,
  mapAnswerFailure,
  mapApiResult,
  mapKakaoResult,
  mapSmsResult,
  smsOutcome,
} from "./map.ts";
import { alimtalkReportOf, fallbackReportOf, readAlimtalkItem, smsReportOf } from "./reports.ts";
import { fallbackOfGroupingKey, headerOf, sendResultsOf } from "./wire.ts";

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(
      new URL(`../../../test/support/vendors/nhn/fixtures/${name}`, import.meta.url),
      "utf8",
    ),
  );
const NOW = new Date("2026-03-02T03:30:00.000Z");

describe("mapApiResult", () => {
  it.each<[number, VendorErrorCode, boolean]>([
    [-1000, "AUTH_FAILED", false],
    [-1004, "AUTH_FAILED", false],
    [-2019, "INVALID_NUMBER", false],
    [-2024, "INVALID_NUMBER", false],
    [-2312, "SENDER_NOT_REGISTERED", false],
    [-2023, "CONTENT_REJECTED", false],
    [-6001, "BLOCKED", false],
    [-2016, "UNKNOWN", false],
    [-2021, "VENDOR_UNAVAILABLE", true],
    [-9999, "VENDOR_UNAVAILABLE", true],
  ])("SMS %i → %s, retryable %s", (raw, code, retryable) => {
    const mapped = mapApiResult("sms", raw, "as NHN said it");
    expect(mapped).toEqual({
      error: { code, rawCode: String(raw), message: "as NHN said it" },
      retryable,
    });
  });

  it.each<[number, VendorErrorCode, boolean]>([
    [-1001, "AUTH_FAILED", false],
    [-4005, "AUTH_FAILED", false],
    [-1003, "SENDER_NOT_REGISTERED", false],
    [-3010, "TEMPLATE_MISMATCH", false],
    [-3003, "TEMPLATE_MISMATCH", false],
    [-4019, "INVALID_NUMBER", false],
    [-8008, "CONTENT_REJECTED", false],
    [-9999, "VENDOR_UNAVAILABLE", true],
  ])("Alimtalk %i → %s, retryable %s", (raw, code, retryable) => {
    const mapped = mapApiResult("alimtalk", raw);
    expect(mapped.error.code).toBe(code);
    expect(mapped.error.rawCode).toBe(String(raw));
    expect(mapped.retryable).toBe(retryable);
  });

  it("keeps the documented message when NHN sends none", () => {
    expect(mapApiResult("alimtalk", -1001).error.message).toBe("Invalid secretKey.");
    expect(mapApiResult("sms", -1001).error.message).toBe("Service is not exist.");
  });

  it.each([-1, -31337, 12, 0])("maps unknown code %i to a permanent UNKNOWN", (raw) => {
    expect(mapApiResult("sms", raw)).toEqual({
      error: { code: "UNKNOWN", rawCode: String(raw), message: `NHN sms API error ${raw}` },
      retryable: false,
    });
  });
});

describe("delivery result codes", () => {
  it.each<[string, VendorErrorCode]>([
    ["1002", "INVALID_NUMBER"],
    ["2000", "UNREACHABLE"],
    ["2003", "UNREACHABLE"],
    ["3003", "INVALID_NUMBER"],
    ["3006", "BLOCKED"],
    ["3012", "CONTENT_REJECTED"],
    ["3019", "SENDER_NOT_REGISTERED"],
    ["E915", "CONTENT_REJECTED"],
    ["E999", "UNKNOWN"],
    ["9999", "UNKNOWN"],
    ["constructor", "UNKNOWN"],
  ])("SMS %s → %s", (raw, code) => {
    const error = mapSmsResult(raw);
    expect(error.code).toBe(code);
    expect(error.rawCode).toBe(raw);
  });

  it.each<[string, VendorErrorCode]>([
    ["3018", "NOT_KAKAO_USER"],
    ["3019", "NOT_KAKAO_USER"],
    ["3020", "BLOCKED"],
    ["3015", "TEMPLATE_MISMATCH"],
    ["3016", "TEMPLATE_MISMATCH"],
    ["3027", "TEMPLATE_MISMATCH"],
    ["1003", "SENDER_NOT_REGISTERED"],
    ["1025", "SENDER_NOT_REGISTERED"],
    ["3008", "INVALID_NUMBER"],
    ["9999", "VENDOR_UNAVAILABLE"],
    ["4000", "UNKNOWN"],
  ])("Kakao %s → %s", (raw, code) => {
    expect(mapKakaoResult(raw).code).toBe(code);
  });

  it("prefers NHN's own name for the code", () => {
    expect(mapKakaoResult("3019", "카카오톡 유저가 아님")).toEqual({
      code: "NOT_KAKAO_USER",
      rawCode: "3019",
      message: "카카오톡 유저가 아님",
    });
    expect(mapSmsResult("2003").message).toBe("The handset is switched off.");
  });
});

describe("smsOutcome", () => {
  it.each([
    ["3", "1000", "delivered"],
    ["COMPLETED", "1000", "delivered"],
    ["COMPLETED", null, "delivered"],
    ["COMPLETED", "3003", "failed"],
    ["3", "2003", "failed"],
    ["0", "2003", "failed"],
    ["FAILED", "3006", "failed"],
    ["FAILED", null, "failed"],
    ["4", null, "failed"],
    ["CANCEL", null, "failed"],
    ["DUPLICATED", null, "failed"],
    ["FAILED_AD", null, "failed"],
    ["1", null, null],
    ["2", null, null],
    ["7", null, null],
    [null, null, null],
  ])("%s / %s → %s", (status, code, expected) => {
    expect(smsOutcome(status, code)?.status ?? null).toBe(expected);
  });

  it("takes the carrier code for the error, else the status", () => {
    expect(smsOutcome("0", "2003")).toEqual({ status: "failed", error: mapSmsResult("2003") });
    expect(smsOutcome("DUPLICATED", null)).toEqual({
      status: "failed",
      error: {
        code: "UNKNOWN",
        rawCode: "DUPLICATED",
        message: "NHN refused the message as a duplicate.",
      },
    });
  });
});

describe("alimtalkOutcome", () => {
  it.each([
    ["COMPLETED", "1000", "delivered"],
    [null, "1000", "delivered"],
    ["FAILED", "3019", "failed"],
    [null, "3018", "failed"],
    ["FAILED", null, "failed"],
    ["CANCEL", null, "failed"],
    [null, "4161", null],
    [null, null, null],
    ["READY", null, null],
  ])("%s / %s → %s", (status, code, expected) => {
    expect(alimtalkOutcome(status, code)?.status ?? null).toBe(expected);
  });
});

describe("fallbackOutcome", () => {
  it.each([
    ["RSC04", null, true, false, "delivered"],
    ["RSC04", "1000", true, false, "delivered"],
    ["RSC04", "3003", true, false, "failed"],
    ["RSC05", "3003", true, false, "failed"],
    ["RSC05", null, true, false, "failed"],
    ["RSC03", null, true, false, "sent"],
    ["RSC02", null, true, false, "sent"],
    ["RSC02", null, false, false, null],
    ["RSC01", null, true, false, null],
    ["RSC01", null, true, true, "failed"],
    ["RSC01", null, false, true, null],
    [null, null, true, true, null],
  ] as const)(
    "%s / %s (Alimtalk failed %s, asked %s) → %s",
    (status, code, failed, asked, expected) => {
      const outcome = fallbackOutcome({
        resendStatus: status,
        resendResultCode: code,
        alimtalkFailed: failed,
        asked,
      });
      expect(outcome?.status ?? null).toBe(expected);
    },
  );

  it("reports a failed fallback with its SMS result code", () => {
    expect(
      fallbackOutcome({
        resendStatus: "RSC05",
        resendResultCode: "3003",
        alimtalkFailed: true,
        asked: false,
      }),
    ).toEqual({ status: "failed", error: mapSmsResult("3003") });
  });
});

describe("mapAnswerFailure and mapTransportFailure", () => {
  const authBody = fixture("auth-failure.json");

  it.each<[number, unknown, VendorErrorCode, string, boolean]>([
    [401, authBody, "AUTH_FAILED", "-1001", false],
    [200, authBody, "AUTH_FAILED", "-1001", false],
    [403, null, "AUTH_FAILED", "http.403", false],
    [500, null, "VENDOR_UNAVAILABLE", "http.500", true],
    [503, authBody, "VENDOR_UNAVAILABLE", "-1001", true],
    [429, null, "RATE_LIMITED", "http.429", true],
    [200, null, "VENDOR_UNAVAILABLE", "http.200", true],
    [404, null, "UNKNOWN", "http.404", false],
  ])("HTTP %i → %s (%s), retryable %s", (status, body, code, rawCode, retryable) => {
    const mapped = mapAnswerFailure("alimtalk", status, body);
    expect(mapped.error.code).toBe(code);
    expect(mapped.error.rawCode).toBe(rawCode);
    expect(mapped.retryable).toBe(retryable);
  });
});

describe("wire readers", () => {
  it("reads an SMS send answer", () => {
    expect(sendResultsOf("sms", fixture("sms-send-answer.json"))).toEqual({
      requestId: "20260302120000ReZQ6KZzAH0",
      results: [
        {
          recipientSeq: 1,
          recipientNo: "01012345678",
          resultCode: 0,
          resultMessage: "SUCCESS",
          recipientGroupingKey: "msg_a",
        },
        {
          recipientSeq: 2,
          recipientNo: "0101234",
          resultCode: -2019,
          resultMessage: "RecipientNo is invalid.",
          recipientGroupingKey: "msg_b",
        },
        {
          recipientSeq: 3,
          recipientNo: "01087654321",
          resultCode: 0,
          resultMessage: "SUCCESS",
          recipientGroupingKey: "msg_c",
        },
      ],
    });
  });

  it("reads an Alimtalk send answer under `message`, not `body`", () => {
    const answer = fixture("alimtalk-send-answer.json");
    expect(sendResultsOf("sms", answer)).toBeNull();
    const read = sendResultsOf("alimtalk", answer);
    expect(read?.requestId).toBe("20260302120001AbCdEfGhIj0");
    expect(read?.results.map((r) => [r.recipientSeq, r.resultCode])).toEqual([
      [1, 0],
      [2, -4019],
    ]);
  });

  it("reads the header of an error answer", () => {
    expect(headerOf(fixture("auth-failure.json"))).toEqual({
      isSuccessful: false,
      resultCode: -1001,
      resultMessage: "Invalid secretKey.",
    });
    expect(headerOf({ header: { isSuccessful: "yes", resultCode: 0 } })).toBeNull();
  });

  it.each([
    ["alimi:at:none", null],
    ["alimi:at:sms", "sms"],
    ["alimi:at:lms", "lms"],
    ["alimi:text", undefined],
    ["alimi:at:mms", undefined],
    [null, undefined],
  ])("grouping key %s → fallback %s", (key, expected) => {
    expect(fallbackOfGroupingKey(key)).toBe(expected);
  });
});

describe("vendor message ids", () => {
  it.each([
    ["sms:20260302120000ReZQ6KZzAH0:7", "sms", 7, false],
    ["alimtalk:20260302120001AbCdEfGhIj0:1", "alimtalk", 1, false],
    ["alimtalk:20260302120001AbCdEfGhIj0:12:fallback", "alimtalk", 12, true],
  ] as const)("%s round-trips", (vid, product, seq, fallback) => {
    const ref = parseVendorMessageId(vid);
    expect(ref).toEqual({ product, requestId: vid.split(":")[1], recipientSeq: seq, fallback });
    expect(vendorMessageIdOf(ref!)).toBe(vid);
  });

  it.each(["sms:x:1:fallback", "kakao:x:1", "sms:x", "sms::1", "sms:x:1:extra", ""])(
    "rejects %j",
    (vid) => {
      expect(parseVendorMessageId(vid)).toBeNull();
    },
  );
});

describe("NHN dates", () => {
  it.each([
    ["2018-08-10 10:06:42.0", "2018-08-10T01:06:42.000Z"],
    ["2024-04-29T20:58:04", "2024-04-29T11:58:04.000Z"],
    ["2026-03-02 12:00", "2026-03-02T03:00:00.000Z"],
    ["2026-03-02 12:00:01.123456", "2026-03-02T03:00:01.123Z"],
    ["2020-09-09T11:25:10.000+09:00", "2020-09-09T02:25:10.000Z"],
  ])("%s is %s", (text, iso) => {
    expect(parseNhnDate(text)?.toISOString()).toBe(iso);
  });

  it.each(["2023-06-01", "String", "", null, 12])("%j is not a date", (value) => {
    expect(parseNhnDate(value)).toBeNull();
  });

  it("formats query dates in KST", () => {
    expect(formatNhnDate(NOW, { seconds: true })).toBe("2026-03-02 12:30:00");
    expect(formatNhnDate(NOW, { seconds: false })).toBe("2026-03-02 12:30");
  });
});

describe("reports from result queries", () => {
  const smsItems = (fixture("sms-list-answer.json") as { body: { data: unknown[] } }).body.data;
  const alimtalkItems = (
    fixture("alimtalk-list-answer.json") as { messageSearchResultResponse: { messages: unknown[] } }
  ).messageSearchResultResponse.messages;

  it("turns SMS query items into reports, none while processing", () => {
    expect(smsItems.map((item) => smsReportOf(item, "query", NOW))).toEqual([
      {
        vendorMessageId: "sms:20260302120000ReZQ6KZzAH0:1",
        messageId: "msg_a",
        status: "delivered",
        type: "sms",
        fallbackOf: null,
        error: null,
        at: new Date("2026-03-02T03:00:04.000Z"),
        raw: smsItems[0],
      },
      {
        vendorMessageId: "sms:20260302120000ReZQ6KZzAH0:3",
        messageId: "msg_c",
        status: "failed",
        type: "sms",
        fallbackOf: null,
        error: { code: "UNREACHABLE", rawCode: "2003", message: "단말기 전원 꺼짐" },
        at: new Date("2026-03-02T03:00:09.000Z"),
        raw: smsItems[1],
      },
      null,
    ]);
  });

  it("says what is wrong with a malformed item", () => {
    expect(smsReportOf({ requestId: "r" }, "query", NOW)).toBe(
      "requestId and recipientSeq are required",
    );
    expect(readAlimtalkItem([], NOW)).toBe("not an object");
  });

  it("turns Alimtalk query items into the message's and its fallback's reports", () => {
    const reports = alimtalkItems.map((raw) => {
      const item = readAlimtalkItem(raw, NOW);
      if (typeof item === "string") throw new Error(item);
      return [
        alimtalkReportOf(item),
        fallbackReportOf(item, { asked: false, inferFromGroupingKey: false }),
      ];
    });
    const base = "alimtalk:20260302120001AbCdEfGhIj0";
    expect(reports.map((pair) => pair.map((r) => r && [r.vendorMessageId, r.status]))).toEqual([
      [[`${base}:1`, "delivered"], null],
      [
        [`${base}:3`, "failed"],
        [`${base}:3:fallback`, "delivered"],
      ],
      [
        [`${base}:4`, "failed"],
        [`${base}:4:fallback`, "failed"],
      ],
      [null, null],
    ]);
    const [own, fallback] = reports[1]!;
    expect(own).toMatchObject({
      messageId: "msg_f",
      type: "alimtalk",
      fallbackOf: null,
      error: { code: "NOT_KAKAO_USER", rawCode: "3019", message: "카카오톡 유저가 아님" },
      at: new Date("2026-03-02T03:00:05.000Z"),
    });
    expect(fallback).toMatchObject({
      messageId: null,
      type: "lms",
      fallbackOf: `${base}:3`,
      error: null,
    });
    expect(reports[2]![1]!.error).toEqual({
      code: "UNKNOWN",
      rawCode: "RSC05",
      message: "NHN reports the fallback failed.",
    });
  });

  it("reads the fallback's SMS result code from the single-message query", () => {
    const item = readAlimtalkItem(
      (fixture("alimtalk-message-answer.json") as { message: unknown }).message,
      NOW,
    );
    if (typeof item === "string") throw new Error(item);
    expect(fallbackReportOf(item, { asked: true, inferFromGroupingKey: false })).toMatchObject({
      vendorMessageId: "alimtalk:20260302120001AbCdEfGhIj0:4:fallback",
      status: "failed",
      error: { code: "INVALID_NUMBER", rawCode: "3003" },
    });
  });
});
