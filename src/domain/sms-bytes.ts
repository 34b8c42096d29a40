export interface UnsupportedCharacter {
  /** 0-based position in code points (what a person counts), not UTF-16 units. */
  index: number;
  char: string;
  codePoint: number;
}

export type SmsBytesResult =
  | { ok: true; bytes: number }
  | { ok: false; bytes: number; unsupported: UnsupportedCharacter[] };

const MAX_REPORTED = 10;

let ksX1001: Uint8Array | null = null;

// Carriers count EUC-KR, i.e. ASCII plus the KS X 1001 double-byte set. WHATWG's "euc-kr"
// (TextDecoder, iconv-lite) is really windows-949 (CP949): *encoding* with it accepts the
// 8,822 extra syllables such as 똠 and 뷁 that carriers reject. Its A1–FE × A1–FE region,
// however, is exactly KS X 1001, so decoding only that region yields the right set.
function loadKsX1001(): Uint8Array {
  const set = new Uint8Array(0x10000);
  const decoder = new TextDecoder("euc-kr", { fatal: false });
  const pair = new Uint8Array(2);
  for (let lead = 0xa1; lead <= 0xfe; lead++) {
    for (let trail = 0xa1; trail <= 0xfe; trail++) {
      pair[0] = lead;
      pair[1] = trail;
      const unit = decoder.decode(pair).charCodeAt(0);
      // Rows C9 and FE are KS X 1001's user-defined area; they decode to private-use
      // code points that no phone can show, so they are not counted as sendable.
      if (unit === 0xfffd || (unit >= 0xe000 && unit <= 0xf8ff)) continue;
      set[unit] = 1;
    }
  }
  ksX1001 = set;
  return set;
}

/** Whether a code point can be sent in an SMS: ASCII or a KS X 1001 character. */
export function isSmsCharacter(codePoint: number): boolean {
  if (codePoint < 0x80) return true;
  if (codePoint > 0xffff) return false;
  return (ksX1001 ?? loadKsX1001())[codePoint] === 1;
}

/**
 * Counts SMS bytes the way carriers do (EUC-KR): ASCII 1 byte, KS X 1001 characters 2 bytes.
 * Characters outside EUC-KR are reported (first 10) and counted as 2 bytes each, the size
 * vendors bill them at when they substitute "?".
 */
export function countSmsBytes(text: string): SmsBytesResult {
  const set = ksX1001 ?? loadKsX1001();
  let bytes = 0;
  let index = 0;
  let unsupported: UnsupportedCharacter[] | null = null;
  const length = text.length;
  for (let i = 0; i < length; i++, index++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      bytes += 1;
      continue;
    }
    bytes += 2;
    if (set[unit] === 1) continue;
    let codePoint = unit;
    let end = i + 1;
    if (unit >= 0xd800 && unit <= 0xdbff && end < length) {
      const next = text.charCodeAt(end);
      if (next >= 0xdc00 && next <= 0xdfff) {
        codePoint = (unit - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
        end++;
      }
    }
    unsupported ??= [];
    if (unsupported.length < MAX_REPORTED) {
      unsupported.push({ index, char: text.slice(i, end), codePoint });
    }
    i = end - 1;
  }
  return unsupported === null ? { ok: true, bytes } : { ok: false, bytes, unsupported };
}

/** The byte count when every character can be sent, else -1: the allocation-free hot path. */
export function countSupportedSmsBytes(text: string): number {
  const set = ksX1001 ?? loadKsX1001();
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (set[unit] === 1) bytes += 2;
    else return -1;
  }
  return bytes;
}
