import { describe, expect, it } from "vitest";
import { copyLine, escapeCopyText } from "./copy-text.ts";

describe("COPY text format", () => {
  it.each([
    ["plain", "plain"],
    ["tab\there", "tab\\there"],
    ["line\nbreak", "line\\nbreak"],
    ["cr\r\nlf", "cr\\r\\nlf"],
    ["back\\slash", "back\\\\slash"],
    ['{"name":"홍\\n길동"}', '{"name":"홍\\\\n길동"}'],
  ])("escapes %j", (input, expected) => {
    expect(escapeCopyText(input)).toBe(expected);
  });

  it("writes null as \\N and numbers as text, one line per row", () => {
    expect(copyLine(["a", null, 3, 45_000_000n, undefined, true])).toBe(
      "a\t\\N\t3\t45000000\t\\N\ttrue\n",
    );
  });
});
