import { describe, expect, it } from "vitest";
import { checkAttributes, checkName, nextFreeName } from "./contact-input.ts";

describe("nextFreeName", () => {
  it.each([
    ["VIP", [], "VIP"],
    ["VIP", ["VIP"], "VIP(2)"],
    ["VIP", ["VIP", "VIP(2)"], "VIP(3)"],
    ["VIP", ["VIP", "VIP(7)", "VIP(3)"], "VIP(8)"],
    ["VIP", ["VIP", "VIP(x)", "VIP (2)"], "VIP(2)"],
    ["단골(2)", ["단골(2)"], "단골(2)(2)"],
    ["단골", ["단골(2)"], "단골"],
  ])("%s among %j is %s", (name, taken, expected) => {
    expect(nextFreeName(name, taken)).toBe(expected);
  });
});

describe("checkAttributes", () => {
  it("accepts strings, numbers and booleans under word keys", () => {
    expect(
      checkAttributes({ 매장: "강남점", points: 1200, vip: true, a_1: "" }, "/attributes"),
    ).toEqual([]);
  });

  it("names each bad key and value at its own path", () => {
    expect(
      checkAttributes(
        { "bad key": "x", "a/b": 1, ok: Number.NaN, nested: { x: 1 }, long: "가".repeat(501) },
        "/attributes",
      ).map((e) => [e.path, e.code]),
    ).toEqual([
      ["/attributes/bad key", "INVALID_ATTRIBUTE_KEY"],
      ["/attributes/a~1b", "INVALID_ATTRIBUTE_KEY"],
      ["/attributes/ok", "INVALID_ATTRIBUTE_VALUE"],
      ["/attributes/nested", "INVALID_ATTRIBUTE_VALUE"],
      ["/attributes/long", "INVALID_ATTRIBUTE_VALUE"],
    ]);
  });

  it("refuses more than 50 attributes", () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(checkAttributes(many, "/attributes")[0]).toMatchObject({ code: "TOO_MANY_ATTRIBUTES" });
  });
});

describe("checkName", () => {
  it("counts characters, not bytes", () => {
    expect(checkName("가".repeat(100), "/name")).toEqual([]);
    expect(checkName("가".repeat(101), "/name")[0]).toMatchObject({ code: "NAME_TOO_LONG" });
  });
});
