// Our side of the sandbox vendor: the VendorAdapter the dispatcher, the
// webhook route and the reconciler call. Its one HTTP call is in http.ts
// (every request: the account's API key as a bearer token), polling in
// poll.ts, what an account configures in settings.ts. MMS images travel once
// per request in the sandbox's own JSON (`images`, named by `imageIds`).
// Reports come to the account's webhook without being asked for: the
// sandbox knows it from the API key, so a send names no webhook.
import { checkFailureMessage } from "../http.ts";
import { failEvery, failedOutcome, inOrder, rejectEvery } from "../outcomes.ts";
import type { OutboundMessage, SendOutcome, VendorAdapter } from "../vendor.ts";
import { parseSandboxReports } from "./callback.ts";
import { type Answer, call } from "./http.ts";
import { mapHttpFailure, mapSandboxError } from "./map.ts";
import { pollSandbox } from "./poll.ts";
import { settingsOf } from "./settings.ts";
import {
  isObject,
  SANDBOX_MAX_BATCH,
  type WireImage,
  type WireMessage,
  type WireSendRequest,
} from "./wire.ts";

/**
 * The message as the sandbox takes it. The fallback goes along only when the
 * account uses native fallback; otherwise we create the fallback ourselves.
 */
export function toWireMessage(message: OutboundMessage, nativeFallback: boolean): WireMessage {
  return {
    customId: message.id,
    to: message.to,
    from: message.from,
    type: message.type,
    text: message.text,
    subject: message.subject,
    templateCode: message.alimtalk?.templateCode ?? null,
    buttons: message.alimtalk?.buttons ?? [],
    fallback: nativeFallback && message.type === "alimtalk" ? message.nativeFallback : null,
    imageIds: message.type === "mms" ? message.images.map((i) => i.fileId) : [],
  };
}

/**
 * Image bytes one send request carries at most (the sandbox takes 16 MB of
 * body): a batch whose messages use more distinct images is sent as several
 * requests, each with the images of its own messages.
 */
export const REQUEST_IMAGE_BYTES = 8 * 1024 * 1024;

/** Splits a batch so that each request's distinct images stay within REQUEST_IMAGE_BYTES. */
export function planImageRequests(messages: OutboundMessage[]): OutboundMessage[][] {
  const requests: OutboundMessage[][] = [];
  let current: OutboundMessage[] = [];
  let seen = new Set<string>();
  let bytes = 0;
  const newImages = (message: OutboundMessage) =>
    message.type === "mms" ? message.images.filter((i) => !seen.has(i.fileId)) : [];
  const sizeOf = (images: OutboundMessage["images"]) =>
    images.reduce((sum, i) => sum + i.data.length, 0);
  for (const message of messages) {
    if (current.length > 0 && bytes + sizeOf(newImages(message)) > REQUEST_IMAGE_BYTES) {
      requests.push(current);
      current = [];
      seen = new Set();
      bytes = 0;
    }
    const fresh = newImages(message);
    for (const image of fresh) seen.add(image.fileId);
    bytes += sizeOf(fresh);
    current.push(message);
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** The distinct images of the messages, by file id, as the sandbox takes them. */
function imagesOf(messages: OutboundMessage[]): Record<string, WireImage> {
  const images: Record<string, WireImage> = {};
  for (const message of messages) {
    if (message.type !== "mms") continue;
    for (const image of message.images) {
      images[image.fileId] ??= {
        name: image.name,
        mime: image.mime,
        data: image.data.toString("base64"),
      };
    }
  }
  return images;
}

/** The answer to a send, per message and in the order sent. */
function outcomesOf(messages: OutboundMessage[], answer: Answer): SendOutcome[] {
  if (!answer.ok) return failEvery(messages, answer.failure);
  if (answer.status !== 200) return failEvery(messages, mapHttpFailure(answer.status, answer.body));

  const byId = new Map<string, Record<string, unknown>>();
  const results = isObject(answer.body) ? answer.body.results : null;
  for (const result of Array.isArray(results) ? results : []) {
    if (isObject(result) && typeof result.customId === "string" && !byId.has(result.customId)) {
      byId.set(result.customId, result);
    }
  }
  // A message without a result is retried: sending again is safe, the sandbox dedupes by our id.
  return inOrder(
    messages,
    (id): SendOutcome | null => {
      const result = byId.get(id);
      if (result?.status === "ACCEPTED" && typeof result.messageId === "string") {
        return { id, outcome: "accepted", vendorMessageId: result.messageId };
      }
      if (result?.status === "FAILED" && typeof result.errorCode === "string") {
        const message = typeof result.errorMessage === "string" ? result.errorMessage : null;
        return failedOutcome(id, mapSandboxError(result.errorCode, message));
      }
      return null;
    },
    "the sandbox",
  );
}

export const sandboxAdapter: VendorAdapter = {
  vendor: "sandbox",
  batchSize: SANDBOX_MAX_BATCH,
  canPoll: true,

  async send(account, messages) {
    if (messages.length === 0) return [];
    const config = settingsOf(account);
    if (!config.ok) return rejectEvery(messages, config.error);
    const outcomes: SendOutcome[] = [];
    for (const part of planImageRequests(messages)) {
      const images = imagesOf(part);
      const body: WireSendRequest = {
        messages: part.map((m) => toWireMessage(m, config.settings.nativeFallback)),
        ...(Object.keys(images).length > 0 ? { images } : {}),
      };
      const answer = await call(account, config.settings, {
        method: "POST",
        path: "/sandbox/v1/messages",
        body,
      });
      outcomes.push(...outcomesOf(part, answer));
    }
    return outcomes;
  },

  parseReports(account, request) {
    return parseSandboxReports(account, request, new Date());
  },

  /**
   * Final results only: a message still "PENDING" (010-0000-0004) gets no
   * report (poll.ts).
   */
  poll: pollSandbox,

  async checkCredentials(account) {
    const config = settingsOf(account);
    if (!config.ok) return { ok: false, message: config.error.message };
    const answer = await call(account, config.settings, {
      method: "GET",
      path: "/sandbox/v1/balance",
    });
    // Our own words only: the answer may be anyone's server's (the URL may be the account's).
    if (!answer.ok) return { ok: false, message: answer.failure.error.message };
    if (answer.status === 200 && isObject(answer.body)) {
      return { ok: true, message: "connected to the sandbox (HTTP 200)" };
    }
    const failure = mapHttpFailure(answer.status, answer.body);
    return { ok: false, message: checkFailureMessage("the sandbox", failure, answer.status) };
  },
};
