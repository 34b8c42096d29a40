import { describe, expect, it } from "vitest";
import { maskCredentials, maskSecret } from "./mask.ts";

describe("masking credentials", () => {
  it.each([
    ["NCSAYU7YDBXYORXC", "••••ORXC"],
    ["abcdefghijkl", "••••ijkl"],
    ["short-secret", "••••cret"],
    ["elevenchars", "••••"],
    ["", "••••"],
  ])("%j → %j", (value, shown) => {
    expect(maskSecret(value)).toBe(shown);
  });

  it("masks every value and keeps the keys", () => {
    expect(
      maskCredentials({ apiKey: "NCSAYU7YDBXYORXC", apiSecret: "0123456789ABCDEFGHIJ" }),
    ).toEqual({
      apiKey: "••••ORXC",
      apiSecret: "••••GHIJ",
    });
  });
});
