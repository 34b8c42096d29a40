import type { FieldError } from "./template.ts";
import { instantOf, wallClock } from "./time-zone.ts";

// The Network Act (Art. 50(4)) wants "(광고)" at the very start; vendors and regulators
// reject variants such as "(광 고)" or "[광고]", so the match is exact.
const AD_PREFIX = "(광고)";
// A free opt-out with an 080 number, as NHN's ad API enforces it: spaces, a colon and
// hyphens allowed ("무료수신거부 080-123-4567", "무료거부:0801234567").
const OPT_OUT = /(?:무료수신거부|무료거부)\s*:?\s*080[-\s]?\d{3,4}[-\s]?\d{4}(?!\d)/;
const LINE_BREAK = /\r\n|\r|\n/;

/** Checks the markings an advertising SMS must carry: the "(광고)" prefix and a free 080 opt-out. */
export function checkAdvertisingText(text: string, path = "/text"): FieldError[] {
  const errors: FieldError[] = [];
  if (!text.startsWith(AD_PREFIX)) {
    errors.push({
      path,
      code: "AD_PREFIX_MISSING",
      message:
        'An advertising message must start with "(광고)" exactly: no leading spaces and no variants such as "(광 고)" or "[광고]".',
    });
  }
  if (!OPT_OUT.test(lastNonEmptyLine(text))) {
    errors.push({
      path,
      code: "AD_OPT_OUT_MISSING",
      message:
        'The last line of an advertising message must offer a free opt-out with an 080 number, such as "무료수신거부 080-123-4567".',
    });
  }
  return errors;
}

function lastNonEmptyLine(text: string): string {
  const lines = text.split(LINE_BREAK);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim() ?? "";
    if (line !== "") return line;
  }
  return "";
}

// Korea has used UTC+9 without daylight saving since 1988.
const KST_OFFSET_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;
const NIGHT_STARTS_MS = 21 * 3_600_000;
const MORNING_MS = 8 * 3_600_000;

/** Whether an instant falls in the advertising night, 21:00 ≤ time < 08:00 in Asia/Seoul. */
export function isNightTimeKst(at: Date): boolean {
  const local = toKstMs(at);
  const timeOfDay = local - Math.floor(local / DAY_MS) * DAY_MS;
  return timeOfDay >= NIGHT_STARTS_MS || timeOfDay < MORNING_MS;
}

/** The first 08:00 Asia/Seoul at or after an instant (when deferred advertising may go out). */
export function nextMorningKst(at: Date): Date {
  const local = toKstMs(at);
  let morning = Math.floor(local / DAY_MS) * DAY_MS + MORNING_MS;
  if (morning < local) morning += DAY_MS;
  return new Date(morning - KST_OFFSET_MS);
}

function toKstMs(at: Date): number {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new RangeError("Invalid Date");
  return ms + KST_OFFSET_MS;
}

const NIGHT_START_HOUR = 21;
const MORNING_HOUR = 8;

/** Whether an instant falls in the advertising night, 21:00 ≤ time < 08:00, in a time zone. */
export function isNightTime(at: Date, timeZone: string): boolean {
  const { hour } = wallClock(at, timeZone);
  return hour >= NIGHT_START_HOUR || hour < MORNING_HOUR;
}

/** The first 08:00 in a time zone at or after an instant. */
export function nextMorning(at: Date, timeZone: string): Date {
  const wall = wallClock(at, timeZone);
  const today = instantOf({ ...wall, hour: MORNING_HOUR }, timeZone);
  if (today.getTime() >= at.getTime()) return today;
  const tomorrow = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + 1));
  return instantOf(
    {
      year: tomorrow.getUTCFullYear(),
      month: tomorrow.getUTCMonth() + 1,
      day: tomorrow.getUTCDate(),
      hour: MORNING_HOUR,
    },
    timeZone,
  );
}
