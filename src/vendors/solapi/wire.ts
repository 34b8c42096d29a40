// SOLAPI's REST API v4 as JSON shapes, shared by our client and the fake
// server. Pure. Facts and their sources: /work/shared/reference/vendors.md §1.
//
//   POST /messages/v4/send-many/detail   { messages: WireMessage[] (≤ 10,000), allowDuplicates?, showMessageList? }
//     200 { groupInfo, failedMessageList: WireFailedMessage[], messageList?: WireMessageResult[] }
//   GET  /messages/v4/list?messageIds=…&limit=…&startKey=…
//     200 { startKey, nextKey, limit, messageList: { [messageId]: WireStoredMessage } }
//   GET  /cash/v1/balance                200 { balance, point, … }
//   POST /storage/v1/files               { file: base64, type: "MMS", name } → 200 { fileId, … }
//     (an MMS names its image by that fileId: `imageId`, one image per message)
//   Anything else: { errorCode, errorMessage } with a non-200 status (403 for auth).
//
// send-many/detail is the endpoint the official SDK's send() uses and the one
// the reference recommends for batches: per-message results in one answer.
// The legacy /send-many has no per-message detail, /send takes one message,
// and the group API needs three calls (create, add, send) for the same batch.

export const SOLAPI_BASE_URL = "https://api.solapi.com";
export const SEND_PATH = "/messages/v4/send-many/detail";
export const LIST_PATH = "/messages/v4/list";
export const BALANCE_PATH = "/cash/v1/balance";
export const STORAGE_PATH = "/storage/v1/files";

/** SOLAPI's storage cap for type MMS ("MMS는 200kb", the SDK's uploadFile comment). */
export const SOLAPI_MMS_IMAGE_MAX_BYTES = 200 * 1024;

/** The body of POST /storage/v1/files (reference §1.9; the SDK's StorageService.uploadFile). */
export interface WireUploadRequest {
  /** The file's bytes, base64. */
  file: string;
  type: "MMS";
  name: string;
}

export interface WireUploadResponse {
  fileId: string;
  type: string;
  name: string;
  url?: string;
  originalName?: string;
  accountId?: string;
  dateCreated?: string;
  dateUpdated?: string;
}

/** "최대 10,000건" per send-many/detail request (SDK doc comment). */
export const SOLAPI_MAX_MESSAGES = 10_000;
/**
 * "15MB" per request (documented for the group add-messages call, the same
 * message objects). Read as decimal megabytes, the stricter of the two readings.
 */
export const SOLAPI_MAX_REQUEST_BYTES = 15_000_000;

/**
 * The customFields key that carries our message id. SOLAPI stores customFields
 * and echoes them in list answers and webhook reports; it does NOT deduplicate
 * by them (no documented field does: `allowDuplicates` is about a recipient
 * number appearing twice, not an idempotency key). Keys ≤ 30 chars, values ≤ 100.
 */
export const OUR_ID_FIELD = "alimiMessageId";

export type SolapiType = "SMS" | "LMS" | "MMS" | "ATA";

export interface WireButton {
  buttonType: string;
  buttonName: string;
  linkMo?: string;
  linkPc?: string;
  linkAnd?: string;
  linkIos?: string;
}

export interface WireKakaoOptions {
  pfId: string;
  templateId: string;
  /** true: no replacement SMS when Alimtalk fails; false: SOLAPI sends one. */
  disableSms: boolean;
  buttons?: WireButton[];
}

/** The replacement SMS/LMS for an Alimtalk message (official SOLAPI ASP example). */
export interface WireReplacement {
  to: string;
  from: string;
  type: "SMS" | "LMS";
  text: string;
  subject?: string;
}

export interface WireMessage {
  to: string;
  /** Absent for an Alimtalk without a caller number (no replacement possible then). */
  from?: string;
  type: SolapiType;
  text: string;
  subject?: string;
  /** MMS: the storage fileId of its image. */
  imageId?: string;
  kakaoOptions?: WireKakaoOptions;
  replacements?: WireReplacement[];
  customFields: Record<string, string>;
}

export interface WireSendRequest {
  messages: WireMessage[];
  allowDuplicates: boolean;
  showMessageList: boolean;
}

export interface WireFailedMessage {
  to: string;
  from: string;
  type: string;
  country: string;
  messageId: string;
  statusCode: string;
  statusMessage: string;
  accountId: string;
  customFields: Record<string, string>;
}

export interface WireMessageResult {
  messageId: string;
  statusCode: string;
  statusMessage: string;
  to: string;
  customFields: Record<string, string>;
}

export interface WireGroupCount {
  total: number;
  registeredFailed: number;
  registeredSuccess: number;
  sentTotal: number;
  sentFailed: number;
  sentSuccess: number;
  sentPending: number;
  sentReplacement: number;
  refund: number;
}

export interface WireSendResponse {
  groupInfo: { groupId: string; accountId: string; status: string; count: WireGroupCount };
  failedMessageList: WireFailedMessage[];
  messageList?: WireMessageResult[];
}

/** A message as the list API and the message webhook ("single-report") give it. */
export interface WireStoredMessage {
  messageId: string;
  groupId: string;
  type: string;
  to: string;
  from: string;
  statusCode: string;
  statusMessage?: string | null;
  reason?: string | null;
  customFields?: Record<string, string> | null;
  /** The replacement SMS/LMS was sent for this Alimtalk; boolean or 0/1 on the wire. */
  replacement?: boolean | number;
  dateCreated?: string;
  dateUpdated?: string;
  dateProcessed?: string | null;
  dateReported?: string | null;
  dateReceived?: string | null;
  networkCode?: string | null;
}

export interface WireListResponse {
  startKey: string | null;
  nextKey: string | null;
  limit: number;
  messageList: Record<string, WireStoredMessage>;
}

export interface WireErrorBody {
  errorCode: string;
  errorMessage: string;
}

/**
 * A Korean E.164 number in SOLAPI's national digits ("+821012345678" →
 * "01012345678"; representative numbers such as 1544-xxxx have no trunk 0);
 * null for other countries. SOLAPI has a `country` field for them, but its
 * docs mark it "현재 미지원" (not supported yet), so we do not guess.
 */
export function nationalNumber(e164: string): string | null {
  const match = /^\+82([1-9]\d{6,10})$/.exec(e164);
  if (!match) return null;
  const rest = match[1]!;
  return /^1[5-9]\d{6}$/.test(rest) ? rest : `0${rest}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
