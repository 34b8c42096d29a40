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
import { checkFailureMessage } from "../http.ts";
import type { OutboundMessage, SendOutcome, VendorAdapter, VendorError } from "../vendor.ts";
import { refuseReports } from "./callback.ts";
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
import { type AligoContext, callKakao, callSms, statusForm } from "./http.ts";
import { channelOf, nationalNumberOf, vendorMessageIdOf } from "./ids.ts";
import type { MappedError } from "./map.ts";
import { pollAligo } from "./poll.ts";
import { type AligoSettings, configOf } from "./settings.ts";
import { createTokenCache, type TokenCache } from "./token.ts";
import {
  ALIGO_KAKAO_MAX_BATCH,
  ALIGO_MAX_IMAGES,
  ALIGO_SEND_MAX_RECEIVERS,
  ALIGO_SMS_MAX_BATCH,
  intOf,
  isObject,
  KAKAO_PATHS,
  SMS_PATHS,
  textOf,
} from "./wire.ts";

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
      const ctx: AligoContext = { ...config, tokens, transport: account.transport };
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
      return pollAligo(
        { ...config, tokens, transport: account.transport },
        messages,
        new Date(now()),
      );
    },

    /** Asks `/remain/` (what the account can still send): it needs valid credentials and a whitelisted IP. */
    async checkCredentials(account) {
      const config = configOf(account);
      if (!config.ok) return { ok: false, message: config.error.message };
      const answer = await callSms(
        { ...config, tokens, transport: account.transport },
        SMS_PATHS.remain,
        statusForm(config.credentials),
      );
      // Our own words only: the answer may be anyone's server's (the URL is the account's).
      if (!answer.ok) {
        return {
          ok: false,
          message: checkFailureMessage("Aligo", answer.failure, answer.status ?? null),
        };
      }
      return { ok: true, message: "connected to Aligo (HTTP 200, result_code 1)" };
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

const sendSms = (ctx: AligoContext, items: Placed[]) =>
  sendText(ctx, items, SMS_PATHS.sendMass, smsSendForm({ ...ctx, items }));

const sendMms = (ctx: AligoContext, items: Placed[]) =>
  sendText(ctx, items, SMS_PATHS.send, mmsSendForm({ ...ctx, items }));

/** SMS/LMS (/send_mass/) and MMS (/send/) answer alike: msg_id, success_cnt, error_cnt. */
async function sendText(
  ctx: AligoContext,
  items: Placed[],
  path: string,
  form: Parameters<typeof callSms>[2],
): Promise<Placement> {
  const answer = await callSms(ctx, path, form);
  if (!answer.ok) return failAll(items, answer.failure);
  const { body } = answer;
  return acceptedOrNot(items, {
    mid: textOf(body.msg_id),
    succeeded: intOf(body.success_cnt),
    failed: intOf(body.error_cnt),
    failedField: "error_cnt",
  });
}

async function sendAlimtalk(ctx: AligoContext, items: Placed[]): Promise<Placement> {
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
