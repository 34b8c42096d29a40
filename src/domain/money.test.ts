import { describe, expect, it } from "vitest";
import { formatCredits, MICRO_PER_CREDIT, parseCredits } from "./money.ts";

describe("parseCredits", () => {
  it.each([
    ["15", 15_000_000n],
    ["15.5", 15_500_000n],
    ["15.000001", 15_000_001n],
    ["0.000001", 1n],
    ["0", 0n],
    ["-0", 0n],
    ["-7", -7_000_000n],
    ["-7.25", -7_250_000n],
    ["007.10", 7_100_000n],
    ["123456789012345678901", 123456789012345678901n * MICRO_PER_CREDIT],
    [15, 15_000_000n],
    [15.25, 15_250_000n],
    [-2.5, -2_500_000n],
    [0.000001, 1n],
    [0, 0n],
  ])("accepts %j as %s micro-credits", (input, micro) => {
    expect(parseCredits(input)).toEqual({ ok: true, micro });
  });

  it.each([
    [""],
    [" 15"],
    ["15 "],
    ["15.0000001"],
    ["1e5"],
    ["abc"],
    ["15."],
    [".5"],
    ["+15"],
    ["1,000"],
    ["--1"],
    ["NaN"],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [0.1 + 0.2],
    [1e-7],
    [2 ** 60],
  ])("rejects %j", (input) => {
    const result = parseCredits(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
  });
});

describe("formatCredits", () => {
  it.each([
    [15_000_000n, "15.00"],
    [8_500_000n, "8.50"],
    [8_123_000n, "8.123"],
    [8_123_450n, "8.12345"],
    [1n, "0.000001"],
    [10n, "0.00001"],
    [-7_000_000n, "-7.00"],
    [-1n, "-0.000001"],
    [0n, "0.00"],
    [123456789012345678901_000_000n, "123456789012345678901.00"],
  ])("formats %s as %s", (micro, text) => {
    expect(formatCredits(micro)).toBe(text);
  });

  it.each(["15.00", "8.50", "8.123", "0.000001", "-7.00", "99999.999999"])(
    "round-trips %s through parseCredits",
    (text) => {
      const parsed = parseCredits(text);
      expect(parsed.ok && formatCredits(parsed.micro)).toBe(text);
    },
  );
});
