import { describe, expect, it } from "vitest";
import { HOLIDAY_YEARS, koreanHolidays } from "./korean-holidays.ts";
import {
  checkRecurrence,
  HolidaysUnknownError,
  nextOccurrence,
  occurrencesAfter,
  type Recurrence,
  type Repeat,
} from "./recurrence.ts";

const seoul = (repeat: Repeat, more: Partial<Recurrence> = {}): Recurrence => ({
  repeat,
  timeZone: "Asia/Seoul",
  validFrom: null,
  validUntil: null,
  skipHolidays: false,
  ...more,
});
const runs = (r: Recurrence, after: string, count = 5) =>
  occurrencesAfter(r, new Date(after), count).map((d) => d.toISOString());

describe("recurrence", () => {
  it.each<[string, Repeat, string, string[]]>([
    [
      "daily, strictly after the instant",
      { kind: "daily", time: "09:00" },
      "2026-12-03T09:00:00+09:00",
      ["2026-12-04T00:00:00.000Z", "2026-12-05T00:00:00.000Z", "2026-12-06T00:00:00.000Z"],
    ],
    [
      "weekly on Monday, Wednesday and Friday",
      { kind: "weekly", time: "18:30", weekdays: [5, 1, 3] },
      "2026-12-02T19:00:00+09:00", // a Wednesday, after 18:30
      ["2026-12-04T09:30:00.000Z", "2026-12-07T09:30:00.000Z", "2026-12-09T09:30:00.000Z"],
    ],
    [
      "weekly on Sunday (7)",
      { kind: "weekly", time: "00:00", weekdays: [7] },
      "2026-12-01T00:00:00+09:00",
      ["2026-12-05T15:00:00.000Z", "2026-12-12T15:00:00.000Z", "2026-12-19T15:00:00.000Z"],
    ],
    [
      "monthly on the 31st: the last day of shorter months",
      { kind: "monthly", time: "10:00", dayOfMonth: 31 },
      "2027-01-01T00:00:00+09:00",
      ["2027-01-31T01:00:00.000Z", "2027-02-28T01:00:00.000Z", "2027-03-31T01:00:00.000Z"],
    ],
    [
      "monthly on the 30th: February's last day, then the 30th again",
      { kind: "monthly", time: "10:00", dayOfMonth: 30 },
      "2028-01-30T10:00:00+09:00",
      ["2028-02-29T01:00:00.000Z", "2028-03-30T01:00:00.000Z", "2028-04-30T01:00:00.000Z"],
    ],
    [
      "monthly on the 29th in a leap year and not",
      { kind: "monthly", time: "08:00", dayOfMonth: 29 },
      "2027-02-01T00:00:00+09:00",
      ["2027-02-27T23:00:00.000Z", "2027-03-28T23:00:00.000Z", "2027-04-28T23:00:00.000Z"],
    ],
    [
      "monthly on the 1st",
      { kind: "monthly", time: "09:00", dayOfMonth: 1 },
      "2026-12-15T00:00:00+09:00",
      ["2027-01-01T00:00:00.000Z", "2027-02-01T00:00:00.000Z", "2027-03-01T00:00:00.000Z"],
    ],
    [
      "cron on weekdays at 09:00",
      { kind: "cron", cron: "0 9 * * 1-5" },
      "2026-12-04T10:00:00+09:00", // a Friday
      ["2026-12-07T00:00:00.000Z", "2026-12-08T00:00:00.000Z", "2026-12-09T00:00:00.000Z"],
    ],
  ])("%s", (_, repeat, after, expected) => {
    expect(runs(seoul(repeat), after, 3)).toEqual(expected);
  });

  it("runs once, and never again", () => {
    const once = seoul({ kind: "once", at: "2026-12-24T09:00:00+09:00" });
    expect(runs(once, "2026-12-01T00:00:00Z")).toEqual(["2026-12-24T00:00:00.000Z"]);
    expect(runs(once, "2026-12-24T00:00:00Z")).toEqual([]);
  });

  it("stays inside validFrom and validUntil", () => {
    const r = seoul(
      { kind: "daily", time: "09:00" },
      {
        validFrom: new Date("2026-12-10T09:00:00+09:00"),
        validUntil: new Date("2026-12-12T09:00:00+09:00"),
      },
    );
    // validFrom itself is an occurrence; validUntil is the last one.
    expect(runs(r, "2026-12-01T00:00:00Z")).toEqual([
      "2026-12-10T00:00:00.000Z",
      "2026-12-11T00:00:00.000Z",
      "2026-12-12T00:00:00.000Z",
    ]);
    expect(nextOccurrence(r, new Date("2026-12-12T00:00:00Z"))).toBeNull();
  });

  describe("in a zone with daylight saving time (America/New_York)", () => {
    const ny = (repeat: Repeat) => ({ ...seoul(repeat), timeZone: "America/New_York" });
    it("keeps the wall-clock time across the change", () => {
      expect(runs(ny({ kind: "daily", time: "09:00" }), "2027-03-13T12:00:00-05:00", 2)).toEqual([
        "2027-03-14T13:00:00.000Z", // 09:00 EDT (UTC-4)
        "2027-03-15T13:00:00.000Z",
      ]);
      expect(runs(ny({ kind: "daily", time: "09:00" }), "2027-11-06T12:00:00-04:00", 2)).toEqual([
        "2027-11-07T14:00:00.000Z", // 09:00 EST (UTC-5)
        "2027-11-08T14:00:00.000Z",
      ]);
    });
    it("runs a time the spring skips at the end of the gap", () => {
      expect(runs(ny({ kind: "daily", time: "02:30" }), "2027-03-13T12:00:00-05:00", 2)).toEqual([
        "2027-03-14T07:00:00.000Z", // 02:30 does not exist: 03:00 EDT
        "2027-03-15T06:30:00.000Z",
      ]);
    });
    it("runs a time the autumn repeats once", () => {
      expect(runs(ny({ kind: "daily", time: "01:30" }), "2027-11-06T12:00:00-04:00", 2)).toEqual([
        "2027-11-07T05:30:00.000Z", // the first 01:30 (EDT) only
        "2027-11-08T06:30:00.000Z",
      ]);
    });
    it("puts a month's last day in its own zone", () => {
      const r = ny({ kind: "monthly", time: "23:30", dayOfMonth: 31 });
      expect(runs(r, "2027-04-01T00:00:00-04:00", 2)).toEqual([
        "2027-05-01T03:30:00.000Z", // 30 April 23:30 EDT
        "2027-06-01T03:30:00.000Z", // 31 May 23:30 EDT
      ]);
    });
  });

  describe("Korean public holidays", () => {
    it("knows lunar, substitute and one-year holidays", () => {
      expect(koreanHolidays("2026-09-25")).toEqual(["추석"]);
      expect(koreanHolidays("2027-02-09")).toEqual(["대체공휴일(설날)"]);
      expect(koreanHolidays("2026-10-05")).toEqual(["대체공휴일(개천절)"]);
      expect(koreanHolidays("2026-12-02")).toEqual([]);
    });

    it("skips them with skipHolidays, on the date in the schedule's zone", () => {
      const daily = { kind: "daily", time: "09:00" } as const;
      const chuseok = "2026-09-23T10:00:00+09:00";
      expect(runs(seoul(daily, { skipHolidays: true }), chuseok, 2)).toEqual([
        "2026-09-27T00:00:00.000Z",
        "2026-09-28T00:00:00.000Z",
      ]);
      expect(runs(seoul(daily), chuseok, 2)).toEqual([
        "2026-09-24T00:00:00.000Z",
        "2026-09-25T00:00:00.000Z",
      ]);
      // 23:30 on 23 September in Los Angeles is already the 24th in Seoul, but
      // not there: the schedule's own date decides.
      const la = { ...seoul({ kind: "daily", time: "23:30" }, { skipHolidays: true }) };
      la.timeZone = "America/Los_Angeles";
      expect(runs(la, "2026-09-23T00:00:00-07:00", 1)).toEqual(["2026-09-24T06:30:00.000Z"]);
    });

    it("says so past the years it knows, instead of guessing", () => {
      const r = seoul({ kind: "daily", time: "09:00" }, { skipHolidays: true });
      const last = `${HOLIDAY_YEARS.last}-12-30T12:00:00+09:00`;
      expect(() => runs(r, last, 5)).toThrow(HolidaysUnknownError);
      expect(() => runs(r, last, 5)).toThrow(`not for ${HOLIDAY_YEARS.last + 1}`);
      expect(runs(r, last, 1)).toEqual([`${HOLIDAY_YEARS.last}-12-31T00:00:00.000Z`]);
    });
  });

  describe("checks", () => {
    it.each<[Partial<Recurrence>, string, string]>([
      [{ repeat: { kind: "daily", time: "9:00" } }, "/repeat/time", "INVALID_REPEAT"],
      [{ repeat: { kind: "daily", time: "24:00" } }, "/repeat/time", "INVALID_REPEAT"],
      [
        { repeat: { kind: "weekly", time: "09:00", weekdays: [0] } },
        "/repeat/weekdays",
        "INVALID_REPEAT",
      ],
      [
        { repeat: { kind: "weekly", time: "09:00", weekdays: [] } },
        "/repeat/weekdays",
        "INVALID_REPEAT",
      ],
      [
        { repeat: { kind: "monthly", time: "09:00", dayOfMonth: 32 } },
        "/repeat/dayOfMonth",
        "INVALID_REPEAT",
      ],
      [{ repeat: { kind: "cron", cron: "0 9 * *" } }, "/repeat/cron", "INVALID_REPEAT"],
      [{ repeat: { kind: "cron", cron: "0 0 9 * * *" } }, "/repeat/cron", "INVALID_REPEAT"],
      [{ repeat: { kind: "once", at: "2026-12-24T09:00:00" } }, "/repeat/at", "INVALID_REPEAT"],
      [{ timeZone: "Asia/Busan" }, "/timeZone", "INVALID_TIME_ZONE"],
      [
        { validFrom: new Date("2027-01-01"), validUntil: new Date("2026-01-01") },
        "/validUntil",
        "INVALID_VALIDITY",
      ],
    ])("refuses %o", (more, path, code) => {
      const r = { ...seoul({ kind: "daily", time: "09:00" }), ...more };
      expect(checkRecurrence(r)).toEqual([expect.objectContaining({ path, code })]);
    });

    it("accepts what is right", () => {
      expect(checkRecurrence(seoul({ kind: "cron", cron: "*/15 9-18 * * 1-5" }))).toEqual([]);
    });
  });
});
