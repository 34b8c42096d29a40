// Our side of SOLAPI (CoolSMS REST API v4): the VendorAdapter the
// dispatcher, the webhook route and the reconciler call. Its signed call is
// in http.ts, polling in poll.ts, what an account configures in settings.ts.
// MMS images go to SOLAPI's storage once per account and are sent as
// `imageId` (see file-cache.ts).
//
// Idempotency: SOLAPI has no idempotency key. Our id rides in customFields and
// comes back in every answer and report, but a repeated send is a second
// message. So a batch whose answer was lost (timeout, dropped connection) is
// retried — the dispatcher's rule — at the risk of a duplicate; an answer that
// merely lacks some results is completed from the group's message list rather
// than resent.
import { createVendorFileCache, type UploadResult } from "../file-cache.ts";
import { checkFailureMessage, statusOf } from "../http.ts";
import { failEvery, failedOutcome as failureOutcome, inOrder, rejectEvery } from "../outcomes.ts";
import type {
  OutboundImage,
  OutboundMessage,
  SendOutcome,
  VendorAccount,
  VendorAdapter,
  VendorError,
} from "../vendor.ts";
import { parseSolapiReports } from "./callback.ts";
import { call, failureOf } from "./http.ts";
import { mapStatusCode } from "./map.ts";
import { planRequests, sendBody, toWireMessage } from "./outbound.ts";
import { listMessages, pollSolapi } from "./poll.ts";
import { configOf, type SolapiConfig } from "./settings.ts";
import {
  BALANCE_PATH,
  isObject,
  OUR_ID_FIELD,
  SEND_PATH,
  SOLAPI_MAX_MESSAGES,
  SOLAPI_MMS_IMAGE_MAX_BYTES,
  STORAGE_PATH,
  type WireUploadRequest,
} from "./wire.ts";

const ourIdOf = (item: unknown): string | null => {
  const fields = isObject(item) && isObject(item.customFields) ? item.customFields : null;
  const id = fields?.[OUR_ID_FIELD];
  return typeof id === "string" && id !== "" ? id : null;
};

/** A message in failedMessageList: not registered, for the reason its status code gives. */
function failedOutcome(id: string, item: Record<string, unknown>): SendOutcome {
  const code = typeof item.statusCode === "string" ? item.statusCode : "unknown";
  const text = typeof item.statusMessage === "string" ? item.statusMessage : null;
  const { error, retryable } = mapStatusCode(code, text);
  return { id, outcome: retryable ? "retry" : "rejected", error };
}

/**
 * A message in messageList or in the group's list: registered unless its code
 * is an intake refusal (1xxx). A later failure (2xxx, 3xxx) is a delivery
 * result and arrives as a report; the message was accepted.
 */
function listedOutcome(id: string, item: Record<string, unknown>): SendOutcome | null {
  if (typeof item.statusCode === "string" && item.statusCode.startsWith("1")) {
    return failedOutcome(id, item);
  }
  const { messageId } = item;
  if (typeof messageId !== "string" || messageId === "") return null;
  return { id, outcome: "accepted", vendorMessageId: messageId };
}

/** Sends one request's messages and answers for each, in order. */
async function sendRequest(
  config: SolapiConfig,
  messages: { id: string; to: string; json: string }[],
): Promise<SendOutcome[]> {
  const answer = await call(config, {
    method: "POST",
    path: SEND_PATH,
    body: sendBody(
      messages.map((m) => m.json),
      config.allowDuplicates,
    ),
  });
  const failure = failureOf(answer);
  if (failure !== null) return failEvery(messages, failure);
  const body = (answer as { body: unknown }).body;
  const results = new Map<string, SendOutcome>();
  const record = (
    item: unknown,
    read: (id: string, item: Record<string, unknown>) => SendOutcome | null,
    fallbackId: string | null = null,
  ) => {
    const id = ourIdOf(item) ?? fallbackId;
    if (id === null || results.has(id) || !isObject(item)) return;
    const outcome = read(id, item);
    if (outcome !== null) results.set(id, outcome);
  };
  if (isObject(body)) {
    // Failures first: a message in failedMessageList was not registered,
    // whatever else the answer says about it.
    const byTo = uniqueBy(messages, (m) => m.to);
    for (const item of Array.isArray(body.failedMessageList) ? body.failedMessageList : []) {
      const to = isObject(item) && typeof item.to === "string" ? item.to : "";
      // Matched by our id; by recipient when SOLAPI left customFields out and the number is unique.
      record(item, failedOutcome, byTo.get(to)?.id ?? null);
    }
    for (const item of Array.isArray(body.messageList) ? body.messageList : []) {
      record(item, listedOutcome);
    }
  }
  const missing = messages.filter((m) => !results.has(m.id));
  const groupId = isObject(body) && isObject(body.groupInfo) ? body.groupInfo.groupId : null;
  if (missing.length > 0 && typeof groupId === "string" && groupId !== "") {
    // Registered messages are in the group: read their ids there instead of resending.
    const listed = await listMessages(config, { groupId });
    if (listed.ok) for (const item of listed.messages) record(item, listedOutcome);
  }
  return inOrder(messages, (id) => results.get(id), "SOLAPI");
}

/**
 * SOLAPI's storage ids of the images we uploaded, per account: an MMS image
 * is uploaded once and its fileId reused as `imageId` (see file-cache.ts for
 * the bounds).
 */
const imageIds = createVendorFileCache();

/** The documented "no such image" status: the storage no longer has the fileId. */
const IMAGE_NOT_FOUND = "1023";

async function uploadImage(config: SolapiConfig, image: OutboundImage): Promise<UploadResult> {
  const body: WireUploadRequest = {
    file: image.data.toString("base64"),
    type: "MMS",
    name: image.name,
  };
  const answer = await call(config, {
    method: "POST",
    path: STORAGE_PATH,
    body: JSON.stringify(body),
  });
  const failure = failureOf(answer);
  if (failure !== null) return { ok: false, failure };
  const answered = (answer as { body: unknown }).body;
  if (isObject(answered) && typeof answered.fileId === "string" && answered.fileId !== "") {
    return { ok: true, vendorFileId: answered.fileId };
  }
  const error: VendorError = {
    code: "VENDOR_UNAVAILABLE",
    rawCode: "storage.malformed",
    message: "SOLAPI's upload answer has no fileId",
  };
  return { ok: false, failure: { error, retryable: true } };
}

/**
 * Each MMS's imageId (uploading the images this account has not uploaded
 * yet), or the outcome of a message that cannot be sent: SOLAPI carries one
 * image per message (`imageId`) of at most 200 KB, so an MMS with more, or
 * a larger one, is refused here.
 */
async function imageIdsOf(
  account: VendorAccount,
  config: SolapiConfig,
  messages: OutboundMessage[],
): Promise<Map<string, string | SendOutcome>> {
  const found = new Map<string, string | SendOutcome>();
  for (const m of messages) {
    if (m.type !== "mms" || m.images.length === 0) continue;
    if (m.images.length > 1) {
      found.set(m.id, {
        id: m.id,
        outcome: "rejected",
        error: {
          code: "CONTENT_REJECTED",
          rawCode: "images.count",
          message: `SOLAPI carries one image per MMS; this message has ${m.images.length}`,
        },
      });
      continue;
    }
    if (m.images[0]!.data.length > SOLAPI_MMS_IMAGE_MAX_BYTES) {
      found.set(m.id, {
        id: m.id,
        outcome: "rejected",
        error: {
          code: "CONTENT_REJECTED",
          rawCode: "images.size",
          message: "SOLAPI's storage takes MMS images of at most 200 KB",
        },
      });
      continue;
    }
    const uploaded = await imageIds.resolve(account.id, m.images[0]!, (image) =>
      uploadImage(config, image),
    );
    found.set(m.id, uploaded.ok ? uploaded.vendorFileId : failureOutcome(m.id, uploaded.failure));
  }
  return found;
}

/**
 * A message SOLAPI refused for an unknown image had its imageId from our
 * cache, which outlived SOLAPI's copy: forget it and retry (a fresh upload).
 */
function retryLostImage(account: VendorAccount, message: OutboundMessage, outcome: SendOutcome) {
  if (outcome.outcome !== "rejected" || outcome.error.rawCode !== IMAGE_NOT_FOUND) return outcome;
  const image = message.images[0];
  if (image === undefined) return outcome;
  imageIds.forget(account.id, image.fileId);
  return { ...outcome, outcome: "retry" as const };
}

/** Items by a key that only one of them has. */
function uniqueBy<T>(items: T[], key: (item: T) => string): Map<string, T> {
  const seen = new Map<string, T | null>();
  for (const item of items) seen.set(key(item), seen.has(key(item)) ? null : item);
  const unique = new Map<string, T>();
  for (const [k, v] of seen) if (v !== null) unique.set(k, v);
  return unique;
}

export const solapiAdapter: VendorAdapter = {
  vendor: "solapi",
  batchSize: SOLAPI_MAX_MESSAGES,
  canPoll: true,

  /**
   * Sends through POST /messages/v4/send-many/detail, split into requests of
   * ≤ 10,000 messages and ≤ 15 MB, one after another; outcomes in input order.
   */
  async send(account, messages: OutboundMessage[]) {
    if (messages.length === 0) return [];
    const checked = configOf(account);
    if (!checked.ok) return rejectEvery(messages, checked.error);
    const { config } = checked;
    const outcomes = new Map<string, SendOutcome>();
    const sendable: { id: string; to: string; json: string }[] = [];
    const images = await imageIdsOf(account, config, messages);
    for (const m of messages) {
      const image = images.get(m.id) ?? null;
      if (image !== null && typeof image !== "string") {
        outcomes.set(m.id, image);
        continue;
      }
      const wire = toWireMessage(m, config, image);
      if (wire.ok) sendable.push({ id: m.id, to: wire.wire.to, json: JSON.stringify(wire.wire) });
      else outcomes.set(m.id, { id: m.id, outcome: "rejected", error: wire.error });
    }
    for (const [start, end] of planRequests(sendable.map((s) => s.json))) {
      for (const outcome of await sendRequest(config, sendable.slice(start, end))) {
        outcomes.set(outcome.id, outcome);
      }
    }
    return messages.map((m) => retryLostImage(account, m, outcomes.get(m.id)!));
  },

  parseReports(account, request) {
    return parseSolapiReports(account, request, new Date());
  },

  /** Final results from the message list by id (poll.ts). */
  poll: pollSolapi,

  async checkCredentials(account) {
    const checked = configOf(account);
    if (!checked.ok) return { ok: false, message: checked.error.message };
    const answer = await call(checked.config, { method: "GET", path: BALANCE_PATH });
    const failure = failureOf(answer);
    // Our own words only: the answer may be anyone's server's (the URL is the account's).
    if (failure !== null) {
      return { ok: false, message: checkFailureMessage("SOLAPI", failure, statusOf(answer)) };
    }
    const body = (answer as { body: unknown }).body;
    if (isObject(body) && typeof body.balance === "number") {
      return { ok: true, message: "connected to SOLAPI (HTTP 200, a balance answer)" };
    }
    return { ok: false, message: "SOLAPI's answer (HTTP 200) is not a balance answer" };
  },
};
