// The fake NHN's memory: what it accepted, how each message ends, and the
// documented JSON it answers queries and posts webhooks with. No HTTP here
// (fake-server.ts). Result codes are NHN's documented ones.
import { randomBytes } from "node:crypto";
import { formatNhnDate } from "../../../../src/vendors/nhn/dates.ts";
import {
  isObject,
  NHN_MAX_RECIPIENTS,
  NHN_MMS_IMAGE_LIMITS,
  type NhnProduct,
  type ResendParameter,
  stringOf,
} from "../../../../src/vendors/nhn/wire.ts";
import { imageFormatOf } from "../images.ts";

export interface FakeRecord {
  product: NhnProduct;
  endpoint: "sms" | "mms" | "alimtalk";
  requestId: string;
  recipientSeq: number;
  /** As sent: national digits, or an international number without "+". */
  recipientNo: string;
  recipientGroupingKey: string | null;
  senderGroupingKey: string | null;
  sendNo: string | null;
  title: string | null;
  /** MMS: the attachment ids it carries (an LMS has none). */
  attachFileIds: number[];
  /** The SMS body or the Alimtalk content. */
  body: string;
  templateCode: string | null;
  resend: ResendParameter | null;
  createdAt: Date;
  /** The delivery result code once final ("1000" delivered), else null. */
  resultCode: string | null;
  resultAt: Date | null;
  /** Alimtalk: RSC01 (no fallback) … RSC05. */
  resendStatus: string | null;
  resendResultCode: string | null;
  resendRequestId: string | null;
  reported: boolean;
}

export interface Outcomes {
  /**
   * Per recipient number as sent: the delivery result code (default "1000").
   * A key "sms:NUMBER" or "alimtalk:NUMBER" applies to that product only.
   */
  outcomes?: Record<string, string>;
  /** Per recipient number: an API result code refusing it at send time. */
  rejections?: Record<string, number>;
  /** Per recipient number: the SMS result code of an Alimtalk's fallback (default "1000"). */
  fallbackOutcomes?: Record<string, string>;
}

export type FakeAnswer = { status: number; body: unknown };

export const ok = (rest: Record<string, unknown>): FakeAnswer => ({
  status: 200,
  body: { header: { isSuccessful: true, resultCode: 0, resultMessage: "SUCCESS" }, ...rest },
});

/** NHN's error envelope: HTTP 200 unless told, the reason in the header. */
export const apiError = (resultCode: number, resultMessage: string, status = 200): FakeAnswer => ({
  status,
  body: { header: { isSuccessful: false, resultCode, resultMessage } },
});

/** Like NHN's: 14 digits of time, 10 letters, a trailing digit ("20180810100630ReZQ6KZzAH0"). */
export function newRequestId(now: Date): string {
  const stamp = formatNhnDate(now, { seconds: true }).replace(/\D/g, "");
  const letters = randomBytes(10)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "x")
    .slice(0, 10);
  return `${stamp}${letters}0`;
}

const recipientsOf = (body: Record<string, unknown>) =>
  Array.isArray(body.recipientList) ? body.recipientList : null;

/** POST /sender/sms and /sender/mms. */
/** An uploaded attachment, as /attachfile/binaryUpload keeps it. */
export interface FakeAttachment {
  fileId: number;
  fileName: string;
  createUser: string;
  data: Buffer;
}

/**
 * POST /attachfile/binaryUpload: a lower-case .jpg/.jpeg name of at most 45
 * characters, a JPEG of at most 300 KB in base64 (−2003: not jpg/jpeg; −2005:
 * too large, the codes of NHN's error table), a createUser.
 */
export function acceptAttachment(
  body: Record<string, unknown>,
  attachments: Map<number, FakeAttachment>,
): FakeAnswer {
  const fileName = stringOf(body.fileName);
  const createUser = stringOf(body.createUser);
  const fileBody = stringOf(body.fileBody);
  if (fileName === null || createUser === null || fileBody === null) {
    return apiError(-9997, "Invalid API parameters.");
  }
  if (fileName.length > 45 || !/\.(jpg|jpeg)$/.test(fileName)) {
    return apiError(-2003, "Only jpg, jpeg files can be attached.");
  }
  const data = Buffer.from(fileBody, "base64");
  if (imageFormatOf(data) !== "jpeg")
    return apiError(-2003, "Only jpg, jpeg files can be attached.");
  if (data.length > NHN_MMS_IMAGE_LIMITS.bytes) return apiError(-2005, "The file is over 300KB.");
  const fileId = attachments.size + 1;
  attachments.set(fileId, { fileId, fileName, createUser, data });
  return ok({ body: { data: { fileId, fileName, filePath: `/attach/${fileId}/${fileName}` } } });
}

/** What /sender/mms refuses in attachFileIdList: unknown ids, more than 3, more than 800 KB. */
function attachmentProblem(
  given: unknown,
  attachments: Map<number, FakeAttachment>,
): { ids: number[] } | FakeAnswer {
  if (given === undefined) return { ids: [] };
  if (!Array.isArray(given) || !given.every((id) => typeof id === "number")) {
    return apiError(-9997, "Invalid API parameters.");
  }
  const files = given.map((id) => attachments.get(id));
  if (files.some((f) => f === undefined)) return apiError(-2005, "Invalid attach file.");
  if (files.length > NHN_MMS_IMAGE_LIMITS.count) return apiError(-2005, "Too many attach files.");
  const total = files.reduce((sum, f) => sum + f!.data.length, 0);
  if (total > NHN_MMS_IMAGE_LIMITS.totalBytes) return apiError(-2005, "Attach files over 800KB.");
  return { ids: given as number[] };
}

export function acceptSms(
  endpoint: "sms" | "mms",
  body: Record<string, unknown>,
  ctx: {
    records: FakeRecord[];
    outcomes: Outcomes;
    now: Date;
    attachments: Map<number, FakeAttachment>;
  },
): FakeAnswer {
  const attached =
    endpoint === "mms" ? attachmentProblem(body.attachFileIdList, ctx.attachments) : { ids: [] };
  if (!("ids" in attached)) return attached;
  const text = stringOf(body.body);
  const sendNo = stringOf(body.sendNo);
  const title = stringOf(body.title);
  const list = recipientsOf(body);
  if (text === null || (endpoint === "mms" && title === null)) {
    return apiError(-2014, "Title or body can not be empty.");
  }
  if (sendNo === null) return apiError(-2312, "Not regist sendno.");
  if (list === null || list.length === 0) return apiError(-2001, "RecipientList can not be null.");
  if (list.length > NHN_MAX_RECIPIENTS) return apiError(-2016, "The max recipient size is 1000.");
  const requestId = newRequestId(ctx.now);
  const senderGroupingKey = stringOf(body.senderGroupingKey);
  const sendResultList = list.map((r, i) => {
    const item = isObject(r) ? r : {};
    const recipientNo = stringOf(item.recipientNo) ?? stringOf(item.internationalRecipientNo);
    const key = stringOf(item.recipientGroupingKey);
    const refused =
      recipientNo === null
        ? -2018
        : endpoint === "mms" && item.recipientNo === undefined
          ? -2024
          : (ctx.outcomes.rejections?.[recipientNo] ?? 0);
    if (refused === 0) {
      ctx.records.push(
        newRecord({
          product: "sms",
          endpoint,
          requestId,
          recipientSeq: i + 1,
          recipientNo: recipientNo!,
          recipientGroupingKey: key,
          senderGroupingKey,
          sendNo,
          title,
          attachFileIds: attached.ids,
          body: text,
          templateCode: null,
          resend: null,
          createdAt: ctx.now,
        }),
      );
    }
    return {
      recipientNo: recipientNo ?? "",
      resultCode: refused,
      resultMessage: refused === 0 ? "SUCCESS" : "FAIL",
      recipientSeq: i + 1,
      recipientGroupingKey: key,
    };
  });
  return ok({
    body: { data: { requestId, statusCode: "2", senderGroupingKey, sendResultList } },
  });
}

/** POST /raw-messages: rendered content per recipient. */
export function acceptAlimtalk(
  body: Record<string, unknown>,
  ctx: { records: FakeRecord[]; outcomes: Outcomes; now: Date },
): FakeAnswer {
  const senderKey = stringOf(body.senderKey);
  const templateCode = stringOf(body.templateCode);
  const list = recipientsOf(body);
  if (senderKey === null) return apiError(-2001, "The 'senderKey' must not be blank.");
  if (templateCode === null) return apiError(-2001, "The 'templateCode' must not be blank.");
  if (templateCode.length > 20) {
    return apiError(-2000, "The 'templateCode' must be at less than or equal to 20.");
  }
  if (list === null || list.length === 0) {
    return apiError(-2001, "The 'recipientList' must not be blank.");
  }
  if (list.length > NHN_MAX_RECIPIENTS) {
    return apiError(-2000, "The 'recipientList' must be at less than or equal to 1000.");
  }
  const requestId = newRequestId(ctx.now);
  const senderGroupingKey = stringOf(body.senderGroupingKey);
  const sendResults = list.map((r, i) => {
    const item = isObject(r) ? r : {};
    const recipientNo = stringOf(item.recipientNo);
    const content = stringOf(item.content);
    const key = stringOf(item.recipientGroupingKey);
    const refused =
      recipientNo === null || !/^\d{1,15}$/.test(recipientNo)
        ? -4019
        : content === null
          ? -2001
          : (ctx.outcomes.rejections?.[recipientNo] ?? 0);
    if (refused === 0) {
      const resend = isObject(item.resendParameter)
        ? (item.resendParameter as unknown as ResendParameter)
        : null;
      ctx.records.push(
        newRecord({
          product: "alimtalk",
          endpoint: "alimtalk",
          requestId,
          recipientSeq: i + 1,
          recipientNo: recipientNo!,
          recipientGroupingKey: key,
          senderGroupingKey,
          sendNo: null,
          attachFileIds: [],
          title: null,
          body: content!,
          templateCode,
          resend,
          createdAt: ctx.now,
        }),
      );
    }
    return {
      recipientSeq: i + 1,
      recipientNo: recipientNo ?? "",
      resultCode: refused,
      resultMessage: refused === 0 ? "SUCCESS" : "FAIL",
      recipientGroupingKey: key,
    };
  });
  return ok({ message: { requestId, senderGroupingKey, sendResults } });
}

function newRecord(
  given: Omit<
    FakeRecord,
    "resultCode" | "resultAt" | "resendStatus" | "resendResultCode" | "resendRequestId" | "reported"
  >,
): FakeRecord {
  return {
    ...given,
    resultCode: null,
    resultAt: null,
    resendStatus:
      given.product === "alimtalk" ? (given.resend?.isResend ? "RSC02" : "RSC01") : null,
    resendResultCode: null,
    resendRequestId: null,
    reported: false,
  };
}

/**
 * Gives every pending message its final result. A failed Alimtalk that asked
 * for a fallback gets it: finished (RSC04/RSC05) or, with
 * `fallbackInProgress`, still being sent (RSC03).
 */
export function completeRecords(
  records: FakeRecord[],
  outcomes: Outcomes,
  options: { now: Date; fallbackInProgress?: boolean },
): void {
  for (const r of records) {
    if (r.resultCode !== null) continue;
    r.resultCode =
      outcomes.outcomes?.[`${r.product}:${r.recipientNo}`] ??
      outcomes.outcomes?.[r.recipientNo] ??
      "1000";
    r.resultAt = options.now;
    if (r.product === "alimtalk" && r.resultCode !== "1000" && r.resend?.isResend) {
      r.resendRequestId = newRequestId(options.now);
      if (options.fallbackInProgress) {
        r.resendStatus = "RSC03";
      } else {
        r.resendResultCode = outcomes.fallbackOutcomes?.[r.recipientNo] ?? "1000";
        r.resendStatus = r.resendResultCode === "1000" ? "RSC04" : "RSC05";
      }
    }
  }
}

const queryDate = (d: Date | null) =>
  d === null ? null : `${formatNhnDate(d, { seconds: true })}.0`;
const hookDate = (d: Date | null) =>
  d === null ? null : formatNhnDate(d, { seconds: true }).replace(" ", "T");

/** An item of GET /sender/{sms|mms} (SMS API v3.0). */
export function smsListItem(r: FakeRecord): Record<string, unknown> {
  const final = r.resultCode !== null;
  return {
    requestId: r.requestId,
    requestDate: queryDate(r.createdAt),
    resultDate: queryDate(r.resultAt),
    templateId: null,
    body: r.body,
    sendNo: r.sendNo,
    countryCode: "82",
    recipientNo: r.recipientNo,
    msgStatus: final ? (r.resultCode === "1000" ? "3" : "0") : "2",
    msgStatusName: final ? (r.resultCode === "1000" ? "성공" : "실패") : "처리중",
    resultCode: r.resultCode,
    resultCodeName: final ? (r.resultCode === "1000" ? "성공" : "실패") : null,
    recipientSeq: r.recipientSeq,
    sendType: r.endpoint === "sms" ? "0" : "1",
    messageType: r.endpoint === "sms" ? "SMS" : r.attachFileIds.length > 0 ? "MMS" : "LMS",
    messageCount: 1,
    adYn: "N",
    resultMessage: "",
    senderGroupingKey: r.senderGroupingKey,
    recipientGroupingKey: r.recipientGroupingKey,
  };
}

const RESEND_NAMES: Record<string, string> = {
  RSC01: "대체 발송 미대상",
  RSC02: "대체 발송 대상",
  RSC03: "대체 발송 중",
  RSC04: "대체 발송 성공",
  RSC05: "대체 발송 실패",
};

/**
 * An item of GET /messages (list: no resendResultCode) or the `message` of
 * GET /messages/{requestId}/{recipientSeq} (`single`: with it).
 */
export function alimtalkItem(r: FakeRecord, single: boolean): Record<string, unknown> {
  const final = r.resultCode !== null;
  return {
    requestId: r.requestId,
    recipientSeq: r.recipientSeq,
    plusFriendId: "@alimi",
    templateCode: r.templateCode,
    recipientNo: r.recipientNo,
    content: r.body,
    requestDate: queryDate(r.createdAt),
    createDate: queryDate(r.createdAt),
    receiveDate: queryDate(r.resultAt),
    resendStatus: r.resendStatus,
    resendStatusName: r.resendStatus === null ? null : RESEND_NAMES[r.resendStatus],
    ...(single ? { resendResultCode: r.resendResultCode, resendRequestId: r.resendRequestId } : {}),
    messageStatus: final ? (r.resultCode === "1000" ? "COMPLETED" : "FAILED") : null,
    resultCode: r.resultCode,
    resultCodeName: final ? (r.resultCode === "1000" ? "성공" : "실패") : null,
    senderGroupingKey: r.senderGroupingKey,
    recipientGroupingKey: r.recipientGroupingKey,
  };
}

/** A MESSAGE_RESULT_UPDATE hook, as the product's webhook page documents it. */
export function hookOf(r: FakeRecord, baseUrl: string): Record<string, unknown> {
  const hookId = newRequestId(r.resultAt ?? r.createdAt);
  if (r.product === "sms") {
    return {
      hookId,
      senderType: r.endpoint === "sms" ? "NORMAL_SMS" : "NORMAL_MMS",
      requestId: r.requestId,
      recipientSeq: r.recipientSeq,
      requestDate: hookDate(r.createdAt),
      receiveDate: hookDate(r.resultAt),
      sendNo: r.sendNo,
      recipientNo: r.recipientNo,
      messageStatus: r.resultCode === "1000" ? "COMPLETED" : "FAILED",
      recipientGroupingKey: r.recipientGroupingKey,
      senderGroupingKey: r.senderGroupingKey,
      resultCode: r.resultCode,
      messageCount: 1,
      _links: {
        self: {
          href: `${baseUrl}/sms/v3.0/appKeys/{appKey}/sender/${r.endpoint}/${r.requestId}?recipientSeq=${r.recipientSeq}`,
        },
      },
    };
  }
  return {
    kakaoMessageType: "ALIMTALK_NORMAL",
    requestId: r.requestId,
    recipientSeq: r.recipientSeq,
    requestDate: queryDate(r.createdAt),
    createDate: queryDate(r.createdAt),
    receiveDate: queryDate(r.resultAt),
    recipientNo: r.recipientNo,
    resultCode: r.resultCode,
    senderGroupingKey: r.senderGroupingKey,
    recipientGroupingKey: r.recipientGroupingKey,
    isAddedChannel: null,
    _links: {
      self: {
        href: `${baseUrl}/alimtalk/v2.3/appkeys/{appkey}/messages/${r.requestId}/${r.recipientSeq}`,
      },
    },
    hookId,
  };
}
