// Our messages as SOLAPI message objects, and their packing into requests
// within SOLAPI's limits. Pure.
import type { AlimtalkButton, OutboundMessage, VendorError } from "../vendor.ts";
import { solapiTypeOf } from "./map.ts";
import {
  nationalNumber,
  OUR_ID_FIELD,
  SOLAPI_MAX_MESSAGES,
  SOLAPI_MAX_REQUEST_BYTES,
  type WireButton,
  type WireMessage,
} from "./wire.ts";

/** What the message mapping needs from the account's settings. */
export interface OutboundSettings {
  /** The Kakao channel's SOLAPI id ("KA01PF…"); required for Alimtalk. */
  pfId: string | null;
  /** Our template code → SOLAPI's templateId ("KA01TP…"); a code not listed is sent as is. */
  templateIds: Readonly<Record<string, string>>;
  /** Send the fallback text as a `replacements` entry when it differs from the Alimtalk text. */
  sendReplacements: boolean;
}

export type WireResult = { ok: true; wire: WireMessage } | { ok: false; error: VendorError };

/**
 * One message as SOLAPI takes it, or why it cannot be sent at all.
 *
 * Alimtalk goes in the documented "text" form: the rendered body as `text`,
 * with pfId, templateId and buttons in kakaoOptions (SOLAPI compares the text
 * with the registered template). The "variables" form would need the template
 * variables, which OutboundMessage does not carry.
 *
 * Native fallback (`nativeFallback` set): `disableSms: false`, and SOLAPI
 * sends the message's `text`/`subject` as SMS/LMS when Alimtalk fails. When
 * our fallback text is not the Alimtalk text, it goes as a `replacements`
 * entry, the form SOLAPI's own ASP example uses for "대체 발송 with the content
 * you want" (UNCONFIRMED in the API reference: setting `sendReplacements:
 * false` turns it off, and SOLAPI then replaces with the Alimtalk text).
 * Without a fallback: `disableSms: true`, so SOLAPI never sends an SMS we did
 * not price.
 */
export function toWireMessage(
  message: OutboundMessage,
  settings: OutboundSettings,
  imageId: string | null = null,
): WireResult {
  const to = nationalNumber(message.to);
  if (to === null) {
    return fail("INVALID_NUMBER", "to", "the SOLAPI adapter sends to Korean (+82) numbers only");
  }
  const wire: WireMessage = {
    to,
    ...(message.from === "" ? {} : { from: message.from }),
    type: solapiTypeOf(message.type),
    text: message.text,
    customFields: { [OUR_ID_FIELD]: message.id },
  };
  if (message.type !== "alimtalk") {
    if (message.type !== "sms" && message.subject) wire.subject = message.subject;
    if (message.type === "mms" && imageId !== null) wire.imageId = imageId;
    return { ok: true, wire };
  }
  if (message.alimtalk === null) {
    return fail("TEMPLATE_MISMATCH", "alimtalk", "an Alimtalk message without a template");
  }
  if (settings.pfId === null) {
    return fail("SENDER_NOT_REGISTERED", "settings.pfId", "the SOLAPI account has no pfId");
  }
  const { templateCode, buttons, vendorTemplateId } = message.alimtalk;
  const fallback = message.nativeFallback;
  wire.kakaoOptions = {
    pfId: settings.pfId,
    // The id SOLAPI gave the template Alimi registered through this account; else the
    // account's own mapping (templates registered outside Alimi); else the code itself.
    templateId:
      vendorTemplateId ??
      (Object.hasOwn(settings.templateIds, templateCode)
        ? settings.templateIds[templateCode]!
        : templateCode),
    disableSms: fallback === null,
    ...(buttons.length > 0 ? { buttons: buttons.map(toWireButton) } : {}),
  };
  if (fallback === null) return { ok: true, wire };
  if (fallback.text === message.text || !settings.sendReplacements) {
    if (fallback.subject) wire.subject = fallback.subject;
    return { ok: true, wire };
  }
  wire.replacements = [
    {
      to,
      from: message.from,
      type: fallback.type === "lms" ? "LMS" : "SMS",
      text: fallback.text,
      ...(fallback.subject ? { subject: fallback.subject } : {}),
    },
  ];
  return { ok: true, wire };
}

/** Our button as SOLAPI's (kakaoButton.ts field names). */
function toWireButton(button: AlimtalkButton): WireButton {
  return {
    buttonType: button.type,
    buttonName: button.name,
    ...(button.linkMobile ? { linkMo: button.linkMobile } : {}),
    ...(button.linkPc ? { linkPc: button.linkPc } : {}),
    ...(button.schemeAndroid ? { linkAnd: button.schemeAndroid } : {}),
    ...(button.schemeIos ? { linkIos: button.schemeIos } : {}),
  };
}

const fail = (code: VendorError["code"], rawCode: string, message: string): WireResult => ({
  ok: false,
  error: { code, rawCode, message },
});

/** The JSON of a send-many/detail request around already-serialized messages. */
export function sendBody(messages: string[], allowDuplicates: boolean): string {
  return `{"messages":[${messages.join(",")}],"allowDuplicates":${allowDuplicates},"showMessageList":true}`;
}

const ENVELOPE_BYTES = Buffer.byteLength(sendBody([], false));

/**
 * Splits serialized messages into requests of at most `maxMessages` messages
 * and `maxBytes` bytes of body each, in order. Returns [start, end) ranges.
 * A message too large on its own still gets a request (SOLAPI refuses it).
 */
export function planRequests(
  messages: readonly string[],
  limits: { maxMessages: number; maxBytes: number } = {
    maxMessages: SOLAPI_MAX_MESSAGES,
    maxBytes: SOLAPI_MAX_REQUEST_BYTES,
  },
): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  let bytes = ENVELOPE_BYTES;
  for (let i = 0; i < messages.length; i++) {
    // A comma before every message but the first of its request.
    const size = Buffer.byteLength(messages[i]!) + (i > start ? 1 : 0);
    if (i > start && (i - start >= limits.maxMessages || bytes + size > limits.maxBytes)) {
      ranges.push([start, i]);
      start = i;
      bytes = ENVELOPE_BYTES + size - 1;
    } else {
      bytes += size;
    }
  }
  if (messages.length > start) ranges.push([start, messages.length]);
  return ranges;
}
