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
