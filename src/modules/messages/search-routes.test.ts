import { describe, expect, it } from "vitest";
import { readTo } from "./search-routes.ts";

describe("GET /v1/messages: reading `to`", () => {
  it.each([
    [undefined, undefined, { phone: null, until: null }],
    ["010-1234-5678", undefined, { phone: "+821012345678", until: null }],
    ["+821012345678", undefined, { phone: "+821012345678", until: null }],
    // A "+" a client left unencoded arrives as a space.
    [" 821012345678", undefined, { phone: "+821012345678", until: null }],
    [
      "2026-12-02T00:00:00+09:00",
      undefined,
      { phone: null, until: new Date("2026-12-01T15:00:00Z") },
    ],
    [
      ["01012345678", "2026-12-02T00:00:00Z"],
      undefined,
      { phone: "+821012345678", until: new Date("2026-12-02T00:00:00Z") },
    ],
    [
      "010-1234-5678",
      "2026-12-02T00:00:00Z",
      { phone: "+821012345678", until: new Date("2026-12-02T00:00:00Z") },
    ],
  ])("to=%j until=%j", (to, until, read) => {
    expect(readTo(to, until)).toEqual(read);
  });

  it.each([
    ["010-12", undefined, "INVALID_PHONE"],
    [["010-1234-5678", "010-1234-5679"], undefined, "DUPLICATE_VALUE"],
    ["2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z", "DUPLICATE_VALUE"],
    // A date without an offset is not a time; nor is it a number.
    ["2026-12-02T00:00:00", undefined, "INVALID_PHONE"],
  ])("refuses to=%j until=%j with %s at /querystring/to", (to, until, code) => {
    expect(() => readTo(to, until)).toThrow(
      expect.objectContaining({
        code: "VALIDATION_FAILED",
        details: [expect.objectContaining({ path: "/querystring/to", code })],
      }),
    );
  });
});
