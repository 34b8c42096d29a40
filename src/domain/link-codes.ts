// Tracked links' codes: `{key}{slot}{mac}`, CODE_LENGTH characters of base62.
//
//   key   6  the campaign link (a random key per distinct URL of a campaign)
//   slot  4  the recipient's index in the campaign × 4 + the type of the
//            message that carried the link (alimtalk, sms, lms, mms)
//   mac   5  HMAC-SHA256 of key and slot under the link's secret, truncated
//
// A link's secret is derived from the server's signing key and the link key
// (HMAC), so a code is checked in memory, before any lookup, and a forged or
// mistyped one costs no database read; the campaign's content keeps each
// link's secret, so the dispatcher makes codes without the signing key.
// Fixed length: a text's bytes are known at acceptance, and a code that a
// phone's link detection ran on into the next word ("…/r/CODE에서") is still
// read. 62^5 MACs make guessing another recipient's code a matter of some
// 900 million tries, each a 404 that counts against the caller's address.
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import type { MessageType } from "./message-content.ts";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const LINK_KEY_LENGTH = 6;
const SLOT_LENGTH = 4;
const MAC_LENGTH = 5;
export const CODE_LENGTH = LINK_KEY_LENGTH + SLOT_LENGTH + MAC_LENGTH;

const TYPES: readonly MessageType[] = ["alimtalk", "sms", "lms", "mms"];
/** The highest recipient index a code can carry (62^4 / 4 − 1: 3,694,083). */
export const MAX_CODE_RECIPIENT_INDEX = Math.floor(62 ** SLOT_LENGTH / TYPES.length) - 1;

const BASE62 = /^[0-9A-Za-z]+$/;

/**
 * A key for HMAC: a KeyObject where it is used many times (createHmac with
 * raw bytes prepares a new key object on every call, several times the cost
 * of the HMAC itself).
 */
export type HmacKey = KeyObject | Uint8Array;

export function isLinkKey(text: string): boolean {
  return text.length === LINK_KEY_LENGTH && BASE62.test(text);
}

/** A new link key from random bytes (at least LINK_KEY_LENGTH of them). */
export function linkKeyFrom(random: Uint8Array): string {
  let key = "";
  // 62 × 4 = 248: bytes at or above it are skipped, so every character is equally likely.
  for (const byte of random) {
    if (byte >= 248) continue;
    key += ALPHABET[byte % 62];
    if (key.length === LINK_KEY_LENGTH) return key;
  }
  throw new Error("linkKeyFrom: not enough random bytes");
}

/** The secret a link's codes are signed with, from the server's signing key. */
export function linkSecretOf(signingKey: HmacKey, linkKey: string): Buffer {
  return createHmac("sha256", signingKey).update(`alimi-link:${linkKey}`).digest().subarray(0, 16);
}

function encode(value: number, width: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function decode(text: string): number {
  let value = 0;
  for (const char of text) value = value * 62 + ALPHABET.indexOf(char);
  return value;
}

function macOf(secret: HmacKey, keyAndSlot: string): string {
  const digest = createHmac("sha256", secret).update(keyAndSlot).digest();
  // 48 bits reduced to 62^5: the bias is below one part in 300,000.
  return encode(digest.readUIntBE(0, 6) % 62 ** MAC_LENGTH, MAC_LENGTH);
}

/** The code of one link for one message: the recipient's index and the message's type. */
export function encodeLinkCode(options: {
  key: string;
  secret: HmacKey;
  recipientIndex: number;
  type: MessageType;
}): string {
  const { key, secret, recipientIndex, type } = options;
  if (
    !Number.isInteger(recipientIndex) ||
    recipientIndex < 0 ||
    recipientIndex > MAX_CODE_RECIPIENT_INDEX
  ) {
    throw new Error(`recipient index ${recipientIndex} cannot be carried by a link code`);
  }
  const slot = encode(recipientIndex * TYPES.length + TYPES.indexOf(type), SLOT_LENGTH);
  return `${key}${slot}${macOf(secret, key + slot)}`;
}

export interface LinkCode {
  key: string;
  recipientIndex: number;
  type: MessageType;
}

export type LinkCodeReader = (segment: string) => LinkCode | null;

/**
 * Reads the code at the start of a redirect path segment (anything after
 * CODE_LENGTH characters is ignored) and checks its MAC: null when it is not
 * a code made with this signing key. The secrets of the most recently read
 * link keys are kept (up to `cacheSize`), so a link's clicks cost one HMAC
 * each, and a forged key two.
 */
export function createLinkCodeReader(signingKey: Uint8Array, cacheSize = 10_000): LinkCodeReader {
  const master = createSecretKey(signingKey);
  const secrets = new Map<string, KeyObject>();
  const secretOf = (key: string): KeyObject => {
    let secret = secrets.get(key);
    if (secret === undefined) {
      secret = createSecretKey(linkSecretOf(master, key));
      if (cacheSize > 0) {
        if (secrets.size >= cacheSize) secrets.delete(secrets.keys().next().value as string);
        secrets.set(key, secret);
      }
    }
    return secret;
  };
  return (segment) => readCode(segment, secretOf);
}

/** One code read with the signing key (createLinkCodeReader reads many). */
export function decodeLinkCode(segment: string, signingKey: Uint8Array): LinkCode | null {
  return createLinkCodeReader(signingKey, 0)(segment);
}

function readCode(segment: string, secretOf: (key: string) => HmacKey): LinkCode | null {
  const code = segment.slice(0, CODE_LENGTH);
  if (code.length !== CODE_LENGTH || !BASE62.test(code)) return null;
  const key = code.slice(0, LINK_KEY_LENGTH);
  const keyAndSlot = code.slice(0, LINK_KEY_LENGTH + SLOT_LENGTH);
  const expected = Buffer.from(macOf(secretOf(key), keyAndSlot));
  if (!timingSafeEqual(expected, Buffer.from(code.slice(LINK_KEY_LENGTH + SLOT_LENGTH)))) {
    return null;
  }
  const slot = decode(keyAndSlot.slice(LINK_KEY_LENGTH));
  return {
    key,
    recipientIndex: Math.floor(slot / TYPES.length),
    type: TYPES[slot % TYPES.length] as MessageType,
  };
}
