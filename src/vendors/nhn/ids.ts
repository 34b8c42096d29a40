// Our vendor message ids for NHN. NHN names a message by (requestId,
// recipientSeq) in every send answer, webhook hook and result query; the
// product goes in front because the two products are asked at different hosts:
//
//   sms:{requestId}:{recipientSeq}                  SMS, LMS, MMS
//   alimtalk:{requestId}:{recipientSeq}             Alimtalk
//   alimtalk:{requestId}:{recipientSeq}:fallback    NHN's SMS/LMS fallback of it
//
// NHN reports a fallback on the Alimtalk recipient itself (resend fields), so
// the fallback's id is synthesized from the Alimtalk one.
import type { NhnProduct } from "./wire.ts";

export interface NhnMessageRef {
  product: NhnProduct;
  requestId: string;
  recipientSeq: number;
  /** The native fallback of an Alimtalk message. */
  fallback: boolean;
}

const PATTERN = /^(sms|alimtalk):([A-Za-z0-9_-]{1,64}):(\d{1,9})(:fallback)?$/;

export function vendorMessageIdOf(ref: NhnMessageRef): string {
  const base = `${ref.product}:${ref.requestId}:${ref.recipientSeq}`;
  return ref.fallback ? `${base}:fallback` : base;
}

/** The parts of one of our NHN vendor message ids, or null when it is not one. */
export function parseVendorMessageId(vendorMessageId: string): NhnMessageRef | null {
  const match = PATTERN.exec(vendorMessageId);
  if (!match) return null;
  const product = match[1] as NhnProduct;
  const fallback = match[4] !== undefined;
  if (fallback && product !== "alimtalk") return null;
  return { product, requestId: match[2]!, recipientSeq: Number(match[3]), fallback };
}
