import { describe, expect, it } from "vitest";
import { checkTextContent, pickTextType, type TextContentInput } from "./message-content.ts";

const hangul = (count: number) => "가".repeat(count);

describe("checkTextContent accepts", () => {
  it.each<[string, TextContentInput, "sms" | "lms" | "mms", number]>([
    ["short auto text as sms", { text: "hello", type: "auto" }, "sms", 5],
    ["90 bytes auto as sms", { text: "a".repeat(90), type: "auto" }, "sms", 90],
    ["45 Hangul auto as sms", { text: hangul(45), type: "auto" }, "sms", 90],
    ["91 bytes auto as lms", { text: "a".repeat(91), type: "auto" }, "lms", 91],
    ["46 Hangul auto as lms", { text: hangul(46), type: "auto" }, "lms", 92],
    ["a subject forcing lms", { text: "hi", subject: "제목", type: "auto" }, "lms", 2],
    ["a blank subject as none", { text: "hi", subject: "  ", type: "auto" }, "sms", 2],
    ["a null subject as none", { text: "hi", subject: null, type: "sms" }, "sms", 2],
    ["2000 bytes as lms", { text: hangul(1000), type: "auto" }, "lms", 2000],
    ["explicit sms", { text: "hi", type: "sms" }, "sms", 2],
    ["explicit lms for short text", { text: "hi", type: "lms" }, "lms", 2],
    ["explicit mms", { text: "a".repeat(2000), subject: hangul(20), type: "mms" }, "mms", 2000],
    ["crlf as two bytes", { text: `${"a".repeat(88)}\r\n`, type: "auto" }, "sms", 90],
    [
      "by_text: a subject alone keeps sms",
      { text: "hi", subject: "제목", type: "by_text" },
      "sms",
      2,
    ],
    ["by_text: 90 bytes as sms", { text: hangul(45), subject: "제목", type: "by_text" }, "sms", 90],
    [
      "by_text: 91 bytes as lms",
      { text: "a".repeat(91), subject: "제목", type: "by_text" },
      "lms",
      91,
    ],
  ])("%s", (_, input, type, bytes) => {
    expect(checkTextContent(input)).toEqual({ ok: true, type, bytes });
  });
});

describe("checkTextContent rejects", () => {
  it.each<[string, TextContentInput, { code: string; path: string; message: string }[]]>([
    [
      "empty text",
      { text: "", type: "auto" },
      [{ code: "TEXT_REQUIRED", path: "/text", message: "Text must not be empty." }],
    ],
    [
      "whitespace text",
      { text: " \n\t", type: "sms" },
      [{ code: "TEXT_REQUIRED", path: "/text", message: "Text must not be empty." }],
    ],
    [
      "91 bytes as explicit sms",
      { text: "a".repeat(91), type: "sms" },
      [
        {
          code: "TEXT_TOO_LONG",
          path: "/text",
          message:
            'Text is 91 bytes; an SMS holds 90 bytes (45 Korean characters). Use type "lms" or "auto" for up to 2000 bytes.',
        },
      ],
    ],
    [
      "2001 bytes as auto",
      { text: `${hangul(1000)}a`, type: "auto" },
      [
        {
          code: "TEXT_TOO_LONG",
          path: "/text",
          message: "Text is 2001 bytes; an LMS holds 2000 bytes (1,000 Korean characters).",
        },
      ],
    ],
    [
      "2001 bytes as mms",
      { text: "a".repeat(2001), type: "mms" },
      [
        {
          code: "TEXT_TOO_LONG",
          path: "/text",
          message: "Text is 2001 bytes; an MMS holds 2000 bytes (1,000 Korean characters).",
        },
      ],
    ],
    [
      "a subject on an sms",
      { text: "hi", subject: "제목", type: "sms" },
      [
        {
          code: "SUBJECT_NOT_ALLOWED",
          path: "/subject",
          message: 'An SMS has no subject; use type "lms" or "auto" to send one.',
        },
      ],
    ],
    [
      "a 41-byte subject",
      { text: "hi", subject: `${hangul(20)}a`, type: "lms" },
      [
        {
          code: "SUBJECT_TOO_LONG",
          path: "/subject",
          message: "Subject is 41 bytes; the limit is 40 bytes (20 Korean characters).",
        },
      ],
    ],
    [
      "emoji in the text, after Hangul",
      { text: "안녕 😀", type: "auto" },
      [
        {
          code: "UNSUPPORTED_CHARACTER",
          path: "/text",
          message:
            'Text contains characters that SMS cannot carry (not in EUC-KR): "😀" (U+1F600) at character 4.',
        },
      ],
    ],
    [
      "everything at once, with custom paths",
      {
        text: `똠${"a".repeat(99)}`,
        subject: `뷁${hangul(20)}`,
        type: "lms",
        textPath: "/fallback/text",
        subjectPath: "/fallback/subject",
      },
      [
        {
          code: "UNSUPPORTED_CHARACTER",
          path: "/fallback/text",
          message:
            'Text contains characters that SMS cannot carry (not in EUC-KR): "똠" (U+B620) at character 1.',
        },
        {
          code: "UNSUPPORTED_CHARACTER",
          path: "/fallback/subject",
          message:
            'Subject contains characters that SMS cannot carry (not in EUC-KR): "뷁" (U+BDC1) at character 1.',
        },
        {
          code: "SUBJECT_TOO_LONG",
          path: "/fallback/subject",
          message: "Subject is 42 bytes; the limit is 40 bytes (20 Korean characters).",
        },
      ],
    ],
    [
      "an explicit sms that is too long and has a subject",
      { text: "a".repeat(100), subject: "x", type: "sms" },
      [
        {
          code: "SUBJECT_NOT_ALLOWED",
          path: "/subject",
          message: 'An SMS has no subject; use type "lms" or "auto" to send one.',
        },
        {
          code: "TEXT_TOO_LONG",
          path: "/text",
          message:
            'Text is 100 bytes; an SMS holds 90 bytes (45 Korean characters). Use type "lms" or "auto" for up to 2000 bytes.',
        },
      ],
    ],
  ])("%s", (_, input, errors) => {
    expect(checkTextContent(input)).toEqual({ ok: false, errors });
  });
});

describe("pickTextType agrees with checkTextContent", () => {
  const texts = [
    "",
    " ",
    "hi",
    "a".repeat(90),
    "a".repeat(91),
    hangul(1000),
    `${hangul(1000)}a`,
    "😀",
    "똠 hi",
  ];
  const subjects = [null, "", "  ", "제목", hangul(20), `${hangul(20)}a`, "뷁"];
  const types = ["auto", "by_text", "sms", "lms", "mms"] as const;
  const cases = texts.flatMap((text) =>
    subjects.flatMap((subject) => types.map((type) => [text, subject, type] as const)),
  );
  it.each(cases)("%j with subject %j as %s", (text, subject, type) => {
    const checked = checkTextContent({ text, subject, type });
    expect(pickTextType(text, subject, type)).toBe(checked.ok ? checked.type : null);
  });
});
