// Aligo's HTTP APIs as we use them: paths, limits and lenient readers for the
// JSON it answers. Shared by the client and the fake server. Pure.
//
// Both APIs are form-encoded POSTs authenticated by parameters (no header),
// and both answer HTTP 200 with success or failure in the body
// (reference/vendors.md §3):
//
//   SMS   https://apis.aligo.in             key + user_id     result_code "1" = success
//     POST /send_mass/   rec_N, msg_N (N ≤ 500), cnt, msg_type, title, sender
//       { result_code, message, msg_id, success_cnt, error_cnt, msg_type }
//     POST /sms_list/    mid, page, page_size  → { result_code, message, list[], next_yn }
//     POST /remain/      → { result_code, message, SMS_CNT, LMS_CNT, MMS_CNT }
//   Kakao https://kakaoapi.aligo.in/akv10   apikey + userid (+ token)   code 0 = success
//     POST /akv10/token/create/{n}/{unit}/  → { code, message, token, urlencode }
//     POST /akv10/alimtalk/send/  senderkey, tpl_code, sender, receiver_N, subject_N,
//          message_N, button_N, failover, fsubject_N, fmessage_N (N ≤ 500)
//       { code, message, info: { type, mid, current, unit, total, scnt, fcnt } }
//     POST /akv10/history/detail/  mid, page, limit (50–500)
//       { code, message, list[], currentPage, totalPage, totalCount }
//
// Types are loose on purpose: Aligo sends `result_code`, `mid` and the page
// counters sometimes as strings and sometimes as numbers.

export const ALIGO_SMS_BASE_URL = "https://apis.aligo.in";
export const ALIGO_KAKAO_BASE_URL = "https://kakaoapi.aligo.in";

/** `/send_mass/` carries at most 500 receivers, each with its own text. */
export const ALIGO_SMS_MAX_BATCH = 500;
/** `/akv10/alimtalk/send/` numbers its receivers `_1` … `_500`. */
export const ALIGO_KAKAO_MAX_BATCH = 500;
/** `/send/`: "최대 1천명" receivers, comma-separated; our batches are at most 500 anyway. */
export const ALIGO_SEND_MAX_RECEIVERS = 1_000;
/** `image1`..`image3` on `/send/` (smsapi.html; `image` is the same as `image1`). */
export const ALIGO_MAX_IMAGES = 3;
/** Page sizes asked of the result endpoints (history/detail takes 50–500). */
export const ALIGO_RESULT_PAGE_SIZE = 500;
/** A bound on paging, so a vendor that always says "more" cannot loop us. */
export const ALIGO_MAX_RESULT_PAGES = 100;

export const SMS_PATHS = {
  /** One text to many receivers; the only SMS-API send that takes images (multipart image1..3). */
  send: "/send/",
  sendMass: "/send_mass/",
  smsList: "/sms_list/",
  remain: "/remain/",
} as const;

export const KAKAO_PATHS = {
  tokenCreate: (seconds: number) => `/akv10/token/create/${seconds}/s/`,
  alimtalkSend: "/akv10/alimtalk/send/",
  historyDetail: "/akv10/history/detail/",
} as const;

/** One receiver of `/sms_list/` (fields as captured from Aligo; UNCONFIRMED beyond these). */
export interface SmsListItem {
  mdid?: string;
  type?: string;
  sender?: string;
  receiver?: string;
  sms_state?: string;
  reg_date?: string;
  send_date?: string;
  reserve_date?: string;
}

/** One receiver of `/akv10/history/detail/`. */
export interface KakaoDetailItem {
  /** Starts with "Q" while Aligo is still trying (up to 24 h). */
  msgid?: string;
  type?: string;
  sender?: string;
  phone?: string;
  /** 2: a number format Kakao cannot read; 3: one it can. */
  status?: string | number;
  reqdate?: string;
  sentdate?: string;
  rsltdate?: string;
  reportdate?: string;
  rslt?: string;
  rslt_message?: string;
  /** The mid of the fallback SMS/LMS Aligo sent, "0" when none. */
  smid?: string | number;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A string or number field as a trimmed string, else null. */
export function textOf(value: unknown): string | null {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/** A string or number field as an integer, else null. */
export function intOf(value: unknown): number | null {
  const text = textOf(value);
  if (text === null || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}

/** The SMS API's success test: `result_code` 1, as a string or a number. */
export const isSmsSuccess = (body: Record<string, unknown>): boolean =>
  intOf(body.result_code) === 1;

/** The Kakao API's success test: `code` 0, as a number or a string. */
export const isKakaoSuccess = (body: Record<string, unknown>): boolean => intOf(body.code) === 0;

/** Digits only: Aligo may format numbers with hyphens in its lists. */
export const digitsOf = (phone: string): string => phone.replace(/\D/g, "");

/**
 * Aligo's dates ("2026-03-29 02:54:45") are Korean time without a zone.
 * Null when absent, zeroed or malformed.
 */
export function parseAligoDate(value: unknown): Date | null {
  const text = textOf(value);
  const match =
    text === null ? null : /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (match === null || match[1] === "0000") return null;
  const date = new Date(
    `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}+09:00`,
  );
  return Number.isNaN(date.getTime()) ? null : date;
}

export { parseJson } from "../http.ts";
