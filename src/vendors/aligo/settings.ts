// An Aligo account's settings and credentials, read once per call. Pure.
//
// Credentials (secret): `apiKey` (Aligo's API key: `key` on the SMS API,
// `apikey` on the Kakao API) and `userId` (the account id: `user_id`/`userid`).
//
// Several facts are UNCONFIRMED in reference/vendors.md §3; each is a setting
// with a default, so an account can be corrected without a release:
//   kakaoUseToken          whether akv10 calls carry a token made by
//                          /akv10/token/create/ (older samples do, the newest
//                          spec copy does not; default true, the reference says "send it")
//   kakaoTokenTtlSeconds   the lifetime we ask for that token (default 3600)
//   kakaoButtonKeys        "short" (linkM/linkP/linkI/linkA, as in the reference and
//                          the template API) or "long" (linkMo/linkPc/linkIos/linkAnd,
//                          as in one send example); default "short"
//   kakaoDeliveredCodes    `rslt` values of history/detail meaning delivered
//                          (default "0", "00", "0000" and Kakao's "1000")
//   smsDeliveredStates     `sms_state` texts of /sms_list/ meaning delivered
//                          (exact match; default "발송완료", "전송완료", "성공")
//   smsPendingStates       `sms_state` fragments meaning "not final yet"
//                          (substring match; default 대기, 전송중, 발송중, 예약, 처리중)
import type { VendorAccount, VendorError } from "../vendor.ts";
import { ALIGO_KAKAO_BASE_URL, ALIGO_SMS_BASE_URL } from "./wire.ts";

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export interface AligoSettings {
  smsBaseUrl: string;
  kakaoBaseUrl: string;
  /** The Kakao channel's sender (profile) key: `senderkey`; null when the account sends no Alimtalk. */
  senderKey: string | null;
  /** The caller number for Alimtalk messages that come without one (Aligo requires `sender`). */
  defaultSender: string | null;
  timeoutMs: number;
  nativeFallback: boolean;
  /** Aligo's test modes (`testmode_yn=Y`, `testMode=Y`): accepted, never delivered. */
  testMode: boolean;
  kakaoUseToken: boolean;
  kakaoTokenTtlSeconds: number;
  kakaoButtonKeys: "short" | "long";
  kakaoDeliveredCodes: readonly string[];
  smsDeliveredStates: readonly string[];
  smsPendingStates: readonly string[];
}

export interface AligoCredentials {
  apiKey: string;
  userId: string;
}

export const DEFAULT_KAKAO_DELIVERED_CODES: readonly string[] = ["0", "00", "0000", "1000"];
export const DEFAULT_SMS_DELIVERED_STATES: readonly string[] = ["발송완료", "전송완료", "성공"];
export const DEFAULT_SMS_PENDING_STATES: readonly string[] = [
  "대기",
  "전송중",
  "발송중",
  "예약",
  "처리중",
];

export type Config =
  | { ok: true; settings: AligoSettings; credentials: AligoCredentials }
  | { ok: false; error: VendorError };

/** The account's settings with defaults, or why it cannot be used. */
export function configOf(account: Pick<VendorAccount, "settings" | "credentials">): Config {
  const s = account.settings;
  const smsBaseUrl = baseUrlOf(s.smsBaseUrl, ALIGO_SMS_BASE_URL);
  const kakaoBaseUrl = baseUrlOf(s.kakaoBaseUrl, ALIGO_KAKAO_BASE_URL)?.replace(/\/akv10$/, "");
  if (smsBaseUrl === null) return settingError("smsBaseUrl", "is not an http(s) URL");
  if (!kakaoBaseUrl) return settingError("kakaoBaseUrl", "is not an http(s) URL");

  const { apiKey, userId } = account.credentials;
  if (typeof apiKey !== "string" || apiKey === "" || typeof userId !== "string" || userId === "") {
    return {
      ok: false,
      error: {
        code: "AUTH_FAILED",
        rawCode: "credentials",
        message: "the Aligo account needs the credentials apiKey and userId",
      },
    };
  }
  return {
    ok: true,
    credentials: { apiKey, userId },
    settings: {
      smsBaseUrl,
      kakaoBaseUrl,
      senderKey: nonEmpty(s.senderKey),
      defaultSender: nonEmpty(s.defaultSender),
      timeoutMs: positive(s.timeoutMs) ?? DEFAULT_TIMEOUT_MS,
      nativeFallback: s.nativeFallback === true,
      testMode: s.testMode === true,
      kakaoUseToken: s.kakaoUseToken !== false,
      kakaoTokenTtlSeconds: Math.floor(
        positive(s.kakaoTokenTtlSeconds) ?? DEFAULT_TOKEN_TTL_SECONDS,
      ),
      kakaoButtonKeys: s.kakaoButtonKeys === "long" ? "long" : "short",
      kakaoDeliveredCodes: stringsOf(s.kakaoDeliveredCodes) ?? DEFAULT_KAKAO_DELIVERED_CODES,
      smsDeliveredStates: stringsOf(s.smsDeliveredStates) ?? DEFAULT_SMS_DELIVERED_STATES,
      smsPendingStates: stringsOf(s.smsPendingStates) ?? DEFAULT_SMS_PENDING_STATES,
    },
  };
}

function baseUrlOf(value: unknown, fallback: string): string | null {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value !== "string") return null;
  const url = URL.parse(value);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) return null;
  return value.replace(/\/+$/, "");
}

function settingError(key: string, problem: string): Config {
  return {
    ok: false,
    error: {
      code: "UNKNOWN",
      rawCode: `settings.${key}`,
      message: `the Aligo account's ${key} ${problem}`,
    },
  };
}

const nonEmpty = (value: unknown): string | null =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : null;

const positive = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;

function stringsOf(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  return value.every((v) => typeof v === "string") ? (value as string[]) : null;
}
