import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["0s", 0],
    ["5s", 5_000],
    ["2m", 120_000],
    ["24h", 86_400_000],
    ["7d", 604_800_000],
    ["1h30m", 5_400_000],
    ["1d2h3m4s5ms", 93_784_005],
    ["90m", 5_400_000],
    ["1m500ms", 60_500],
  ])("%j is %i ms", (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms });
  });

  it.each([
    [""],
    ["5"],
    ["5x"],
    ["-5s"],
    ["+5s"],
    ["5 s"],
    [" 5s"],
    ["5s "],
    ["1.5h"],
    ["30m1h"],
    ["1h1h"],
    ["5S"],
    ["h"],
    ["1h30"],
    ["ms"],
  ])("rejects %j", (input) => {
    expect(parseDuration(input)).toEqual({
      ok: false,
      message: `"${input}" is not a duration: use whole numbers with units d, h, m, s or ms, largest first, like "1h30m" or "250ms".`,
    });
  });

  it("rejects a duration beyond safe integers", () => {
    expect(parseDuration("999999999999999d")).toEqual({
      ok: false,
      message: '"999999999999999d" is too long a duration.',
    });
  });
});
