import { describe, expect, it } from "vitest";
import type { Recurrence } from "./recurrence.ts";
import { decideDue } from "./schedule-due.ts";

const every15: Recurrence = {
  repeat: { kind: "cron", cron: "*/15 * * * *" },
  timeZone: "Asia/Seoul",
  validFrom: null,
  validUntil: null,
  skipHolidays: false,
};
const at = (hhmm: string) => new Date(`2026-12-02T${hhmm}:00+09:00`);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString().slice(11, 16));
const decide = (due: string, now: string, policy: "catch_up" | "skip", graceMinutes = 60) =>
  decideDue({
    recurrence: every15,
    due: at(due),
    now: at(now),
    policy,
    graceMs: graceMinutes * 60_000,
    onTimeMs: 60_000,
  });

describe("due schedules", () => {
  it("runs an occurrence found on time, and waits for the next", () => {
    const d = decide("10:00", "10:00", "skip");
    expect(iso(d.run)).toEqual(["01:00"]);
    expect(d.skipped).toEqual([]);
    expect(d.next?.toISOString()).toBe("2026-12-02T01:15:00.000Z");
  });

  it("catches up the occurrences missed within the grace window, and skips older ones", () => {
    // Down from 09:50 to 11:20: 10:00 … 11:15 were missed; grace 60 minutes.
    const d = decide("10:00", "11:20", "catch_up");
    expect(iso(d.skipped)).toEqual(["01:00", "01:15"]);
    expect(iso(d.run)).toEqual(["01:30", "01:45", "02:00", "02:15"]);
    expect(d.next?.toISOString()).toBe("2026-12-02T02:30:00.000Z");
  });

  it("skips every missed occurrence under skip", () => {
    const d = decide("10:00", "10:40", "skip");
    expect(iso(d.skipped)).toEqual(["01:00", "01:15", "01:30"]);
    expect(d.run).toEqual([]);
  });

  it("ends with a once schedule", () => {
    const once: Recurrence = {
      ...every15,
      repeat: { kind: "once", at: "2026-12-02T10:00:00+09:00" },
    };
    const d = decideDue({
      recurrence: once,
      due: at("10:00"),
      now: at("10:00"),
      policy: "catch_up",
      graceMs: 0,
      onTimeMs: 60_000,
    });
    expect(iso(d.run)).toEqual(["01:00"]);
    expect(d.next).toBeNull();
  });

  it("leaves a long backlog to the next decision without losing an occurrence", () => {
    // Down for two days: 192 occurrences missed; a decision takes the first 100.
    const d = decideDue({
      recurrence: every15,
      due: new Date("2026-12-01T00:00:00+09:00"),
      now: at("23:59"),
      policy: "skip",
      graceMs: 0,
      onTimeMs: 60_000,
    });
    expect(d.skipped).toHaveLength(100);
    // The 101st: 25 hours after the first.
    expect(d.next?.toISOString()).toBe("2026-12-01T16:00:00.000Z");
  });
});
