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
import Type from "typebox";
import { httpUrlOf, parseSettings, urlSetting } from "../settings.ts";
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

const Strings = (defaults: readonly string[]) =>
  Type.Array(Type.String(), { minItems: 1, default: [...defaults] });

export const AligoSettingsSchema = Type.Object({
  smsBaseUrl: urlSetting(ALIGO_SMS_BASE_URL),
  kakaoBaseUrl: urlSetting(ALIGO_KAKAO_BASE_URL),
  senderKey: Type.Optional(Type.String()),
  defaultSender: Type.Optional(Type.String()),
  timeoutMs: Type.Number({ exclusiveMinimum: 0, default: DEFAULT_TIMEOUT_MS }),
  nativeFallback: Type.Boolean({ default: false }),
  testMode: Type.Boolean({ default: false }),
  kakaoUseToken: Type.Boolean({ default: true }),
  kakaoTokenTtlSeconds: Type.Number({ minimum: 1, default: DEFAULT_TOKEN_TTL_SECONDS }),
  kakaoButtonKeys: Type.Union([Type.Literal("short"), Type.Literal("long")], { default: "short" }),
  kakaoDeliveredCodes: Strings(DEFAULT_KAKAO_DELIVERED_CODES),
  smsDeliveredStates: Strings(DEFAULT_SMS_DELIVERED_STATES),
  smsPendingStates: Strings(DEFAULT_SMS_PENDING_STATES),
});

export type Config =
  | { ok: true; settings: AligoSettings; credentials: AligoCredentials }
  | { ok: false; error: VendorError };

/** The account's settings with defaults, or why it cannot be used. */
export function configOf(account: Pick<VendorAccount, "settings" | "credentials">): Config {
  const parsed = parseSettings("Aligo", AligoSettingsSchema, account.settings);
  if (!parsed.ok) return parsed;
  const s = parsed.settings;
  const smsBaseUrl = httpUrlOf(s.smsBaseUrl);
  const kakaoBaseUrl = httpUrlOf(s.kakaoBaseUrl)?.replace(/\/akv10$/, "");
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
      ...s,
      smsBaseUrl,
      kakaoBaseUrl,
      senderKey: nonEmpty(s.senderKey),
      defaultSender: nonEmpty(s.defaultSender),
      kakaoTokenTtlSeconds: Math.floor(s.kakaoTokenTtlSeconds),
    },
  };
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

const nonEmpty = (value: string | undefined): string | null =>
  value !== undefined && value.trim() !== "" ? value.trim() : null;
