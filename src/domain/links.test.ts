import { describe, expect, it } from "vitest";
import { CODE_LENGTH } from "./link-codes.ts";
import {
  createLinkTable,
  fillLinks,
  findLinks,
  linkPrefixOf,
  MAX_TRACKED_LINKS,
  placeholderOf,
  placeholderPattern,
  trackButtonLinks,
  trackTextLinks,
} from "./links.ts";
import { planSend, type SendContext } from "./send-plan.ts";
import { countSmsBytes } from "./sms-bytes.ts";

const urls = (text: string) => findLinks(text).map((link) => link.url);

describe("findLinks in Korean text", () => {
  it.each<[string, string[]]>([
    ["할인 https://shop.example/sale?x=1에서 확인하세요", ["https://shop.example/sale?x=1"]],
    ["자세히는 https://a.kr/x.", ["https://a.kr/x"]],
    ["링크: https://a.kr/x, https://b.kr/y!", ["https://a.kr/x", "https://b.kr/y"]],
    ["(https://a.kr/x)를 누르세요", ["https://a.kr/x"]],
    ["https://a.kr/wiki/Foo_(bar) 참고", ["https://a.kr/wiki/Foo_(bar)"]],
    ["「https://a.kr/x」", ["https://a.kr/x"]],
    ["주소는 https://a.kr/x。다음", ["https://a.kr/x"]],
    ['"https://a.kr/x"', ["https://a.kr/x"]],
    ["HTTP://A.KR/X 대문자", ["HTTP://A.KR/X"]],
    ["http://127.0.0.1:8080/a?b=c&d=e#f", ["http://127.0.0.1:8080/a?b=c&d=e#f"]],
    ["https://a.kr/%ED%95%9C 인코딩", ["https://a.kr/%ED%95%9C"]],
    ["줄바꿈\nhttps://a.kr/x\n다음 줄", ["https://a.kr/x"]],
    ["https://a.kr/o/#{orderId} 주문", ["https://a.kr/o/#{orderId}"]],
    ["링크 없음 www.a.kr", []],
    ["https:// 빈 주소", []],
    ["https://한국.kr 한글 도메인", []],
  ])("%s", (text, expected) => {
    expect(urls(text)).toEqual(expected);
  });

  it("gives offsets that slice the URL out of the text", () => {
    const text = "가 https://a.kr/x에서";
    const [link] = findLinks(text);
    expect(link && text.slice(link.start, link.end)).toBe("https://a.kr/x");
  });
});

describe("tracking a text's links", () => {
  const prefix = linkPrefixOf("https://go.example/");

  it("prefix: the base without a trailing slash, then /r/", () => {
    expect(prefix).toBe("https://go.example/r/");
    expect(linkPrefixOf("https://go.example/x/")).toBe("https://go.example/x/r/");
    expect(() => linkPrefixOf("ftp://go.example")).toThrow();
  });

  it("replaces each trackable link with a placeholder as long as a code, one number per URL", () => {
    const table = createLinkTable(prefix);
    const text = "https://a.kr/1에서, https://b.kr/2 또는 https://a.kr/1!";
    const tracked = trackTextLinks(text, table);
    expect(tracked).toBe(
      `${prefix}${placeholderOf(0)}에서, ${prefix}${placeholderOf(1)} 또는 ${prefix}${placeholderOf(0)}!`,
    );
    expect(table.urls).toEqual(["https://a.kr/1", "https://b.kr/2"]);
    expect(placeholderOf(0)).toHaveLength(CODE_LENGTH);
    expect(placeholderOf(49)).toHaveLength(CODE_LENGTH);
  });

  it("leaves links with #{var}, and links past the limit, as written", () => {
    const table = createLinkTable(prefix);
    const many = Array.from({ length: MAX_TRACKED_LINKS + 1 }, (_, i) => `https://a.kr/${i}`);
    const tracked = trackTextLinks(`https://a.kr/#{id} ${many.join(" ")}`, table);
    expect(tracked.startsWith("https://a.kr/#{id} ")).toBe(true);
    expect(tracked.endsWith(` https://a.kr/${MAX_TRACKED_LINKS}`)).toBe(true);
    expect(table.urls).toHaveLength(MAX_TRACKED_LINKS);
  });

  it("a text without links is the same string", () => {
    const text = "링크 없는 문자";
    expect(trackTextLinks(text, createLinkTable(prefix))).toBe(text);
  });

  it("tracks WL buttons whose link is one URL, sharing numbers with the text", () => {
    const table = createLinkTable(prefix);
    trackTextLinks("https://a.kr/1", table);
    const buttons = trackButtonLinks(
      [
        { type: "WL", name: "보기", linkMobile: "https://a.kr/1", linkPc: "https://c.kr/2" },
        { type: "WL", name: "주문", linkMobile: "https://a.kr/o/#{id}" },
        { type: "AL", name: "앱", schemeAndroid: "app://x", schemeIos: "app://y" },
        { type: "DS", name: "배송" },
      ],
      table,
    );
    expect(buttons).toEqual([
      {
        type: "WL",
        name: "보기",
        linkMobile: `${prefix}${placeholderOf(0)}`,
        linkPc: `${prefix}${placeholderOf(1)}`,
      },
      { type: "WL", name: "주문", linkMobile: "https://a.kr/o/#{id}" },
      { type: "AL", name: "앱", schemeAndroid: "app://x", schemeIos: "app://y" },
      { type: "DS", name: "배송" },
    ]);
    expect(table.urls).toEqual(["https://a.kr/1", "https://c.kr/2"]);
  });

  it("fills each placeholder behind the prefix with its code, and nothing else", () => {
    const table = createLinkTable(prefix);
    const text = `${trackTextLinks("https://a.kr/1 https://b.kr/2", table)} ${placeholderOf(0)}`;
    const filled = fillLinks({
      text,
      prefix,
      pattern: placeholderPattern(prefix),
      codeOf: (index) => `code${index}`.padEnd(CODE_LENGTH, "x"),
    });
    expect(filled).toBe(`${prefix}code0xxxxxxxxxx ${prefix}code1xxxxxxxxxx ${placeholderOf(0)}`);
  });
});

describe("planSend with tracked links", () => {
  const ctx: SendContext = {
    now: new Date("2026-03-02T12:00:00+09:00"),
    prices: { alimtalk: 8_000_000n, sms: 15_000_000n, lms: 45_000_000n, mms: 120_000_000n },
    senders: [{ number: "0212345678", status: "verified", isDefault: true }],
    template: null,
    linkPrefix: "https://go.example/r/",
  };
  // 77 bytes as written (an SMS); its link (13 characters) becomes 21 + 15 = 36: 100 bytes.
  const text = `${"가".repeat(28)} https://a.kr/ ${"나".repeat(3)}`;

  it("counts and prices the text as sent: a link that crosses 90 bytes makes it an LMS", () => {
    expect(countSmsBytes(text)).toMatchObject({ bytes: 77 });
    const plan = planSend({ text, recipients: [{ to: "010-1234-5678" }] }, ctx);
    if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
    expect(plan.messages.map((m) => m.type)).toEqual(["lms"]);
    expect(plan.content.links?.urls).toEqual(["https://a.kr/"]);
    expect(countSmsBytes(plan.content.text ?? "")).toMatchObject({ bytes: 100 });
  });

  it("trackLinks: false, or no prefix, leaves the text as written", () => {
    for (const plan of [
      planSend({ text, trackLinks: false, recipients: [{ to: "010-1234-5678" }] }, ctx),
      planSend({ text, recipients: [{ to: "010-1234-5678" }] }, { ...ctx, linkPrefix: null }),
    ]) {
      if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
      expect(plan.messages.map((m) => m.type)).toEqual(["sms"]);
      expect(plan.content.text).toBe(text);
      expect(plan.content.links).toBeNull();
    }
  });

  it("a text too long as sent says how long tracked links are", () => {
    const long = `${"가".repeat(995)} https://a.kr/`;
    const plan = planSend({ text: long, type: "lms", recipients: [{ to: "010-1234-5678" }] }, ctx);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.errors[0]).toMatchObject({ path: "/text", code: "TEXT_TOO_LONG" });
    expect(plan.errors[0]?.message).toContain("trackLinks: false");
  });
});
