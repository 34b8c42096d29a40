// Our vendor message ids for Aligo, and the recipient number Aligo wants.
//
// Aligo has no per-message id at send time: it answers one `mid` per request
// (`msg_id` for SMS, `info.mid` for Alimtalk), and its result endpoints list
// that request's receivers by phone number. So our vendorMessageId is
//
//   `${channel}:${mid}:${receiver}`      e.g. "lms:583009869:01012345678"
//   `${alimtalkId}:fallback`             the SMS/LMS Aligo sent when Alimtalk failed
//
// where channel is the message type ("sms" | "lms" | "mms") or "at" for
// Alimtalk (Aligo's own name), which tells `poll` which API to ask and what
// type the report is about. The receiver makes it unique within the request:
// `send` never puts the same number twice into one request.
//
// Aligo does not deduplicate by any client key, so our message id is not sent.
import type { MessageType } from "../../domain/message-content.ts";

export type AligoChannel = "sms" | "lms" | "mms" | "at";

export interface AligoMessageRef {
  channel: AligoChannel;
  mid: string;
  /** National digits ("01012345678"). */
  receiver: string;
}

/** A parsed id: a message `send` returned, or (Alimtalk only) Aligo's fallback of it. */
export interface ParsedVendorMessageId extends AligoMessageRef {
  fallback: boolean;
}

const ID = /^(sms|lms|mms|at):(\d{1,20}):(0\d{8,11})(:fallback)?$/;

export const channelOf = (type: MessageType): AligoChannel => (type === "alimtalk" ? "at" : type);

export const typeOfChannel = (channel: AligoChannel): MessageType =>
  channel === "at" ? "alimtalk" : channel;

export const vendorMessageIdOf = (ref: AligoMessageRef): string =>
  `${ref.channel}:${ref.mid}:${ref.receiver}`;

export const fallbackIdOf = (vendorMessageId: string): string => `${vendorMessageId}:fallback`;

/** The parts of one of our Aligo ids, or null for anything else. */
export function parseVendorMessageId(vendorMessageId: string): ParsedVendorMessageId | null {
  const match = ID.exec(vendorMessageId);
  if (match === null) return null;
  const channel = match[1] as AligoChannel;
  const fallback = match[4] !== undefined;
  if (fallback && channel !== "at") return null;
  return { channel, mid: match[2]!, receiver: match[3]!, fallback };
}

/**
 * The national form of a Korean E.164 number ("+821012345678" → "01012345678"),
 * or null: Aligo delivers to Korean numbers only.
 */
export function nationalNumberOf(e164: string): string | null {
  const match = /^\+82(\d{8,11})$/.exec(e164);
  if (match === null) return null;
  const rest = match[1]!;
  // E.164 drops the trunk 0; tolerate a number that kept it.
  const national = rest.startsWith("0") ? rest : `0${rest}`;
  return /^0\d{8,11}$/.test(national) ? national : null;
}
