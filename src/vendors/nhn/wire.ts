// NHN Cloud Notification's JSON, as documented: SMS API v3.0 and KakaoTalk
// Bizmessage Alimtalk API v2.3 (TOAST-DOCS/SMS ko/api-guide.md, ko/webhook.md;
// TOAST-DOCS/Alimtalk ko/alimtalk-api-guide.md, ko/webhook-api-guide.md).
// Shared by our client, the webhook parser and the fake server. Pure.
//
//   POST {sms}/sms/v3.0/appKeys/{appKey}/sender/sms       SMS
//   POST {sms}/sms/v3.0/appKeys/{appKey}/sender/mms       LMS/MMS (title + body)
//   GET  {sms}/sms/v3.0/appKeys/{appKey}/sender/{sms|mms}?requestId=|startCreateDate=…
//   POST {kakao}/alimtalk/v2.3/appkeys/{appkey}/raw-messages   rendered content
//   GET  {kakao}/alimtalk/v2.3/appkeys/{appkey}/messages?requestId=|startCreateDate=…
//   GET  {kakao}/alimtalk/v2.3/appkeys/{appkey}/messages/{requestId}/{recipientSeq}
// Every call: X-Secret-Key header, Content-Type application/json;charset=UTF-8.
// Every answer: { header: { isSuccessful, resultCode, resultMessage }, … }.

/** recipientList holds at most 1,000 recipients on every send endpoint (SMS error −2016). */
export const NHN_MAX_RECIPIENTS = 1000;

export const SMS_API_PREFIX = "/sms/v3.0/appKeys";
export const ALIMTALK_API_PREFIX = "/alimtalk/v2.3/appkeys";
export const JSON_CONTENT_TYPE = "application/json;charset=UTF-8";
export const SECRET_KEY_HEADER = "X-Secret-Key";
export const WEBHOOK_SIGNATURE_HEADER = "x-toast-webhook-signature";

export type NhnProduct = "sms" | "alimtalk";
/** The SMS product's send endpoints: `sms` for SMS, `mms` for LMS and MMS. */
export type SmsEndpoint = "sms" | "mms";

export interface NhnHeader {
  isSuccessful: boolean;
  resultCode: number;
  resultMessage: string;
}

export interface SmsRecipient {
  /** National digits ("01012345678"); countryCode defaults to 82. */
  recipientNo?: string;
  /** Country code and number without "+" ("12025550123"), SMS only. */
  internationalRecipientNo?: string;
  recipientGroupingKey: string;
}

/** One body and one sender for every recipient of the request. */
export interface SmsSendBody {
  body: string;
  sendNo: string;
  /** LMS/MMS only (required there). */
  title?: string;
  /** MMS only: the ids /attachfile/binaryUpload answered (without them /sender/mms sends an LMS). */
  attachFileIdList?: number[];
  senderGroupingKey: string;
  recipientList: SmsRecipient[];
}

/** POST {sms root}/attachfile/binaryUpload → body.data.fileId (an Integer). */
export const ATTACH_UPLOAD_PATH = "/attachfile/binaryUpload";

export interface AttachUploadBody {
  /** At most 45 characters, extension jpg or jpeg in lower case. */
  fileName: string;
  /** The file's bytes in base64; at most 300 KB. */
  fileBody: string;
  /** Required: who uploaded it (at most 100 characters). */
  createUser: string;
}

/** NHN's MMS image rules ("첨부 이미지 제한 사항"): jpg/jpeg, ≤ 3, ≤ 300 KB each, ≤ 800 KB together. */
export const NHN_MMS_IMAGE_LIMITS = {
  count: 3,
  bytes: 300 * 1024,
  totalBytes: 800 * 1024,
} as const;

export interface AlimtalkWireButton {
  ordering: number;
  type: string;
  name: string;
  linkMo?: string;
  linkPc?: string;
  schemeIos?: string;
  schemeAndroid?: string;
}

export interface ResendParameter {
  isResend: boolean;
  resendType?: "SMS" | "LMS";
  resendContent?: string;
  resendTitle?: string;
  resendSendNo?: string;
}

export interface AlimtalkRecipient {
  recipientNo: string;
  /** The rendered message; it must equal the approved template with its variables filled. */
  content: string;
  buttons?: AlimtalkWireButton[];
  resendParameter: ResendParameter;
  recipientGroupingKey: string;
}

/** One sender key and one template for every recipient of the request. */
export interface AlimtalkSendBody {
  senderKey: string;
  templateCode: string;
  senderGroupingKey: string;
  recipientList: AlimtalkRecipient[];
}

/** One recipient of a send answer (SMS `sendResultList[]`, Alimtalk `sendResults[]`). */
export interface WireSendResult {
  recipientSeq: number;
  recipientNo: string;
  /** 0 when accepted; otherwise an API result code (negative). */
  resultCode: number;
  resultMessage: string;
  recipientGroupingKey: string | null;
}

/** The POST NHN makes to the URL set in its console ("webhook 설정"). */
export interface WireHookEnvelope {
  hooksId: string;
  webhookConfigId: string;
  productName: string;
  appKey: string;
  event: string;
  hooks: Record<string, unknown>[];
}

export const MESSAGE_RESULT_UPDATE = "MESSAGE_RESULT_UPDATE";

// Our senderGroupingKey on every request. It marks a report as ours (NHN posts
// every message of the appKey, including those other systems send), and for
// Alimtalk it says whether NHN sends a fallback and of which type, which the
// Alimtalk webhook does not otherwise tell (its hooks carry no resend fields).
export const TEXT_GROUPING_KEY = "alimi:text";
const ALIMTALK_GROUPING = /^alimi:at:(none|sms|lms)$/;

export function alimtalkGroupingKey(fallback: "sms" | "lms" | null): string {
  return `alimi:at:${fallback ?? "none"}`;
}

/** Which fallback an Alimtalk request asked NHN for, by its grouping key; undefined when not ours. */
export function fallbackOfGroupingKey(key: string | null): "sms" | "lms" | null | undefined {
  const match = key === null ? null : ALIMTALK_GROUPING.exec(key);
  if (!match) return undefined;
  return match[1] === "none" ? null : (match[1] as "sms" | "lms");
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A non-empty string, else null. */
export function stringOf(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** An integer given as a number or as digits (the docs show both), else null. */
export function integerOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d{1,15}$/.test(value)) return Number(value);
  return null;
}

/** The `header` of any NHN answer, or null when the body has none. */
export function headerOf(body: unknown): NhnHeader | null {
  if (!isObject(body) || !isObject(body.header)) return null;
  const { isSuccessful, resultCode, resultMessage } = body.header;
  const code = integerOf(resultCode);
  if (typeof isSuccessful !== "boolean" || code === null) return null;
  return {
    isSuccessful,
    resultCode: code,
    resultMessage: typeof resultMessage === "string" ? resultMessage : "",
  };
}

/** The per-recipient results of a send answer, or null when the answer has none. */
export function sendResultsOf(
  product: NhnProduct,
  body: unknown,
): { requestId: string; results: WireSendResult[] } | null {
  const data =
    product === "sms"
      ? isObject(body) && isObject(body.body) && isObject(body.body.data)
        ? body.body.data
        : null
      : isObject(body) && isObject(body.message)
        ? body.message
        : null;
  const list = data === null ? null : product === "sms" ? data.sendResultList : data.sendResults;
  const requestId = data === null ? null : stringOf(data.requestId);
  if (requestId === null || !Array.isArray(list)) return null;
  const results: WireSendResult[] = [];
  for (const item of list) {
    if (!isObject(item)) continue;
    const recipientSeq = integerOf(item.recipientSeq);
    const resultCode = integerOf(item.resultCode);
    if (recipientSeq === null || resultCode === null) continue;
    results.push({
      recipientSeq,
      recipientNo: typeof item.recipientNo === "string" ? item.recipientNo : "",
      resultCode,
      resultMessage: typeof item.resultMessage === "string" ? item.resultMessage : "",
      recipientGroupingKey: stringOf(item.recipientGroupingKey),
    });
  }
  return { requestId, results };
}
