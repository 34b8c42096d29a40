import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { intOf, isKakaoSuccess, isSmsSuccess, parseAligoDate, textOf } from "./wire.ts";

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(
      new URL(`../../../test/support/vendors/aligo/fixtures/${name}`, import.meta.url),
      "utf8",
    ),
  );

describe("reading Aligo's answers (fixtures)", () => {
  it("tells success by result_code 1 on the SMS API, as a string or a number", () => {
    const send = fixture("sms-send-mass.json");
    expect(isSmsSuccess(send)).toBe(true);
    expect([textOf(send.msg_id), intOf(send.success_cnt), intOf(send.error_cnt)]).toEqual([
      "583009869",
      2,
      0,
    ]);
    const remain = fixture("sms-remain.json");
    expect(isSmsSuccess(remain)).toBe(true);
    expect(intOf(remain.SMS_CNT)).toBe(5555);
    expect(isSmsSuccess({ result_code: "-101" })).toBe(false);
    expect(isSmsSuccess({ result_code: "1.5" })).toBe(false);
    expect(isSmsSuccess({})).toBe(false);
  });

  it("tells success by code 0 on the Kakao API", () => {
    const send = fixture("kakao-alimtalk-send.json");
    expect(isKakaoSuccess(send)).toBe(true);
    const info = send.info as Record<string, unknown>;
    expect([textOf(info.mid), intOf(info.scnt), intOf(info.fcnt)]).toEqual(["336962435", 1, 0]);
    const token = fixture("kakao-token.json");
    expect(isKakaoSuccess(token)).toBe(true);
    expect(textOf(token.token)).toBe("3f1c9a0b7e2d4c6a8b0e1f2a3b4c5d6e");
    expect(isKakaoSuccess({ code: -99 })).toBe(false);
    expect(isKakaoSuccess({ code: "0" })).toBe(true);
    expect(isKakaoSuccess({})).toBe(false);
  });

  it("finds no success among the failure fixtures", () => {
    const failures = JSON.parse(
      readFileSync(
        new URL("../../../test/support/vendors/aligo/fixtures/failures.json", import.meta.url),
        "utf8",
      ),
    ) as { body: Record<string, unknown> }[];
    expect(failures.filter((f) => isSmsSuccess(f.body) || isKakaoSuccess(f.body))).toEqual([]);
  });
});

describe("parseAligoDate", () => {
  it("reads Aligo's dates as Korean time", () => {
    expect(parseAligoDate("2026-03-29 02:54:45")?.toISOString()).toBe("2026-03-28T17:54:45.000Z");
  });

  it.each(["", "0000-00-00 00:00:00", "2026-03-29", "20260329025445", null, 17])(
    "has no date for %j",
    (value) => {
      expect(parseAligoDate(value)).toBeNull();
    },
  );
});
