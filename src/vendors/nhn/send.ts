// Sending a batch: messages on a retry are first looked up (NHN may have taken
// them already), the rest are planned into NHN requests (plan.ts) and sent a
// few at a time. Never throws for NHN's trouble; outcomes in input order.
import { createVendorFileCache, type UploadResult } from "../file-cache.ts";
import { failEvery, failedOutcome, missingResult } from "../outcomes.ts";
import type {
  OutboundImage,
  OutboundMessage,
  SendOutcome,
  VendorAccount,
  VendorError,
} from "../vendor.ts";
import { type Answer, callNhn, failureOf, forEachLimited } from "./http.ts";
import { vendorMessageIdOf } from "./ids.ts";
import { type MappedError, mapApiResult } from "./map.ts";
import { type PlannedRequest, planSend, productOf, refusalOf } from "./plan.ts";
import { findSent } from "./queries.ts";
import { configOf, type ProductConfig, productConfig } from "./settings.ts";
import {
  ATTACH_UPLOAD_PATH,
  type AttachUploadBody,
  isObject,
  type NhnProduct,
  sendResultsOf,
  type WireSendResult,
} from "./wire.ts";

/**
 * Requests in flight at once. NHN documents no rate limit; a batch of
 * personalized texts becomes up to 1,000 SMS requests (one body per request),
 * so some parallelism is needed, and a little is polite.
 */
const PARALLEL_REQUESTS = 8;

const MISSING_RESULT: VendorError = missingResult("NHN");

/** The outcome every remaining call of a product gets once one call showed NHN cannot take it. */
type Stop = { outcome: "retry" | "rejected"; error: VendorError };

/**
 * A whole-call failure that says the rest of the batch would fail the same
 * way for this product: NHN down or not answering (retry), or the
 * credentials refused (rejected). Not calling on saves a batch of 1,000
 * requests from waiting out 1,000 timeouts.
 */
function stopFor(failure: MappedError): Stop | null {
  if (failure.retryable) return { outcome: "retry", error: failure.error };
  if (failure.error.code === "AUTH_FAILED") return { outcome: "rejected", error: failure.error };
  return null;
}

export async function sendMessages(
  account: VendorAccount,
  messages: OutboundMessage[],
  now: Date,
): Promise<SendOutcome[]> {
  const config = configOf(account);
  const outcomes: (SendOutcome | null)[] = messages.map(() => null);
  const stopped = new Map<NhnProduct, Stop>();
  const stop = (product: NhnProduct, failure: MappedError) => {
    const found = stopFor(failure);
    if (found !== null && !stopped.has(product)) stopped.set(product, found);
  };

  const retried = messages
    .map((message, index) => ({ message, index }))
    .filter(({ message }) => message.attempt > 1 && refusalOf(config, message) === null);
  await forEachLimited(retried, PARALLEL_REQUESTS, async ({ message, index }) => {
    const product = productConfig(config, productOf(message)) as ProductConfig;
    const skip = stopped.get(product.product);
    if (skip !== undefined) {
      outcomes[index] = { id: message.id, ...skip };
      return;
    }
    const found = await findSent(product, config.timeoutMs, message, now);
    if ("failure" in found) {
      outcomes[index] = failedOutcome(message.id, found.failure);
      stop(product.product, found.failure);
    } else if (found.found !== null) {
      outcomes[index] = { id: message.id, outcome: "accepted", vendorMessageId: found.found };
    }
  });

  const attachments = await attachmentsOf(account, config, messages, outcomes);
  const requests = planSend(config, messages, outcomes, attachments);
  await forEachLimited(requests, PARALLEL_REQUESTS, async (request) => {
    const product = productConfig(config, request.product) as ProductConfig;
    const skip = stopped.get(request.product);
    let answered: SendOutcome[];
    if (skip !== undefined) {
      answered = request.indexes.map((i) => ({ id: messages[i]!.id, ...skip }));
    } else {
      const answer = await callNhn(product, config.timeoutMs, {
        method: "POST",
        path: request.path,
        body: request.body,
      });
      const failure = failureOf(product, answer);
      if (failure !== null) stop(request.product, failure);
      answered = outcomesOf(product, request, messages, answer);
    }
    request.indexes.forEach((index, k) => {
      outcomes[index] = answered[k]!;
    });
  });
  return outcomes.map(
    (o, i) => o ?? { id: messages[i]!.id, outcome: "retry", error: MISSING_RESULT },
  );
}

/**
 * NHN's attachment ids of the images we uploaded, per account: an MMS image
 * is uploaded once and its id reused in attachFileIdList (see file-cache.ts
 * for the bounds).
 */
const attachIds = createVendorFileCache();

/** Who uploaded, as /attachfile/binaryUpload requires it. */
const CREATE_USER = "alimi";

async function uploadImage(
  product: ProductConfig,
  timeoutMs: number,
  image: OutboundImage,
): Promise<UploadResult> {
  const body: AttachUploadBody = {
    // NHN takes lower-case jpg/jpeg names of at most 45 characters: our file id is both.
    fileName: `${image.fileId.slice(0, 40)}.jpg`,
    fileBody: image.data.toString("base64"),
    createUser: CREATE_USER,
  };
  const answer = await callNhn(product, timeoutMs, {
    method: "POST",
    path: ATTACH_UPLOAD_PATH,
    body,
  });
  const failure = failureOf(product, answer);
  if (failure !== null) return { ok: false, failure };
  const answered = (answer as { body: unknown }).body;
  const data =
    isObject(answered) && isObject(answered.body) && isObject(answered.body.data)
      ? answered.body.data
      : null;
  const fileId = data?.fileId;
  if (typeof fileId === "number" && Number.isInteger(fileId)) {
    return { ok: true, vendorFileId: String(fileId) };
  }
  return { ok: false, failure: { error: MISSING_FILE_ID, retryable: true } };
}

const MISSING_FILE_ID: VendorError = {
  code: "VENDOR_UNAVAILABLE",
  rawCode: "attachfile.malformed",
  message: "NHN's upload answer has no fileId",
};

/**
 * Each MMS's attachment ids, uploading the images this account has not
 * uploaded yet. A message whose upload failed gets its outcome in `outcomes`.
 */
async function attachmentsOf(
  account: VendorAccount,
  config: ReturnType<typeof configOf>,
  messages: OutboundMessage[],
  outcomes: (SendOutcome | null)[],
): Promise<Map<string, number[]>> {
  const found = new Map<string, number[]>();
  for (const [index, message] of messages.entries()) {
    if (outcomes[index] !== null || message.type !== "mms" || message.images.length === 0) continue;
    if (refusalOf(config, message) !== null) continue;
    const product = productConfig(config, "sms") as ProductConfig;
    const ids: number[] = [];
    for (const image of message.images) {
      const uploaded = await attachIds.resolve(account.id, image, (i) =>
        uploadImage(product, config.timeoutMs, i),
      );
      if (!uploaded.ok) {
        outcomes[index] = failedOutcome(message.id, uploaded.failure);
        break;
      }
      ids.push(Number(uploaded.vendorFileId));
    }
    if (outcomes[index] === null) found.set(message.id, ids);
  }
  return found;
}

/** NHN's answer to one request, per message of it, in the request's order. */
export function outcomesOf(
  product: ProductConfig,
  request: PlannedRequest,
  messages: OutboundMessage[],
  answer: Answer,
): SendOutcome[] {
  const batch = request.indexes.map((i) => messages[i]!);
  const failure = failureOf(product, answer);
  if (failure !== null) return failEvery(batch, failure);
  const sent = sendResultsOf(product.product, (answer as { body: unknown }).body);
  if (sent === null) {
    return batch.map((m) => ({ id: m.id, outcome: "retry", error: MISSING_RESULT }));
  }
  const byKey = new Map<string, WireSendResult>();
  for (const result of sent.results) {
    if (result.recipientGroupingKey !== null && !byKey.has(result.recipientGroupingKey)) {
      byKey.set(result.recipientGroupingKey, result);
    }
  }
  // NHN echoes our grouping key; should it not, results follow the recipient list.
  const byPosition = byKey.size === 0 && sent.results.length === batch.length;
  return batch.map((m, k): SendOutcome => {
    const result = byPosition ? sent.results[k] : byKey.get(m.id);
    if (result === undefined) return { id: m.id, outcome: "retry", error: MISSING_RESULT };
    if (result.resultCode === 0) {
      return {
        id: m.id,
        outcome: "accepted",
        vendorMessageId: vendorMessageIdOf({
          product: product.product,
          requestId: sent.requestId,
          recipientSeq: result.recipientSeq,
          fallback: false,
        }),
      };
    }
    const { error, retryable } = mapApiResult(
      product.product,
      result.resultCode,
      result.resultMessage,
    );
    return { id: m.id, outcome: retryable ? "retry" : "rejected", error };
  });
}
