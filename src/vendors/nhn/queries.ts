// NHN's documented result queries, as the adapter uses them:
//
//   SMS       GET /sender/{sms|mms}?requestId=…&pageSize=1000             body.data[]
//             GET /sender/{sms|mms}?startCreateDate=…&endCreateDate=…      (yyyy-MM-dd HH:mm:ss)
//   Alimtalk  GET /messages?requestId=…&pageSize=1000                      messageSearchResultResponse.messages[]
//             GET /messages?startCreateDate=…&endCreateDate=…             (yyyy-MM-dd HH:mm)
//             GET /messages/{requestId}/{recipientSeq}                    message (with resendResultCode)
//
// The time-window queries (`/message-results?startUpdateDate=…`) do not fit
// polling a given list of messages, so reconciliation asks by requestId.

import { statusOf } from "../http.ts";
import type { OutboundMessage } from "../vendor.ts";
import { formatNhnDate } from "./dates.ts";
import { type Answer, callNhn, failureOf } from "./http.ts";
import { vendorMessageIdOf } from "./ids.ts";
import type { MappedError } from "./map.ts";
import type { ProductConfig } from "./settings.ts";
import { integerOf, isObject, NHN_MAX_RECIPIENTS, type SmsEndpoint, stringOf } from "./wire.ts";

export type Items =
  | { ok: true; items: unknown[] }
  /** `status`: the HTTP status of NHN's answer, null when the call got none. */
  | { ok: false; failure: MappedError; status: number | null };

/** The result items of a list answer, or why there are none. */
function itemsOf(product: ProductConfig, answer: Answer): Items {
  const failure = failureOf(product, answer);
  if (failure !== null) return { ok: false, failure, status: statusOf(answer) };
  const body = (answer as { body: unknown }).body;
  const list =
    product.product === "sms"
      ? isObject(body) && isObject(body.body)
        ? body.body.data
        : null
      : isObject(body) && isObject(body.messageSearchResultResponse)
        ? body.messageSearchResultResponse.messages
        : null;
  return { ok: true, items: Array.isArray(list) ? list : [] };
}

const listPath = (product: ProductConfig, endpoint: SmsEndpoint = "sms") =>
  product.product === "sms" ? `/sender/${endpoint}` : "/messages";

/** Every recipient of one send request (≤ 1,000, so one page). */
export async function listRequest(
  product: ProductConfig,
  timeoutMs: number,
  options: { requestId: string; endpoint?: SmsEndpoint },
): Promise<Items> {
  const answer = await callNhn(product, timeoutMs, {
    method: "GET",
    path: listPath(product, options.endpoint),
    query: { requestId: options.requestId, pageNum: 1, pageSize: NHN_MAX_RECIPIENTS },
  });
  return itemsOf(product, answer);
}

/** Messages registered in a time window, optionally those with one recipient grouping key. */
export async function listWindow(
  product: ProductConfig,
  timeoutMs: number,
  options: {
    from: Date;
    to: Date;
    endpoint?: SmsEndpoint;
    recipientGroupingKey?: string;
    pageSize: number;
  },
): Promise<Items> {
  const seconds = product.product === "sms";
  const answer = await callNhn(product, timeoutMs, {
    method: "GET",
    path: listPath(product, options.endpoint),
    query: {
      startCreateDate: formatNhnDate(options.from, { seconds }),
      endCreateDate: formatNhnDate(options.to, { seconds }),
      ...(options.recipientGroupingKey === undefined
        ? {}
        : { recipientGroupingKey: options.recipientGroupingKey }),
      pageNum: 1,
      pageSize: options.pageSize,
    },
  });
  return itemsOf(product, answer);
}

/** One Alimtalk recipient with its fallback's result code, or why not. */
export async function getAlimtalkMessage(
  product: ProductConfig,
  timeoutMs: number,
  options: { requestId: string; recipientSeq: number },
): Promise<
  { ok: true; item: unknown } | { ok: false; failure: MappedError; status: number | null }
> {
  const answer = await callNhn(product, timeoutMs, {
    method: "GET",
    path: `/messages/${encodeURIComponent(options.requestId)}/${options.recipientSeq}`,
  });
  const failure = failureOf(product, answer);
  if (failure !== null) return { ok: false, failure, status: statusOf(answer) };
  const body = (answer as { body: unknown }).body;
  return { ok: true, item: isObject(body) ? body.message : null };
}

// How far back a re-sent message is looked for. Our retries come seconds to
// minutes apart (backoff capped at 5 minutes); a day covers them and any
// clock or zone difference.
const LOOKBACK_MS = 24 * 60 * 60 * 1000;
const LOOKAHEAD_MS = 60 * 60 * 1000;

export type Found = { found: string } | { found: null } | { failure: MappedError };

/**
 * Whether NHN already took this message: on a second or later attempt the
 * previous answer may have been lost after NHN accepted it. NHN's SMS API has
 * no idempotency key; its Alimtalk X-NC-API-IDEMPOTENCY-KEY is per request and
 * rejects a repeat for 10 minutes without returning the original ids, while our
 * retries regroup messages into other requests. So we dedupe per message: our
 * id is the recipient grouping key, and a message NHN has under it is answered
 * with NHN's id instead of being sent again.
 */
export async function findSent(
  product: ProductConfig,
  timeoutMs: number,
  message: OutboundMessage,
  now: Date,
): Promise<Found> {
  const listed = await listWindow(product, timeoutMs, {
    from: new Date(now.getTime() - LOOKBACK_MS),
    to: new Date(now.getTime() + LOOKAHEAD_MS),
    endpoint: message.type === "sms" ? "sms" : "mms",
    recipientGroupingKey: message.id,
    pageSize: 15,
  });
  if (!listed.ok) return { failure: listed.failure };
  for (const item of listed.items) {
    if (!isObject(item) || stringOf(item.recipientGroupingKey) !== message.id) continue;
    const requestId = stringOf(item.requestId);
    const recipientSeq = integerOf(item.recipientSeq ?? item.mtPr);
    if (requestId === null || recipientSeq === null) continue;
    return {
      found: vendorMessageIdOf({
        product: product.product,
        requestId,
        recipientSeq,
        fallback: false,
      }),
    };
  }
  return { found: null };
}
