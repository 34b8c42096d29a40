import { describe, expect, it } from "vitest";
import { countSmsBytes, countSupportedSmsBytes, isSmsCharacter } from "./sms-bytes.ts";

describe("countSmsBytes", () => {
  it.each([
    ["", 0],
    ["hello", 5],
    ["안녕", 4],
    ["안녕 hello!", 11],
    ["line\nbreak", 10],
    ["line\r\nbreak", 11],
    ["\t~\\", 3],
    ["·", 2],
    ["ㄱ", 2],
    ["ㆍ", 2],
    ["Ａ１", 4],
    ["～￦", 4],
    ["★♥☎", 6],
    ["“따옴표”…", 12],
    ["一丁", 4],
    ["α А ぁ ア", 11],
    ["가힝", 4],
    ["a".repeat(90), 90],
    ["a".repeat(91), 91],
    ["가".repeat(45), 90],
    [`${"가".repeat(44)}a`, 89],
    [`${"가".repeat(45)}a`, 91],
  ])("%j is %i bytes", (text, bytes) => {
    expect(countSmsBytes(text)).toEqual({ ok: true, bytes });
  });

  it.each([
    ["똠", 2, [{ index: 0, char: "똠", codePoint: 0xb620 }]],
    ["뷁", 2, [{ index: 0, char: "뷁", codePoint: 0xbdc1 }]],
    ["힣", 2, [{ index: 0, char: "힣", codePoint: 0xd7a3 }]],
    ["😀", 2, [{ index: 0, char: "😀", codePoint: 0x1f600 }]],
    // the index counts code points: "안녕 " is three, so the emoji is the fourth character
    ["안녕 😀!", 8, [{ index: 3, char: "😀", codePoint: 0x1f600 }]],
    [
      "😀똠x뷁",
      7,
      [
        { index: 0, char: "😀", codePoint: 0x1f600 },
        { index: 1, char: "똠", codePoint: 0xb620 },
        { index: 3, char: "뷁", codePoint: 0xbdc1 },
      ],
    ],
    // decided from the data: the decoder maps nothing to €, ® or ¥ (KS X 1001:1987 has none)
    ["€", 2, [{ index: 0, char: "€", codePoint: 0x20ac }]],
    ["®", 2, [{ index: 0, char: "®", codePoint: 0xae }]],
    ["¥", 2, [{ index: 0, char: "¥", codePoint: 0xa5 }]],
    ["\u00a0", 2, [{ index: 0, char: "\u00a0", codePoint: 0xa0 }]],
    ["ｱ", 2, [{ index: 0, char: "ｱ", codePoint: 0xff71 }]],
    ["a\ud800b", 4, [{ index: 1, char: "\ud800", codePoint: 0xd800 }]],
    ["\udc00", 2, [{ index: 0, char: "\udc00", codePoint: 0xdc00 }]],
    ["\ue000", 2, [{ index: 0, char: "\ue000", codePoint: 0xe000 }]],
  ])("%j is rejected", (text, bytes, unsupported) => {
    expect(countSmsBytes(text)).toEqual({ ok: false, bytes, unsupported });
  });

  it("reports only the first 10 unsupported characters but counts them all", () => {
    const result = countSmsBytes("😀".repeat(12));
    expect(result.ok).toBe(false);
    expect(result.bytes).toBe(24);
    if (!result.ok) {
      expect(result.unsupported.map((entry) => entry.index)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
    }
  });
});

describe("isSmsCharacter", () => {
  it("covers exactly ASCII plus the 8,224 characters of KS X 1001", () => {
    let count = 0;
    for (let codePoint = 0; codePoint <= 0xffff; codePoint++) {
      if (isSmsCharacter(codePoint)) count++;
    }
    // 4,888 hanja + 2,350 Hangul syllables + 986 symbols and letters
    expect(count).toBe(128 + 8224);
  });

  it.each([
    [0x41, true],
    [0x7f, true],
    [0x80, false],
    [0xac00, true],
    [0xd79d, true],
    [0xb620, false],
    [0x3131, true],
    [0x20ac, false],
    [0x1f600, false],
  ])("U+%s → %s", (codePoint, expected) => {
    expect(isSmsCharacter(codePoint)).toBe(expected);
  });
});

describe("countSupportedSmsBytes", () => {
  it.each([
    ["", 0],
    ["hello", 5],
    ["안녕 hello", 10],
    ["line\r\n", 6],
    ["똠", -1],
    ["ok 😀", -1],
    ["€", -1],
  ])("%j → %i", (text, bytes) => {
    expect(countSupportedSmsBytes(text)).toBe(bytes);
  });
});
