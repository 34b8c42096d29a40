import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";

export type NormalizePhoneResult =
  | { ok: true; e164: string }
  | { ok: false; code: "INVALID_PHONE"; message: string };

export type NormalizeSenderResult =
  | { ok: true; number: string }
  | { ok: false; code: "INVALID_SENDER"; message: string };

// The overwhelmingly common recipient: 010 + 8 digits, with optional hyphens or spaces.
// libphonenumber-js 1.13 (max metadata) rates every such number a valid KR MOBILE,
// including the sandbox's magic 010-0000-0000 … 010-0000-0005, so the fast path is exact.
const KR_MOBILE_FAST = /^(?:010|\+82[ -]?10)[ -]?(\d{4})[ -]?(\d{4})$/;

const KR_PERSONAL_MOBILE = /^1[016-9]/;

// libphonenumber finds numbers inside free text ("call 010-…", "…ext 1"); a recipient field
// must be a number and nothing else.
const PHONE_CHARACTERS = /^\+?[\d\s().-]+$/;

// Outside Korea many plans cannot tell mobile from fixed (US, CA); both carry SMS.
const FOREIGN_TYPES = new Set(["MOBILE", "FIXED_LINE_OR_MOBILE"]);

/** Normalizes a recipient number to E.164; Korean numbers must be mobile numbers. */
export function normalizePhone(
  input: string,
  defaultRegion: CountryCode = "KR",
): NormalizePhoneResult {
  if (defaultRegion === "KR") {
    const e164 = matchKoreanMobile(input);
    if (e164 !== null) return { ok: true, e164 };
  }
  return normalizePhoneSlow(input, defaultRegion);
}

/** The fast path alone: the E.164 of a plain 010 number, or null to ask libphonenumber. */
export function matchKoreanMobile(input: string): string | null {
  const match = KR_MOBILE_FAST.exec(input);
  return match === null ? null : `+8210${match[1]}${match[2]}`;
}

/** The libphonenumber path of normalizePhone, exported so tests can compare it with the fast path. */
export function normalizePhoneSlow(
  input: string,
  defaultRegion: CountryCode = "KR",
): NormalizePhoneResult {
  const text = input.trim();
  if (!PHONE_CHARACTERS.test(text)) return invalidPhone(input);
  const parsed = parsePhoneNumberFromString(text, defaultRegion);
  if (parsed === undefined || !parsed.isValid()) return invalidPhone(input);
  const type = parsed.getType();
  if (parsed.country === "KR") {
    // 012 (M2M/IoT) is MOBILE to libphonenumber but no person's phone.
    if (type !== "MOBILE" || !KR_PERSONAL_MOBILE.test(parsed.nationalNumber)) {
      return {
        ok: false,
        code: "INVALID_PHONE",
        message: `"${input}" is a Korean ${type === "MOBILE" ? "machine-to-machine (012)" : describeType(type)} number; recipients must be mobile numbers (010, 011, 016–019).`,
      };
    }
  } else if (type === undefined || !FOREIGN_TYPES.has(type)) {
    return {
      ok: false,
      code: "INVALID_PHONE",
      message: `"${input}" is a ${describeType(type)} number; recipients must be mobile numbers.`,
    };
  }
  return { ok: true, e164: parsed.number };
}

function invalidPhone(input: string): NormalizePhoneResult {
  return {
    ok: false,
    code: "INVALID_PHONE",
    message: `"${input}" is not a valid phone number.`,
  };
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  FIXED_LINE: "landline",
  VOIP: "internet phone (VoIP)",
  PERSONAL_NUMBER: "personal (050)",
  UAN: "representative (UAN)",
  TOLL_FREE: "toll-free",
  PREMIUM_RATE: "premium-rate",
  SHARED_COST: "shared-cost",
  PAGER: "pager",
  VOICEMAIL: "voicemail",
};

function describeType(type: string | undefined): string {
  return (type !== undefined && TYPE_NAMES[type]) || "non-mobile";
}

// Caller-number shapes (발신번호, vendors.md §6.3): prefix and allowed total digit counts.
// 030 (UPT) numbers may have 12 digits; everything else stays within 8–11.
const SENDER_RULES: readonly { prefix: string; min: number; max: number; kind: string }[] = [
  { prefix: "030", min: 10, max: 12, kind: "030 number" },
  { prefix: "050", min: 11, max: 11, kind: "050 personal number" },
  { prefix: "060", min: 10, max: 11, kind: "060 number" },
  { prefix: "070", min: 10, max: 11, kind: "070 internet phone number" },
  { prefix: "080", min: 10, max: 11, kind: "080 toll-free number" },
  ...["010", "011", "016", "017", "018", "019"].map((prefix) => ({
    prefix,
    min: 10,
    max: 11,
    kind: "mobile number",
  })),
  ...["031", "032", "033", "041", "042", "043", "044"]
    .concat(["051", "052", "053", "054", "055", "061", "062", "063", "064"])
    .map((prefix) => ({ prefix, min: 10, max: 11, kind: "landline number" })),
  { prefix: "02", min: 9, max: 10, kind: "Seoul landline number" },
  ...["15", "16", "18"].map((prefix) => ({
    prefix,
    min: 8,
    max: 8,
    kind: "representative number",
  })),
];

const SENDER_SEPARATORS = /[\s().-]/g;
const DIGITS = /^\d+$/;

/** Validates a Korean caller number (발신번호) and returns its national digits ("0212345678"). */
export function normalizeSenderNumber(input: string): NormalizeSenderResult {
  let digits = input.replace(SENDER_SEPARATORS, "");
  if (digits.startsWith("+82")) digits = `0${digits.slice(3)}`;
  if (digits === "") return invalidSender("Caller number is empty.");
  if (!DIGITS.test(digits)) {
    return invalidSender(`"${input}" must contain only digits, spaces, hyphens or parentheses.`);
  }
  const rule = SENDER_RULES.find((candidate) => digits.startsWith(candidate.prefix));
  if (rule === undefined) {
    if (digits.startsWith("1")) {
      return invalidSender(
        `"${input}" is a special number (like 112, 114 or 119); only 8-digit representative numbers starting with 15, 16 or 18 can be caller numbers.`,
      );
    }
    return invalidSender(
      `"${input}" is not a Korean caller number; landlines need their area code (e.g. 02-1234-5678).`,
    );
  }
  if (digits.length < rule.min || digits.length > rule.max) {
    const expected =
      rule.min === rule.max ? `${rule.min} digits` : `${rule.min}–${rule.max} digits`;
    return invalidSender(`"${input}" has ${digits.length} digits; a ${rule.kind} has ${expected}.`);
  }
  return { ok: true, number: digits };
}

function invalidSender(message: string): NormalizeSenderResult {
  return { ok: false, code: "INVALID_SENDER", message };
}

/** Formats Korean national digits (or +82 E.164) with hyphens for display; other input is returned unchanged. */
export function formatKoreanNumber(digits: string): string {
  const national = digits.startsWith("+82") ? `0${digits.slice(3)}` : digits;
  if (!DIGITS.test(national)) return digits;
  const length = national.length;
  if (national.startsWith("02") && (length === 9 || length === 10)) {
    return joinGroups(national, 2, length - 6);
  }
  if (length === 8 && national.startsWith("1")) {
    return `${national.slice(0, 4)}-${national.slice(4)}`;
  }
  if (!national.startsWith("0")) return digits;
  // 050x and 030x numbers have a 4-digit prefix (0505-123-4567, 0303-1234-5678).
  const fourDigitPrefix = national.startsWith("050") || national.startsWith("030");
  const prefix = fourDigitPrefix && length >= 11 ? 4 : 3;
  if (length - prefix - 4 < 3 || length - prefix - 4 > 4) return digits;
  return joinGroups(national, prefix, length - prefix - 4);
}

function joinGroups(digits: string, first: number, second: number): string {
  return `${digits.slice(0, first)}-${digits.slice(first, first + second)}-${digits.slice(first + second)}`;
}
