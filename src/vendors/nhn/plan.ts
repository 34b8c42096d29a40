// A batch of our messages as NHN send requests. Pure.
//
// NHN's send bodies constrain the grouping: an SMS/LMS/MMS request carries one
// body, one title and one sender number for all its recipients, so SMS-product
// messages are grouped by endpoint, sender and content; an Alimtalk request
// carries one sender key and one template, so Alimtalk messages are grouped by
// template (and by the fallback they ask NHN for, which our grouping key
// records). Each group is split into requests of at most 1,000 recipients.
// A message NHN cannot take at all is answered here and never sent.
import type { OutboundMessage, SendOutcome, VendorError } from "../vendor.ts";
import type { NhnConfig } from "./settings.ts";
import {
  type AlimtalkRecipient,
  type AlimtalkSendBody,
  type AlimtalkWireButton,
  alimtalkGroupingKey,
  NHN_MAX_RECIPIENTS,
  NHN_MMS_IMAGE_LIMITS,
  type NhnProduct,
  type ResendParameter,
  type SmsRecipient,
  type SmsSendBody,
  TEXT_GROUPING_KEY,
} from "./wire.ts";

export type PlannedRequest =
  | { product: "sms"; path: "/sender/sms" | "/sender/mms"; body: SmsSendBody; indexes: number[] }
  | { product: "alimtalk"; path: "/raw-messages"; body: AlimtalkSendBody; indexes: number[] };

/** An E.164 number as NHN takes it: national digits for +82, else country code and number. */
export function recipientOf(to: string): { national: string } | { international: string } | null {
  if (!/^\+[1-9]\d{6,14}$/.test(to)) return null;
  if (to.startsWith("+82")) return { national: `0${to.slice(3)}` };
  return { international: to.slice(1) };
}

/** The message's NHN product and endpoint. */
export function productOf(message: OutboundMessage): NhnProduct {
  return message.type === "alimtalk" ? "alimtalk" : "sms";
}

const rejection = (code: VendorError["code"], rawCode: string, message: string): VendorError => ({
  code,
  rawCode,
  message,
});

/** Why NHN cannot take this message at all, or null. */
export function refusalOf(config: NhnConfig, message: OutboundMessage): VendorError | null {
  const product = productOf(message);
  const setup = product === "sms" ? config.sms : config.alimtalk;
  if (typeof setup === "string") return rejection("AUTH_FAILED", `credentials.${product}`, setup);
  const recipient = recipientOf(message.to);
  if (recipient === null) {
    return rejection("INVALID_NUMBER", "recipientNo", `"${message.to}" is not an E.164 number`);
  }
  if (product === "alimtalk") {
    if (config.senderKey === null) {
      return rejection(
        "SENDER_NOT_REGISTERED",
        "settings.senderKey",
        "the NHN account has no Kakao sender key (settings.senderKey)",
      );
    }
    if (message.alimtalk === null) {
      return rejection("TEMPLATE_MISMATCH", "templateCode", "an Alimtalk message needs a template");
    }
    // NHN documents international Alimtalk only through its fallback rules,
    // not the recipient format: only +82 numbers are sent.
    if ("international" in recipient) {
      return rejection(
        "INVALID_NUMBER",
        "recipientNo",
        "NHN Alimtalk is sent to Korean (+82) numbers only",
      );
    }
    return null;
  }
  if (message.from === "") {
    return rejection("SENDER_NOT_REGISTERED", "sendNo", "an SMS/LMS/MMS needs a sender number");
  }
  if (message.type !== "sms" && "international" in recipient) {
    return rejection("INVALID_NUMBER", "-2024", "NHN sends LMS/MMS to Korean (+82) numbers only");
  }
  if (message.type === "mms") return imageRefusalOf(message);
  return null;
}

/**
 * An MMS NHN would not take with its images. Without any, /sender/mms would
 * quietly send an LMS, which is not what was asked (nor priced).
 */
function imageRefusalOf(message: OutboundMessage): VendorError | null {
  const { images } = message;
  if (images.length === 0) {
    return rejection("CONTENT_REJECTED", "images.missing", "an MMS needs at least one image");
  }
  if (images.length > NHN_MMS_IMAGE_LIMITS.count) {
    return rejection("CONTENT_REJECTED", "images.count", "NHN takes at most 3 images per MMS");
  }
  const total = images.reduce((sum, image) => sum + image.data.length, 0);
  if (total > NHN_MMS_IMAGE_LIMITS.totalBytes) {
    return rejection("CONTENT_REJECTED", "images.total", "NHN takes at most 800 KB of images");
  }
  return null;
}

function buttonsOf(message: OutboundMessage): AlimtalkWireButton[] {
  return (message.alimtalk?.buttons ?? []).map((b, i) => ({
    ordering: i + 1,
    type: b.type,
    name: b.name,
    ...(b.linkMobile === undefined ? {} : { linkMo: b.linkMobile }),
    ...(b.linkPc === undefined ? {} : { linkPc: b.linkPc }),
    ...(b.schemeIos === undefined ? {} : { schemeIos: b.schemeIos }),
    ...(b.schemeAndroid === undefined ? {} : { schemeAndroid: b.schemeAndroid }),
  }));
}

/**
 * NHN's fallback for an Alimtalk recipient. Without a native fallback we say
 * isResend false explicitly: left out, NHN applies the console's default and
 * might send a fallback we do not know of (and do not charge for).
 */
export function resendOf(message: OutboundMessage): ResendParameter {
  const fallback = message.nativeFallback;
  if (fallback === null) return { isResend: false };
  return {
    isResend: true,
    resendType: fallback.type === "sms" ? "SMS" : "LMS",
    resendContent: fallback.text,
    ...(fallback.type === "lms" && fallback.subject ? { resendTitle: fallback.subject } : {}),
    ...(message.from === "" ? {} : { resendSendNo: message.from }),
  };
}

/**
 * NHN requires a title on LMS/MMS. Without a subject, the text's first 20
 * characters (at most 40 EUC-KR bytes, the standard title size) stand in.
 */
export function titleOf(message: OutboundMessage): string {
  if (message.subject !== null && message.subject.trim() !== "") return message.subject;
  return [...message.text.replace(/\s+/g, " ").trim()].slice(0, 20).join("");
}

function smsRecipientOf(message: OutboundMessage): SmsRecipient {
  const recipient = recipientOf(message.to)!;
  return "national" in recipient
    ? { recipientNo: recipient.national, recipientGroupingKey: message.id }
    : { internationalRecipientNo: recipient.international, recipientGroupingKey: message.id };
}

function alimtalkRecipientOf(message: OutboundMessage): AlimtalkRecipient {
  const buttons = buttonsOf(message);
  return {
    recipientNo: (recipientOf(message.to) as { national: string }).national,
    content: message.text,
    ...(buttons.length > 0 ? { buttons } : {}),
    resendParameter: resendOf(message),
    recipientGroupingKey: message.id,
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The requests for the messages whose outcome is still null in `outcomes`
 * (filled here for those NHN cannot take), in first-appearance order.
 */
export function planSend(
  config: NhnConfig,
  messages: OutboundMessage[],
  outcomes: (SendOutcome | null)[],
  attachments: ReadonlyMap<string, number[]> = new Map(),
): PlannedRequest[] {
  const groups = new Map<string, number[]>();
  messages.forEach((message, i) => {
    if (outcomes[i] !== null) return;
    const refused = refusalOf(config, message);
    if (refused !== null) {
      outcomes[i] = { id: message.id, outcome: "rejected", error: refused };
      return;
    }
    const key =
      message.type === "alimtalk"
        ? JSON.stringify(["at", message.alimtalk!.templateCode, message.nativeFallback?.type])
        : JSON.stringify([
            message.type === "sms" ? "sms" : "mms",
            message.from,
            message.subject ?? "",
            message.text,
            attachments.get(message.id) ?? [],
          ]);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });

  const requests: PlannedRequest[] = [];
  for (const indexes of groups.values()) {
    for (const part of chunks(indexes, NHN_MAX_RECIPIENTS)) {
      const first = messages[part[0]!]!;
      if (first.type === "alimtalk") {
        requests.push({
          product: "alimtalk",
          path: "/raw-messages",
          indexes: part,
          body: {
            senderKey: config.senderKey!,
            templateCode: first.alimtalk!.templateCode,
            senderGroupingKey: alimtalkGroupingKey(first.nativeFallback?.type ?? null),
            recipientList: part.map((i) => alimtalkRecipientOf(messages[i]!)),
          },
        });
      } else {
        const isSms = first.type === "sms";
        const attached = attachments.get(first.id) ?? [];
        requests.push({
          product: "sms",
          path: isSms ? "/sender/sms" : "/sender/mms",
          indexes: part,
          body: {
            body: first.text,
            sendNo: first.from,
            ...(isSms ? {} : { title: titleOf(first) }),
            ...(attached.length > 0 ? { attachFileIdList: attached } : {}),
            senderGroupingKey: TEXT_GROUPING_KEY,
            recipientList: part.map((i) => smsRecipientOf(messages[i]!)),
          },
        });
      }
    }
  }
  return requests;
}
