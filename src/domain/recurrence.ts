// When a schedule runs: once, daily, on weekdays, on a day of the month or by
// a cron expression, at a wall-clock time in the schedule's time zone, inside
// validFrom–validUntil, and — with skipHolidays — never on a Korean public
// holiday (the occurrence's date in the schedule's zone).
//
// Daylight saving time is croner's: a time that does not exist (the hour
// skipped in spring) runs at the first valid time after the gap, and a time
// that exists twice (the hour repeated in autumn) runs once, the first time.
// A day of the month past a month's end (the 31st in April, the 29th–31st in
// February) runs on that month's last day.
import { Cron } from "croner";
import { HolidaysUnknownError, isKoreanHoliday } from "./korean-holidays.ts";
import { isTimeZone, localDate, wallClock } from "./time-zone.ts";

export { HolidaysUnknownError };

export type Repeat =
  | { kind: "once"; at: string }
  | { kind: "daily"; time: string }
  /** Weekdays 1 = Monday … 7 = Sunday. */
  | { kind: "weekly"; time: string; weekdays: number[] }
  /** 1–31; past a month's end: its last day. */
  | { kind: "monthly"; time: string; dayOfMonth: number }
  /** Five fields: minute hour day-of-month month day-of-week. */
  | { kind: "cron"; cron: string };

export interface Recurrence {
  repeat: Repeat;
  timeZone: string;
  validFrom: Date | null;
  validUntil: Date | null;
  skipHolidays: boolean;
}

export interface RecurrenceError {
  path: string;
  code: "INVALID_REPEAT" | "INVALID_TIME_ZONE" | "INVALID_VALIDITY";
  message: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** How many occurrences in a row may fall on holidays before the search gives up. */
const MAX_SKIPPED = 400;

/** Checks a schedule's recurrence: what is wrong, with where, or nothing. */
export function checkRecurrence(r: Recurrence): RecurrenceError[] {
  const errors: RecurrenceError[] = [];
  const bad = (path: string, code: RecurrenceError["code"], message: string) =>
    errors.push({ path, code, message });
  if (!isTimeZone(r.timeZone)) {
    bad("/timeZone", "INVALID_TIME_ZONE", `${r.timeZone} is not an IANA time zone`);
  }
  const repeat = r.repeat;
  if (repeat.kind !== "once" && repeat.kind !== "cron" && !TIME.test(repeat.time)) {
    bad("/repeat/time", "INVALID_REPEAT", "time is HH:MM, 00:00–23:59");
  }
  switch (repeat.kind) {
    case "once":
      if (Number.isNaN(Date.parse(repeat.at)) || !/[zZ]|[+-]\d\d:\d\d$/.test(repeat.at)) {
        bad("/repeat/at", "INVALID_REPEAT", "at is an ISO time with an offset");
      }
      break;
    case "weekly":
      if (
        repeat.weekdays.length === 0 ||
        repeat.weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)
      ) {
        bad("/repeat/weekdays", "INVALID_REPEAT", "weekdays are 1 (Monday) to 7 (Sunday)");
      }
      break;
    case "monthly":
      if (!Number.isInteger(repeat.dayOfMonth) || repeat.dayOfMonth < 1 || repeat.dayOfMonth > 31) {
        bad("/repeat/dayOfMonth", "INVALID_REPEAT", "dayOfMonth is 1–31");
      }
      break;
    case "cron":
      try {
        cronOf(repeat.cron, "UTC");
      } catch (err) {
        bad("/repeat/cron", "INVALID_REPEAT", `not a cron expression: ${(err as Error).message}`);
      }
      break;
  }
  if (r.validFrom && r.validUntil && r.validUntil <= r.validFrom) {
    bad("/validUntil", "INVALID_VALIDITY", "validUntil must be after validFrom");
  }
  return errors;
}

function cronOf(pattern: string, timeZone: string): Cron {
  return new Cron(pattern, { timezone: timeZone, mode: "5-part", paused: true });
}

function minuteHour(time: string): string {
  const [, hour, minute] = TIME.exec(time)!;
  return `${Number(minute)} ${Number(hour)}`;
}

/** The next wall-clock match strictly after an instant, holidays and validity aside. */
type Next = (after: Date) => Date | null;

function nextOf(repeat: Repeat, timeZone: string): Next {
  switch (repeat.kind) {
    case "once": {
      const at = new Date(repeat.at);
      return (after) => (at > after ? at : null);
    }
    case "daily": {
      const cron = cronOf(`${minuteHour(repeat.time)} * * *`, timeZone);
      return (after) => cron.nextRun(after);
    }
    case "weekly": {
      const days = [...new Set(repeat.weekdays.map((d) => d % 7))].sort().join(",");
      const cron = cronOf(`${minuteHour(repeat.time)} * * ${days}`, timeZone);
      return (after) => cron.nextRun(after);
    }
    case "monthly": {
      const day = repeat.dayOfMonth;
      const on = cronOf(`${minuteHour(repeat.time)} ${day} * *`, timeZone);
      if (day <= 28) return (after) => on.nextRun(after);
      // Months too short for the day run on their last day instead.
      const last = cronOf(`${minuteHour(repeat.time)} L * *`, timeZone);
      return (after) => {
        const onDay = on.nextRun(after);
        let lastDay = last.nextRun(after);
        while (lastDay && wallClock(lastDay, timeZone).day >= day) lastDay = last.nextRun(lastDay);
        if (!onDay) return lastDay;
        if (!lastDay) return onDay;
        return onDay < lastDay ? onDay : lastDay;
      };
    }
    case "cron": {
      const cron = cronOf(repeat.cron, timeZone);
      return (after) => cron.nextRun(after);
    }
  }
}

/**
 * The next `count` occurrences strictly after an instant (fewer when the
 * schedule ends). Throws HolidaysUnknownError when skipHolidays needs a year
 * whose holidays are not known.
 */
export function occurrencesAfter(r: Recurrence, after: Date, count: number): Date[] {
  const next = nextOf(r.repeat, r.timeZone);
  const found: Date[] = [];
  // Nothing runs before validFrom: search from just before it.
  let cursor = r.validFrom && r.validFrom > after ? new Date(r.validFrom.getTime() - 1) : after;
  let skipped = 0;
  while (found.length < count) {
    const at = next(cursor);
    if (!at || (r.validUntil && at > r.validUntil)) break;
    cursor = at;
    if (r.skipHolidays && isKoreanHoliday(localDate(at, r.timeZone))) {
      if (++skipped > MAX_SKIPPED) break;
      continue;
    }
    skipped = 0;
    found.push(at);
  }
  return found;
}

/** The next occurrence strictly after an instant, or null when there is none. */
export function nextOccurrence(r: Recurrence, after: Date): Date | null {
  return occurrencesAfter(r, after, 1)[0] ?? null;
}
