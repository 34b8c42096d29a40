import { describe, expect, it } from "vitest";
import { countCharacters } from "./characters.ts";

describe("countCharacters", () => {
  it.each([
    ["", 0],
    ["hello", 5],
    ["안녕하세요", 5],
    ["😀", 1],
    ["a😀b", 3],
    ["👍🏽", 2],
    ["\ud800", 1],
    ["\ud800x", 2],
    ["\udc00\ud800", 2],
    ["line\r\nbreak", 11],
  ])("%j has %i characters", (text, count) => {
    expect(countCharacters(text)).toBe(count);
  });
});
