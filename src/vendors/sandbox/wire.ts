// The sandbox's HTTP API as JSON shapes, shared by the fake server and our
// client, and the server's check of a send request. Pure.
//
//   Every request: Authorization: Bearer <the account's apiKey>; any other → 401.
//   POST /sandbox/v1/messages
//     { messages: WireMessage[] (≤ 1,000),
//       images?: { [fileId]: WireImage } }   (each MMS names 1–3 of them in imageIds)
//     200 { results: WireSendResult[] (same order), accepted, failed }
//     Reports go to the account's own webhook (accounts.ts), signed with its
//     webhook secret. `webhookUrl` and `signingSecret` may still be named,
//     but only as they are: a request naming others is refused (400), since
//     quietly sending elsewhere than asked would hide a client's mistake.
//   POST /sandbox/v1/messages/status   { messageIds: string[] (≤ 1,000) }
//     200 { results: WireStatusItem[], unknown: string[] }
//     Only the caller's own messages: another account's ids are `unknown`.
//   GET  /sandbox/v1/balance
//     200 { balance, currency }
//   Any other answer: { errorCode, errorMessage } with 400, 401, 413 or 503.
import type { MessageType } from "../../domain/message-content.ts";
import type { SandboxErrorCode, SandboxStatus } from "./map.ts";

export const SANDBOX_MAX_BATCH = 1000;

/** What the sandbox takes as MMS images: 1–3 JPEG of at most 300 KB each (Alimi's own limits). */
export const SANDBOX_IMAGE_LIMITS = { count: 3, bytes: 300 * 1024 } as const;

/**
 * An MMS image, carried once per request however many of its messages use
 * it: a campaign's batch of 1,000 MMS with one image holds it once.
 */
export interface WireImage {
  name: string;
  mime: "image/jpeg";
  /** The file's bytes, base64. */
  data: string;
}

export interface WireMessage {
  /** Our message id: the sandbox's deduplication key, echoed in every report. */
  customId: string;
  to: string;
  from: string;
  type: MessageType;
  text: string;
  subject: string | null;
  templateCode: string | null;
  buttons: unknown[];
  /** What to send instead if Alimtalk fails (the vendor's native fallback). */
  fallback: { type: "sms" | "lms"; text: string; subject: string | null } | null;
  /** MMS only: keys of the request's `images`, in order. */
  imageIds: string[];
}

export interface WireSendRequest {
  /** Where the reports go: the account's own webhook, and only that (optional). */
  webhookUrl?: string;
  /** The key the reports are signed with: the account's webhook secret, and only that (optional). */
  signingSecret?: string;
  messages: WireMessage[];
  /** The MMS images of this request's messages, by our file id. */
  images?: Record<string, WireImage>;
}

export type WireSendResult =
  | {
      customId: string;
      status: "ACCEPTED";
      /** The sandbox's id ("sbx_…"): the same again when the customId was seen before. */
      messageId: string;
      duplicate: boolean;
    }
  | { customId: string | null; status: "FAILED"; errorCode: string; errorMessage: string };

export interface WireSendResponse {
  results: WireSendResult[];
  accepted: number;
  failed: number;
}

export interface WireErrorBody {
  errorCode: SandboxErrorCode;
  errorMessage: string;
}

/** One report, as POSTed to the webhook. */
export interface WireReport {
  /** The sandbox id the report is about (a native fallback has its own). */
  messageId: string;
  /** Our message id; for a native fallback, the id of the Alimtalk message it replaces. */
  customId: string | null;
  type: MessageType;
  status: SandboxStatus;
  errorCode: string | null;
  errorMessage: string | null;
  /** For a native fallback: the sandbox id of the Alimtalk message. */
  fallbackOf: string | null;
  /** When it happened (ISO 8601): "SENT" at acceptance, final results one delay later. */
  occurredAt: string;
}

/** The body of one webhook POST. The same batch is POSTed again, unchanged, when a POST fails. */
export interface WireReportBatch {
  batchId: string;
  reports: WireReport[];
}

/** A poll answer for one id; "PENDING" until a final result is known. */
export interface WireStatusItem extends Omit<WireReport, "status" | "occurredAt"> {
  status: "DELIVERED" | "FAILED" | "PENDING";
  occurredAt: string | null;
  /** The native fallback sent for this Alimtalk message, when there was one. */
  fallback: WireStatusItem | null;
}

export interface WireStatusResponse {
  results: WireStatusItem[];
  /** Asked-for ids the sandbox never issued. */
  unknown: string[];
}

/** A message of a request, or why it cannot be sent (answered as FAILED in its place). */
export type CheckedMessage =
  | { ok: true; message: WireMessage }
  | { ok: false; customId: string | null; error: SandboxErrorCode };

export type CheckedSendRequest =
  | {
      ok: true;
      /** What the request named as its report target, if anything (see the header). */
      webhookUrl: string | null;
      signingSecret: string | null;
      messages: CheckedMessage[];
    }
  | { ok: false; status: 400 | 413; error: SandboxErrorCode; message: string };

const TYPES = new Set<string>(["alimtalk", "sms", "lms", "mms"]);

/**
 * Checks a send request the way a vendor does: a malformed envelope refuses
 * the whole request, a malformed message fails only that message.
 */
export function checkSendRequest(body: unknown): CheckedSendRequest {
  if (!isObject(body)) return invalid("the body must be a JSON object");
  const { webhookUrl, signingSecret, messages, images } = body;
  if (webhookUrl !== undefined && (typeof webhookUrl !== "string" || !isHttpUrl(webhookUrl))) {
    return invalid("webhookUrl must be an http(s) URL");
  }
  if (signingSecret !== undefined && (typeof signingSecret !== "string" || signingSecret === "")) {
    return invalid("signingSecret must be a non-empty string");
  }
  if (!Array.isArray(messages)) return invalid("messages must be an array");
  if (messages.length > SANDBOX_MAX_BATCH) {
    return {
      ok: false,
      status: 413,
      error: "request.too_many_messages",
      message: `a request carries at most ${SANDBOX_MAX_BATCH} messages, this one ${messages.length}`,
    };
  }
  if (images !== undefined && images !== null && !isObject(images)) {
    return invalid("images must be an object keyed by file id");
  }
  const valid = validImageIds(images ?? {});
  return {
    ok: true,
    webhookUrl: webhookUrl ?? null,
    signingSecret: signingSecret ?? null,
    messages: messages.map((m) => checkMessage(m, valid)),
  };
}

/** The ids of the request's images that are JPEG files of at most 300 KB in base64. */
function validImageIds(images: Record<string, unknown>): Set<string> {
  const valid = new Set<string>();
  for (const [id, image] of Object.entries(images)) {
    if (!isObject(image) || image.mime !== "image/jpeg" || typeof image.name !== "string") continue;
    if (typeof image.data !== "string" || !/^[A-Za-z0-9+/]+=*$/.test(image.data)) continue;
    const data = Buffer.from(image.data, "base64");
    const jpeg = data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
    if (jpeg && data.length <= SANDBOX_IMAGE_LIMITS.bytes) valid.add(id);
  }
  return valid;
}

/** An MMS names 1–3 valid images of its request; other types name none. */
function checkImageIds(type: string, imageIds: unknown, valid: Set<string>): string[] | null {
  const ids = imageIds === undefined || imageIds === null ? [] : imageIds;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) return null;
  if (type !== "mms") return ids.length === 0 ? [] : null;
  if (ids.length === 0 || ids.length > SANDBOX_IMAGE_LIMITS.count) return null;
  return ids.every((id) => valid.has(id)) ? (ids as string[]) : null;
}

function checkMessage(value: unknown, validImages: Set<string> = new Set()): CheckedMessage {
  if (!isObject(value)) return { ok: false, customId: null, error: "request.invalid_message" };
  const customId =
    typeof value.customId === "string" && value.customId !== "" ? value.customId : null;
  const fail = (error: SandboxErrorCode): CheckedMessage => ({ ok: false, customId, error });
  const { to, from, type, text, subject, templateCode, buttons, fallback, imageIds } = value;
  if (customId === null || customId.length > 100) return fail("request.invalid_message");
  if (typeof to !== "string") return fail("request.invalid_number");
  if (typeof type !== "string" || !TYPES.has(type)) return fail("request.invalid_message");
  if (typeof text !== "string" || text === "") return fail("request.invalid_message");
  if (!isOptional(from, "string") || !isOptional(subject, "string")) {
    return fail("request.invalid_message");
  }
  if (!isOptional(templateCode, "string")) return fail("request.invalid_message");
  if (buttons !== undefined && buttons !== null && !Array.isArray(buttons)) {
    return fail("request.invalid_message");
  }
  if (type === "alimtalk" && (typeof templateCode !== "string" || templateCode === "")) {
    return fail("request.template_required");
  }
  const checkedFallback = checkFallback(fallback);
  if (checkedFallback === undefined) return fail("request.invalid_message");
  const checkedImages = checkImageIds(type, imageIds, validImages);
  if (checkedImages === null) return fail("request.invalid_image");
  return {
    ok: true,
    message: {
      customId,
      to,
      from: (from as string | null | undefined) ?? "",
      type: type as MessageType,
      text,
      subject: (subject as string | null | undefined) ?? null,
      templateCode: (templateCode as string | null | undefined) ?? null,
      buttons: (buttons as unknown[] | null | undefined) ?? [],
      fallback: checkedFallback,
      imageIds: checkedImages,
    },
  };
}

/** The fallback, null when absent, undefined when malformed. */
function checkFallback(value: unknown): WireMessage["fallback"] | undefined {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return undefined;
  const { type, text, subject } = value;
  if (type !== "sms" && type !== "lms") return undefined;
  if (typeof text !== "string" || text === "" || !isOptional(subject, "string")) return undefined;
  return { type, text, subject: (subject as string | null | undefined) ?? null };
}

export type CheckedStatusRequest =
  | { ok: true; messageIds: string[] }
  | { ok: false; status: 400 | 413; error: SandboxErrorCode; message: string };

export function checkStatusRequest(body: unknown): CheckedStatusRequest {
  if (!isObject(body) || !Array.isArray(body.messageIds)) {
    return invalid("the body must be { messageIds: string[] }");
  }
  const ids = body.messageIds;
  if (ids.length > SANDBOX_MAX_BATCH) {
    return {
      ok: false,
      status: 413,
      error: "request.too_many_messages",
      message: `a poll asks for at most ${SANDBOX_MAX_BATCH} ids, this one ${ids.length}`,
    };
  }
  if (!ids.every((id) => typeof id === "string")) return invalid("messageIds must be strings");
  return { ok: true, messageIds: ids as string[] };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isOptional = (value: unknown, type: "string") =>
  value === undefined || value === null || typeof value === type;

function isHttpUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === "http:" || url.protocol === "https:");
}

const invalid = (message: string) =>
  ({ ok: false, status: 400, error: "request.invalid", message }) as const;
