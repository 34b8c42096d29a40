import { describe, expect, it } from "vitest";
import {
  checkAdvertisingText,
  isNightTime,
  isNightTimeKst,
  nextMorning,
  nextMorningKst,
} from "./advertising.ts";

const PREFIX_MISSING = {
  path: "/text",
  code: "AD_PREFIX_MISSING",
  message:
    'An advertising message must start with "(광고)" exactly: no leading spaces and no variants such as "(광 고)" or "[광고]".',
};
const OPT_OUT_MISSING = {
  path: "/text",
  code: "AD_OPT_OUT_MISSING",
  message:
    'The last line of an advertising message must offer a free opt-out with an 080 number, such as "무료수신거부 080-123-4567".',
};

describe("checkAdvertisingText", () => {
  it.each([
    "(광고) 알리미 봄 세일\n무료수신거부 080-123-4567",
    "(광고)세일\n무료수신거부 0801234567",
    "(광고) 세일\n무료거부 080-1234-5678",
    "(광고) 세일\n무료수신거부: 080-123-4567",
    "(광고) 세일\n무료수신거부:080 123 4567",
    "(광고) 세일\r\n무료수신거부 08012345678\r\n",
    "(광고) 세일\n\n  무료거부 080-123-4567  \n\n",
    "(광고) 세일\n알리미 고객센터 02-123-4567 무료수신거부 080-123-4567",
    "(광고) 세일 무료수신거부 080-123-4567",
  ])("accepts %j", (text) => {
    expect(checkAdvertisingText(text)).toEqual([]);
  });

  it.each([
    [" (광고) 세일\n무료수신거부 080-123-4567", [PREFIX_MISSING]],
    ["(광 고) 세일\n무료수신거부 080-123-4567", [PREFIX_MISSING]],
    ["[광고] 세일\n무료수신거부 080-123-4567", [PREFIX_MISSING]],
    ["(광.고) 세일\n무료수신거부 080-123-4567", [PREFIX_MISSING]],
    ["(대출광고) 세일\n무료수신거부 080-123-4567", [PREFIX_MISSING]],
    ["세일 (광고)\n무료수신거부 080-123-4567", [PREFIX_MISSING]],
    ["(광고) 세일", [OPT_OUT_MISSING]],
    ["(광고) 세일\n무료수신거부 080-123-4567\n감사합니다", [OPT_OUT_MISSING]],
    ["(광고) 세일\n수신거부 080-123-4567", [OPT_OUT_MISSING]],
    ["(광고) 세일\n무료수신거부 02-123-4567", [OPT_OUT_MISSING]],
    ["(광고) 세일\n무료수신거부 080-12-4567", [OPT_OUT_MISSING]],
    ["(광고) 세일\n무료수신거부 080-123-45678", [OPT_OUT_MISSING]],
    ["", [PREFIX_MISSING, OPT_OUT_MISSING]],
  ])("rejects %j", (text, errors) => {
    expect(checkAdvertisingText(text)).toEqual(errors);
  });

  it("uses the given path", () => {
    expect(checkAdvertisingText("세일", "/fallback/text").map((error) => error.path)).toEqual([
      "/fallback/text",
      "/fallback/text",
    ]);
  });
});

describe("isNightTimeKst", () => {
  it.each([
    ["2026-03-02T20:59:59.999+09:00", false],
    ["2026-03-02T21:00:00+09:00", true],
    ["2026-03-02T23:59:59+09:00", true],
    ["2026-03-03T00:00:00+09:00", true],
    ["2026-03-03T07:59:59.999+09:00", true],
    ["2026-03-03T08:00:00+09:00", false],
    ["2026-03-03T12:00:00+09:00", false],
    ["2026-03-02T12:00:00Z", true],
    ["2026-03-02T23:00:00Z", false],
    ["1969-12-31T23:30:00Z", false],
    ["1969-12-31T22:00:00Z", true],
    ["1969-12-31T13:00:00Z", true],
  ])("%s → %s", (iso, night) => {
    expect(isNightTimeKst(new Date(iso))).toBe(night);
  });

  it("throws on an invalid date, which is a bug in the caller", () => {
    expect(() => isNightTimeKst(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("nextMorningKst", () => {
  it.each([
    ["2026-03-02T21:30:00+09:00", "2026-03-02T23:00:00.000Z"],
    ["2026-03-03T02:00:00+09:00", "2026-03-02T23:00:00.000Z"],
    ["2026-03-03T08:00:00+09:00", "2026-03-02T23:00:00.000Z"],
    ["2026-03-03T08:00:00.001+09:00", "2026-03-03T23:00:00.000Z"],
    ["2026-03-03T12:00:00+09:00", "2026-03-03T23:00:00.000Z"],
    ["2026-12-31T22:00:00+09:00", "2026-12-31T23:00:00.000Z"],
    ["2024-02-28T23:00:00+09:00", "2024-02-28T23:00:00.000Z"],
    ["1969-12-31T22:00:00Z", "1969-12-31T23:00:00.000Z"],
  ])("%s → %s", (iso, expected) => {
    expect(nextMorningKst(new Date(iso)).toISOString()).toBe(expected);
  });
});

describe("the night in an organization's time zone", () => {
  it.each([
    ["2026-12-02T20:59:59+09:00", "Asia/Seoul", false],
    ["2026-12-02T21:00:00+09:00", "Asia/Seoul", true],
    ["2026-12-03T07:59:59+09:00", "Asia/Seoul", true],
    ["2026-12-03T08:00:00+09:00", "Asia/Seoul", false],
    // 21:30 in Seoul is 13:30 in Berlin: daytime there.
    ["2026-12-02T21:30:00+09:00", "Europe/Berlin", false],
    ["2026-12-02T21:30:00+01:00", "Europe/Berlin", true],
    // New York in summer time (UTC−4) and in winter (UTC−5).
    ["2026-07-01T07:30:00-04:00", "America/New_York", true],
    ["2026-07-01T08:00:00-04:00", "America/New_York", false],
  ])("%s in %s is night: %s", (at, zone, night) => {
    expect(isNightTime(new Date(at), zone)).toBe(night);
  });

  it.each([
    ["2026-12-02T22:00:00+09:00", "Asia/Seoul", "2026-12-02T23:00:00.000Z"],
    ["2026-12-03T03:00:00+09:00", "Asia/Seoul", "2026-12-02T23:00:00.000Z"],
    ["2026-12-03T08:00:00+09:00", "Asia/Seoul", "2026-12-02T23:00:00.000Z"],
    // The last day of a month rolls into the next.
    ["2026-12-31T23:00:00+09:00", "Asia/Seoul", "2026-12-31T23:00:00.000Z"],
    // Across New York's spring change (2026-03-08): 08:00 EDT is 12:00 UTC.
    ["2026-03-07T23:00:00-05:00", "America/New_York", "2026-03-08T12:00:00.000Z"],
    // And its autumn one (2026-11-01): 08:00 EST is 13:00 UTC.
    ["2026-10-31T23:00:00-04:00", "America/New_York", "2026-11-01T13:00:00.000Z"],
  ])("after %s in %s the morning is %s", (at, zone, morning) => {
    expect(nextMorning(new Date(at), zone).toISOString()).toBe(morning);
  });

  it("agrees with the Asia/Seoul functions", () => {
    for (let h = 0; h < 48; h++) {
      const at = new Date(Date.UTC(2026, 11, 1, h, 17));
      expect(isNightTime(at, "Asia/Seoul")).toBe(isNightTimeKst(at));
      expect(nextMorning(at, "Asia/Seoul")).toEqual(nextMorningKst(at));
    }
  });
});
