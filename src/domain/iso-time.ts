// RFC 3339 / ISO 8601 date-time with a mandatory offset; a time without one is ambiguous
// (whose local time?), so it is refused rather than guessed.
const OFFSET_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:[Zz]|([+-])(\d{2}):?(\d{2}))$/;

/** Parses "2026-12-25T10:00:00+09:00" (seconds, fraction optional; Z or ±hh:mm required); null when invalid. */
export function parseOffsetDateTime(text: string): Date | null {
  const match = OFFSET_DATE_TIME.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second = "0", fraction = ""] = match;
  const [sign, offsetHours, offsetMinutes] = match.slice(8);
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  let offsetMs = 0;
  if (sign !== undefined) {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return null;
    offsetMs = (sign === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const ms = Number(fraction.slice(0, 3).padEnd(3, "0"));
  // Date.UTC reads years 0–99 as 1900–1999, so the year is set on its own.
  const local = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  local.setUTCFullYear(y);
  return new Date(local.getTime() - offsetMs);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const LOCAL_PARTS = new Map<string, Intl.DateTimeFormat>();

/**
 * The instant as the wall-clock time of a time zone, with that zone's offset then:
 * "2026-12-01T21:05:00+09:00" for 12:05Z in Asia/Seoul. Seconds, no fraction: for people.
 */
export function formatLocalTime(at: Date, timeZone: string): string {
  let format = LOCAL_PARTS.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    LOCAL_PARTS.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(at)) parts[part.type] = part.value;
  const year = Number(parts.year);
  const wall = Date.UTC(
    year,
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const seconds = Math.floor(at.getTime() / 1000) * 1000;
  const offsetMinutes = Math.round((wall - seconds) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  const date = `${String(year).padStart(4, "0")}-${parts.month}-${parts.day}`;
  return `${date}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
