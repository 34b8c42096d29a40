import { describe, expect, it } from "vitest";
import {
  formatKoreanNumber,
  matchKoreanMobile,
  normalizePhone,
  normalizePhoneSlow,
  normalizeSenderNumber,
} from "./phone.ts";

describe("normalizePhone", () => {
  it.each([
    ["010-1234-5678", "+821012345678"],
    ["01012345678", "+821012345678"],
    ["010 1234 5678", "+821012345678"],
    ["010 1234-5678", "+821012345678"],
    ["010.1234.5678", "+821012345678"],
    ["(010) 1234-5678", "+821012345678"],
    [" 010-1234-5678 ", "+821012345678"],
    ["+82 10-1234-5678", "+821012345678"],
    ["+821012345678", "+821012345678"],
    ["+82-10-1234-5678", "+821012345678"],
    ["+82 010 1234 5678", "+821012345678"],
    ["+82 (0)10 1234 5678", "+821012345678"],
    // Decided: a leading 82 without "+" is the country code (no Korean national number starts with 8).
    ["82-10-1234-5678", "+821012345678"],
    ["821012345678", "+821012345678"],
    ["011-234-5678", "+82112345678"],
    ["011-1234-5678", "+821112345678"],
    ["016-123-4567", "+82161234567"],
    ["017-123-4567", "+82171234567"],
    ["018-123-4567", "+82181234567"],
    ["019-9999-9999", "+821999999999"],
    // Sandbox magic numbers (DESIGN §6): libphonenumber rates them valid KR MOBILE numbers too.
    ["010-0000-0000", "+821000000000"],
    ["010-0000-0001", "+821000000001"],
    ["010-0000-0002", "+821000000002"],
    ["010-0000-0003", "+821000000003"],
    ["010-0000-0004", "+821000000004"],
    ["010-0000-0005", "+821000000005"],
    ["+447400123456", "+447400123456"],
    ["+1 415 555 2671", "+14155552671"],
    ["+86 138 1234 5678", "+8613812345678"],
    ["+81 90-1234-5678", "+819012345678"],
  ])("accepts %j as %s", (input, e164) => {
    expect(normalizePhone(input)).toEqual({ ok: true, e164 });
  });

  it.each([
    ["", "is not a valid phone number"],
    ["010-12", "is not a valid phone number"],
    ["010-12345-6789", "is not a valid phone number"],
    ["abc", "is not a valid phone number"],
    ["call 010-1234-5678", "is not a valid phone number"],
    ["010-1234-5678 ext 1", "is not a valid phone number"],
    ["010-1234-5678a", "is not a valid phone number"],
    ["010+1234+5678", "is not a valid phone number"],
    ["013-1234-5678", "is not a valid phone number"],
    [
      "012-1234-5678",
      "is a Korean machine-to-machine (012) number; recipients must be mobile numbers (010, 011, 016–019)",
    ],
    ["015-1234-5678", "is a Korean pager number"],
    ["02-1234-5678", "is a Korean landline number"],
    ["031-123-4567", "is a Korean landline number"],
    ["070-1234-5678", "is a Korean internet phone (VoIP) number"],
    ["0505-123-4567", "is a Korean personal (050) number"],
    ["1588-1234", "is a Korean representative (UAN) number"],
    ["+44 20 7946 0958", "is a landline number; recipients must be mobile numbers."],
  ])("rejects %j (%s)", (input, fragment) => {
    const result = normalizePhone(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe("INVALID_PHONE");
      expect(result.message).toContain(fragment);
    }
  });

  it("uses the given default region for national numbers", () => {
    expect(normalizePhone("090-1234-5678", "JP")).toEqual({ ok: true, e164: "+819012345678" });
    expect(normalizePhone("010-1234-5678", "JP").ok).toBe(false);
  });
});

describe("the fast path agrees with libphonenumber", () => {
  const realistic = [
    "010-1234-5678",
    "01012345678",
    "010 9876 5432",
    "010-2000-0000",
    "010-9999-9999",
    "010-0123-4567",
    "010-5555-0000",
    "010-3141-5926",
    "+82 10-1234-5678",
    "+821012345678",
    "+82-10-8765-4321",
    "010-0000-0001",
  ];
  it.each(realistic)("%s", (input) => {
    const fast = normalizePhone(input);
    expect(fast).toEqual(normalizePhoneSlow(input));
    expect(fast.ok).toBe(true);
  });

  it("on a sweep of 010 middle and last blocks", () => {
    const disagreements: string[] = [];
    for (let block = 0; block <= 9999; block += 97) {
      const middle = String(block).padStart(4, "0");
      const last = String(9999 - block).padStart(4, "0");
      const input = `010-${middle}-${last}`;
      const slow = normalizePhoneSlow(input);
      if (!slow.ok || slow.e164 !== `+8210${middle}${last}`) disagreements.push(input);
    }
    expect(disagreements).toEqual([]);
  });
});

describe("matchKoreanMobile", () => {
  it.each([
    ["010-1234-5678", "+821012345678"],
    ["01012345678", "+821012345678"],
    ["010 1234 5678", "+821012345678"],
    ["010-1234 5678", "+821012345678"],
    ["+82 10 1234 5678", "+821012345678"],
    ["+82-10-1234-5678", "+821012345678"],
    ["+821012345678", "+821012345678"],
    ["010-0000-0001", "+821000000001"],
    // everything else is left to libphonenumber
    ["010.1234.5678", null],
    ["010--1234-5678", null],
    [" 010-1234-5678", null],
    ["011-1234-5678", null],
    ["010-123-4567", null],
    ["+82 010 1234 5678", null],
    ["010-1234-56789", null],
  ])("%j → %s", (input, e164) => {
    expect(matchKoreanMobile(input)).toBe(e164);
  });
});

describe("normalizeSenderNumber", () => {
  it.each([
    ["02-1234-5678", "0212345678"],
    ["02-123-4567", "021234567"],
    ["(02) 1234-5678", "0212345678"],
    ["031-123-4567", "0311234567"],
    ["064-1234-5678", "06412345678"],
    ["010-1234-5678", "01012345678"],
    ["011-123-4567", "0111234567"],
    ["070-1234-5678", "07012345678"],
    ["080-123-4567", "0801234567"],
    ["0505-123-4567", "05051234567"],
    ["0303-1234-5678", "030312345678"],
    ["1544-1234", "15441234"],
    ["1600 1234", "16001234"],
    ["1800.1234", "18001234"],
    ["+82 2-1234-5678", "0212345678"],
    ["+82 10 1234 5678", "01012345678"],
  ])("accepts %j as %s", (input, number) => {
    expect(normalizeSenderNumber(input)).toEqual({ ok: true, number });
  });

  it.each([
    ["", "Caller number is empty."],
    [" - ", "Caller number is empty."],
    ["02-1234-567a", "must contain only digits"],
    ["1234-5678", "is a special number"],
    ["112", "is a special number"],
    ["119", "is a special number"],
    ["1588-12345", "has 9 digits; a representative number has 8 digits"],
    ["1544-123", "has 7 digits; a representative number has 8 digits"],
    ["1234-567", "is a special number"],
    ["234-5678", "landlines need their area code"],
    ["0912345678", "landlines need their area code"],
    ["034-123-4567", "landlines need their area code"],
    ["012-1234-5678", "landlines need their area code"],
    ["02-12-3456", "has 8 digits; a Seoul landline number has 9–10 digits"],
    ["02-12345-67890", "has 12 digits; a Seoul landline number has 9–10 digits"],
    ["010-1234-56789", "has 12 digits; a mobile number has 10–11 digits"],
    ["0303-1234-56789", "has 13 digits; a 030 number has 10–12 digits"],
    ["0505-1234-5678", "has 12 digits; a 050 personal number has 11 digits"],
  ])("rejects %j (%s)", (input, fragment) => {
    const result = normalizeSenderNumber(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe("INVALID_SENDER");
      expect(result.message).toContain(fragment);
    }
  });
});

describe("formatKoreanNumber", () => {
  it.each([
    ["0212345678", "02-1234-5678"],
    ["021234567", "02-123-4567"],
    ["01012345678", "010-1234-5678"],
    ["0111234567", "011-123-4567"],
    ["0311234567", "031-123-4567"],
    ["07012345678", "070-1234-5678"],
    ["15441234", "1544-1234"],
    ["05051234567", "0505-123-4567"],
    ["030312345678", "0303-1234-5678"],
    ["+821012345678", "010-1234-5678"],
    ["+82212345678", "02-1234-5678"],
    ["112", "112"],
    ["12345", "12345"],
    ["010-1234-5678", "010-1234-5678"],
    ["", ""],
  ])("formats %j as %j", (digits, display) => {
    expect(formatKoreanNumber(digits)).toBe(display);
  });
});
