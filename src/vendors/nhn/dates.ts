// NHN's date strings. They carry no zone ("2018-08-10 10:06:42.0",
// "2024-04-29T20:58:04", query parameters "yyyy-MM-dd HH:mm[:ss]"); the docs
// never say which, and we read and write them as Korea Standard Time
// (UNCONFIRMED). Handled leniently: a string that does carry a zone is read
// with it, an unreadable one gives null (the caller uses the time it received
// the report), and our query windows are wide enough that an hour's error
// cannot matter.

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const ZONED = /(?:Z|[+-]\d{2}:?\d{2})$/;

/** An NHN date string as an instant, or null when it is not one. */
export function parseNhnDate(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const text = value.trim();
  const match = LOCAL.exec(text);
  if (match) {
    const [, y, mo, d, h, mi, s, fraction] = match;
    const ms = Number((fraction ?? "0").slice(0, 3).padEnd(3, "0"));
    const utc =
      Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? "0"), ms) -
      KST_OFFSET_MS;
    const date = new Date(utc);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  if (!ZONED.test(text)) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** An instant as NHN's query format in KST: "yyyy-MM-dd HH:mm" or with ":ss". */
export function formatNhnDate(date: Date, options: { seconds: boolean }): string {
  const kst = new Date(date.getTime() + KST_OFFSET_MS).toISOString();
  return `${kst.slice(0, 10)} ${kst.slice(11, options.seconds ? 19 : 16)}`;
}
