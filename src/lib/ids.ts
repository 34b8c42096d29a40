// Prefixed, time-ordered ids ("msg_01JD…"): a 48-bit millisecond timestamp and
// 80 random bits in Crockford base32, so ids sort by creation time and new
// rows land at the right edge of their index.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_CHARS = 16;

export type IdPrefix =
  | "org"
  | "usr"
  | "key"
  | "pln"
  | "led"
  | "mgn"
  | "snd"
  | "tpl"
  | "tcm"
  | "cmp"
  | "msg"
  | "req"
  | "vac"
  | "wrk"
  | "aud"
  | "kch"
  | "ct"
  | "grp"
  | "imp"
  | "fil"
  | "sch"
  | "run"
  | "bgw"
  | "room"
  | "rps"
  | "whe";

function encodeTime(ms: number): string {
  let out = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer, offset: number): string {
  let out = "";
  for (let i = 0; i < RANDOM_CHARS; i++) out += ALPHABET[(bytes[offset + i] ?? 0) & 31];
  return out;
}

export function newId(prefix: IdPrefix, now = Date.now()): string {
  return `${prefix}_${encodeTime(now)}${encodeRandom(randomBytes(RANDOM_CHARS), 0)}`;
}

/**
 * Many ids at once, with one call for randomness (bulk acceptance), sorted so
 * that a batch appends to its index in order instead of splitting pages at
 * random places.
 */
export function newIds(prefix: IdPrefix, count: number, now = Date.now()): string[] {
  const time = `${prefix}_${encodeTime(now)}`;
  const bytes = randomBytes(RANDOM_CHARS * count);
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) ids[i] = time + encodeRandom(bytes, i * RANDOM_CHARS);
  return ids.sort();
}
