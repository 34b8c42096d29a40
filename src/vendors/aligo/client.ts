// Our side of Aligo (알리고): the VendorAdapter the dispatcher, the webhook
// route and the reconciler call. SMS/LMS/MMS through the SMS API
// (apis.aligo.in), Alimtalk with native SMS/LMS fallback through the Kakao API
// akv10 (kakaoapi.aligo.in). See wire.ts for the endpoints, settings.ts for
// what an account configures, forms.ts for how a batch becomes requests and
// ids.ts for our vendor message ids.
//
// `send` never throws for vendor trouble: no answer, a timeout, a 5xx or an
// unreadable body is `retry` for every message of the request; a refused
// request is mapped from Aligo's body (HTTP is 200 either way). Aligo does not
// deduplicate by any client key, so a retry after a request Aligo did accept
// (a timeout after it answered) sends the message twice; the dispatcher's
// contract accepts that.
import { AppError } from "../../lib/errors.ts";
import type {
  DeliveryReport,
  OutboundMessage,
  SendOutcome,
  VendorAdapter,
  VendorError,
} from "../vendor.ts";
import {
  alimtalkReportOf,
  fallbackMidOf,
  fallbackReportOf,
  itemsByReceiver,
  refuseReports,
  smsReportOf,
} from "./callback.ts";
import {
  alimtalkSendForm,
  kakaoGroupKey,
  mmsGroupKey,
  mmsSendForm,
  type Placed,
  planRequests,
  smsGroupKey,
  smsSendForm,
} from "./forms.ts";
import { type Answer, postForm } from "./http.ts";
import {
  type AligoMessageRef,
  channelOf,
  nationalNumberOf,
  parseVendorMessageId,
  vendorMessageIdOf,
} from "./ids.ts";
import { type MappedError, mapAligoFailure, mapKakaoResult } from "./map.ts";
import { type AligoCredentials, type AligoSettings, configOf } from "./settings.ts";
import { createTokenCache, type TokenCache } from "./token.ts";
import {
  ALIGO_KAKAO_MAX_BATCH,
  ALIGO_MAX_IMAGES,
  ALIGO_MAX_RESULT_PAGES,
  ALIGO_RESULT_PAGE_SIZE,
  ALIGO_SEND_MAX_RECEIVERS,
  ALIGO_SMS_MAX_BATCH,
  intOf,
  isKakaoSuccess,
  isObject,
  isSmsSuccess,
  KAKAO_PATHS,
  type KakaoDetailItem,
  SMS_PATHS,
  type SmsListItem,
  textOf,
} from "./wire.ts";

interface Context {
  credentials: AligoCredentials;
  settings: AligoSettings;
  tokens: TokenCache;
}

export interface AligoAdapterOptions {
  /** The clock for token expiry and undated results (tests pass their own). */
  now?: () => number;
  /** Where akv10 tokens are kept; one cache per adapter by default. */
  tokens?: TokenCache;
}

export function createAligoAdapter(options: AligoAdapterOptions = {}): VendorAdapter {
  const now = options.now ?? Date.now;
  const tokens = options.tokens ?? createTokenCache(now);

  return {
    vendor: "aligo",
    batchSize: ALIGO_SMS_MAX_BATCH,
    canPoll: true,

    async send(account, messages) {
      if (messages.length === 0) return [];
      const config = configOf(account);
      if (!config.ok) {
        return messages.map((m) => ({ id: m.id, outcome: "rejected", error: config.error }));
      }
      const ctx: Context = { ...config, tokens };
      const outcomes: SendOutcome[] = new Array(messages.length);
      const sms: Placed[] = [];
      const mms: Placed[] = [];
      const kakao: Placed[] = [];
      messages.forEach((message, index) => {
        const receiver = nationalNumberOf(message.to);
        const problem = problemOf(message, receiver, ctx.settings);
        if (problem !== null) {
          outcomes[index] = { id: message.id, outcome: "rejected", error: problem };
        } else {
          const list = message.type === "alimtalk" ? kakao : message.type === "mms" ? mms : sms;
          list.push({ index, message, receiver: receiver! });
        }
      });
      // One request after the other: a batch makes few requests, and Aligo
      // documents no concurrency limit we could rely on.
      const requests = [
        ...planRequests(sms, { keyOf: smsGroupKey, max: ALIGO_SMS_MAX_BATCH }).map(
          (items) => () => sendSms(ctx, items),
        ),
        ...planRequests(mms, { keyOf: mmsGroupKey, max: ALIGO_SEND_MAX_RECEIVERS }).map(
          (items) => () => sendMms(ctx, items),
        ),
        ...planRequests(kakao, {
          keyOf: kakaoGroupKey(ctx.settings),
          max: ALIGO_KAKAO_MAX_BATCH,
        }).map((items) => () => sendAlimtalk(ctx, items)),
      ];
      for (const request of requests) {
        for (const [index, outcome] of await request()) outcomes[index] = outcome;
      }
      return outcomes;
    },

    parseReports() {
      return refuseReports();
    },

    /**
     * Final results only (a receiver Aligo still lists as sending, or not at
     * all, gets no report). Each mid's list is read once, a few at a time.
     * A failed Alimtalk whose fallback Aligo sent (`smid`) also gets the
     * fallback's report; the fallback's own id may be asked about as well.
     * Throws AppError UNAVAILABLE when Aligo cannot be asked, so the
     * reconciler does not take silence for "no result".
     */
    async poll(account, messages) {
      const config = configOf(account);
      if (!config.ok) throw new AppError("UNAVAILABLE", config.error.message, { retryable: false });
      const ctx: Context = { ...config, tokens };
      const at = new Date(now());
      const asked = messages.flatMap((m) => {
        const ref = parseVendorMessageId(m.vendorMessageId);
        return ref === null ? [] : [{ ...m, ref }];
      });

      const smsLists = new Map<string, Map<string, SmsListItem>>();
      const kakaoLists = new Map<string, Map<string, KakaoDetailItem>>();
      const kakaoMids = unique(asked.filter((a) => a.ref.channel === "at").map((a) => a.ref.mid));
      await eachLimit(kakaoMids, async (mid) => {
        kakaoLists.set(mid, await fetchKakaoDetail(ctx, mid));
      });
      const kakaoItemOf = (ref: AligoMessageRef) => kakaoLists.get(ref.mid)?.get(ref.receiver);
      const smidOf = (ref: AligoMessageRef): string | null => {
        const item = kakaoItemOf(ref);
        const result = item === undefined ? null : mapKakaoResult(item, ctx.settings);
        return item !== undefined && result?.status === "failed" ? fallbackMidOf(item) : null;
      };
      const smsMids = unique(
        asked.map(({ ref }) => (ref.channel === "at" ? smidOf(ref) : ref.mid)),
      );
      await eachLimit(smsMids, async (mid) => {
        smsLists.set(mid, await fetchSmsList(ctx, mid));
      });

      const reports: (DeliveryReport | null)[] = [];
      for (const { id, vendorMessageId, ref } of asked) {
        const asking = { id, vendorMessageId };
        if (ref.channel !== "at") {
          const item = smsLists.get(ref.mid)?.get(ref.receiver);
          reports.push(smsReportOf({ asked: asking, ref, item, settings: ctx.settings, now: at }));
          continue;
        }
        const alimtalkId = vendorMessageIdOf(ref);
        if (!ref.fallback) {
          const item = kakaoItemOf(ref);
          reports.push(alimtalkReportOf({ asked: asking, item, settings: ctx.settings, now: at }));
        }
        const smid = smidOf(ref);
        if (smid === null) continue;
        reports.push(
          fallbackReportOf({
            alimtalkVendorMessageId: alimtalkId,
            item: smsLists.get(smid)?.get(ref.receiver),
            settings: ctx.settings,
            now: at,
          }),
        );
      }
      return { reports: reports.filter((r): r is DeliveryReport => r !== null) };
    },

    /** Asks `/remain/` (what the account can still send): it needs valid credentials and a whitelisted IP. */
    async checkCredentials(account) {
      const config = configOf(account);
      if (!config.ok) return { ok: false, message: config.error.message };
      const answer = await callSms(
        { ...config, tokens },
        SMS_PATHS.remain,
        statusForm(config.credentials),
      );
      if (!answer.ok) {
        return {
          ok: false,
          message:
            answer.failure.error.code === "AUTH_FAILED"
              ? `Aligo refused the API key or user id (${answer.failure.error.rawCode}: ${answer.failure.error.message})`
              : answer.failure.error.message,
        };
      }
      const count = (key: string) => intOf(answer.body[key]) ?? "?";
      return {
        ok: true,
        message: `connected to Aligo (can send SMS ${count("SMS_CNT")}, LMS ${count("LMS_CNT")}, MMS ${count("MMS_CNT")})`,
      };
    },
  };
}

/** The adapter the registry uses. */
export const aligoAdapter: VendorAdapter = createAligoAdapter();

/** Why a message cannot go to Aligo at all, or null. */
function problemOf(
  message: OutboundMessage,
  receiver: string | null,
  settings: AligoSettings,
): VendorError | null {
  if (receiver === null) {
    return {
      code: "INVALID_NUMBER",
      rawCode: "to.not_korean",
      message: "Aligo delivers to Korean (+82) numbers only",
    };
  }
  if (message.type !== "alimtalk") {
    if (message.from === "") {
      return {
        code: "SENDER_NOT_REGISTERED",
        rawCode: "from.missing",
        message: "an SMS/LMS/MMS needs a registered caller number",
      };
    }
    if (message.type !== "mms") return null;
    if (message.images.length === 0) {
      return {
        code: "CONTENT_REJECTED",
        rawCode: "images.missing",
        message: "an MMS needs an image",
      };
    }
    if (message.images.length > ALIGO_MAX_IMAGES) {
      return {
        code: "CONTENT_REJECTED",
        rawCode: "images.count",
        message: "Aligo takes at most 3 images per MMS (image1..image3)",
      };
    }
    return null;
  }
  if (message.alimtalk === null) {
    return {
      code: "TEMPLATE_MISMATCH",
      rawCode: "alimtalk.missing",
      message: "an Alimtalk message needs a template",
    };
  }
  if (settings.senderKey === null) {
    return {
      code: "UNKNOWN",
      rawCode: "settings.senderKey",
      message: "the Aligo account has no Kakao senderKey, so it cannot send Alimtalk",
    };
  }
  return null;
}

type Placement = [index: number, outcome: SendOutcome][];

const failAll = (items: Placed[], failure: MappedError): Placement =>
  items.map(({ index, message }) => [
    index,
    { id: message.id, outcome: failure.retryable ? "retry" : "rejected", error: failure.error },
  ]);

async function sendSms(ctx: Context, items: Placed[]): Promise<Placement> {
  const answer = await callSms(ctx, SMS_PATHS.sendMass, smsSendForm({ ...ctx, items }));
  if (!answer.ok) return failAll(items, answer.failure);
  const { body } = answer;
  return acceptedOrNot(items, {
    mid: textOf(body.msg_id),
    succeeded: intOf(body.success_cnt),
    failed: intOf(body.error_cnt),
    failedField: "error_cnt",
  });
}

async function sendMms(ctx: Context, items: Placed[]): Promise<Placement> {
  const answer = await callSms(ctx, SMS_PATHS.send, mmsSendForm({ ...ctx, items }));
  if (!answer.ok) return failAll(items, answer.failure);
  const { body } = answer;
  return acceptedOrNot(items, {
    mid: textOf(body.msg_id),
    succeeded: intOf(body.success_cnt),
    failed: intOf(body.error_cnt),
    failedField: "error_cnt",
  });
}

async function sendAlimtalk(ctx: Context, items: Placed[]): Promise<Placement> {
  const answer = await callKakao(ctx, KAKAO_PATHS.alimtalkSend, (token) =>
    alimtalkSendForm({ ...ctx, token, items }),
  );
  if (!answer.ok) return failAll(items, answer.failure);
  const info = isObject(answer.body.info) ? answer.body.info : {};
  return acceptedOrNot(items, {
    mid: textOf(info.mid),
    succeeded: intOf(info.scnt),
    failed: intOf(info.fcnt),
    failedField: "fcnt",
  });
}

/**
 * An accepted request: every receiver gets its vendor id. Aligo counts the
 * receivers it refused (`error_cnt`, `fcnt`) without saying which; when it
 * refused them all they are rejected here, otherwise the refused ones are
 * told apart by polling, where their per-receiver result says it.
 */
function acceptedOrNot(
  items: Placed[],
  answer: {
    mid: string | null;
    succeeded: number | null;
    failed: number | null;
    failedField: string;
  },
): Placement {
  if (answer.mid === null || !/^\d+$/.test(answer.mid)) {
    // Without the mid the messages could never be polled; asking again is the lesser evil.
    return failAll(items, {
      error: {
        code: "VENDOR_UNAVAILABLE",
        rawCode: "missing_mid",
        message: "Aligo accepted the request but sent no message id",
      },
      retryable: true,
    });
  }
  if (answer.succeeded === 0 && (answer.failed ?? 0) > 0) {
    return failAll(items, {
      error: {
        code: "INVALID_NUMBER",
        rawCode: answer.failedField,
        message: `Aligo refused every receiver of the request (${answer.failedField} ${answer.failed})`,
      },
      retryable: false,
    });
  }
  const mid = answer.mid;
  return items.map(({ index, message, receiver }) => [
    index,
    {
      id: message.id,
      outcome: "accepted",
      vendorMessageId: vendorMessageIdOf({ channel: channelOf(message.type), mid, receiver }),
    },
  ]);
}

/** An SMS API call: the body when `result_code` is 1, else the mapped failure. */
async function callSms(
  ctx: Context,
  path: string,
  form: URLSearchParams | FormData,
): Promise<Answer> {
  const answer = await postForm({
    url: `${ctx.settings.smsBaseUrl}${path}`,
    form,
    timeoutMs: ctx.settings.timeoutMs,
  });
  if (!answer.ok || isSmsSuccess(answer.body)) return answer;
  return {
    ok: false,
    failure: mapAligoFailure(codeOf(answer.body.result_code), textOf(answer.body.message)),
  };
}

/**
 * A Kakao API call: the body when `code` is 0, else the mapped failure. With
 * tokens on, a refusal as unauthenticated while using a cached token drops it
 * and asks once more with a new one (the token may have been revoked early).
 */
async function callKakao(
  ctx: Context,
  path: string,
  formOf: (token: string | null) => URLSearchParams,
): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    let token: string | null = null;
    let cached = false;
    if (ctx.settings.kakaoUseToken) {
      const got = await ctx.tokens.get(ctx);
      if (!got.ok) return got;
      ({ token, cached } = got);
    }
    const answer = await postForm({
      url: `${ctx.settings.kakaoBaseUrl}${path}`,
      form: formOf(token),
      timeoutMs: ctx.settings.timeoutMs,
    });
    if (!answer.ok || isKakaoSuccess(answer.body)) return answer;
    const failure = mapAligoFailure(codeOf(answer.body.code), textOf(answer.body.message));
    if (failure.error.code === "AUTH_FAILED" && cached && attempt === 1) {
      ctx.tokens.drop(ctx);
      continue;
    }
    return { ok: false, failure };
  }
}

const codeOf = (value: unknown): string => String(intOf(value) ?? (textOf(value) || "missing"));

/**
 * The status endpoints document the account id as `userid` (the send spec
 * says `user_id`); both are sent, which either reading accepts.
 */
const statusForm = (credentials: AligoCredentials, fields: Record<string, string> = {}) =>
  new URLSearchParams({
    key: credentials.apiKey,
    user_id: credentials.userId,
    userid: credentials.userId,
    ...fields,
  });

function unavailable(failure: MappedError): AppError {
  return new AppError("UNAVAILABLE", `Aligo poll failed: ${failure.error.message}`, {
    cause: failure.error,
    retryable: failure.retryable,
  });
}

/** Every receiver `/sms_list/` knows for a mid, following `next_yn`. */
async function fetchSmsList(ctx: Context, mid: string): Promise<Map<string, SmsListItem>> {
  const items: unknown[] = [];
  for (let page = 1; page <= ALIGO_MAX_RESULT_PAGES; page++) {
    const answer = await callSms(
      ctx,
      SMS_PATHS.smsList,
      statusForm(ctx.credentials, {
        mid,
        page: String(page),
        page_size: String(ALIGO_RESULT_PAGE_SIZE),
      }),
    );
    if (!answer.ok) throw unavailable(answer.failure);
    const list = answer.body.list;
    if (Array.isArray(list)) items.push(...list);
    if (textOf(answer.body.next_yn) !== "Y" || !Array.isArray(list) || list.length === 0) break;
  }
  return itemsByReceiver<SmsListItem>(items, "receiver");
}

/** Every receiver history/detail knows for a mid, following `totalPage`. */
async function fetchKakaoDetail(ctx: Context, mid: string): Promise<Map<string, KakaoDetailItem>> {
  const items: unknown[] = [];
  for (let page = 1; page <= ALIGO_MAX_RESULT_PAGES; page++) {
    const answer = await callKakao(ctx, KAKAO_PATHS.historyDetail, (token) => {
      const form = new URLSearchParams({
        apikey: ctx.credentials.apiKey,
        userid: ctx.credentials.userId,
      });
      if (token !== null) form.set("token", token);
      form.set("mid", mid);
      form.set("page", String(page));
      form.set("limit", String(ALIGO_RESULT_PAGE_SIZE));
      return form;
    });
    if (!answer.ok) throw unavailable(answer.failure);
    const list = answer.body.list;
    if (Array.isArray(list)) items.push(...list);
    const totalPages = intOf(answer.body.totalPage) ?? 1;
    if (page >= totalPages || !Array.isArray(list) || list.length === 0) break;
  }
  return itemsByReceiver<KakaoDetailItem>(items, "phone");
}

/** Result lists read at once during a poll: enough to be quick, few enough to be polite. */
const POLL_CONCURRENCY = 4;

async function eachLimit<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, items.length) }, worker));
}

const unique = (values: (string | null)[]): string[] =>
  [...new Set(values)].filter((v): v is string => v !== null);
