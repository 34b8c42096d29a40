import { describe, expect, it } from "vitest";
import {
  compileButtons,
  compileTemplate,
  extractButtonVariables,
  extractVariables,
  type FieldError,
  findMalformedVariable,
  renderTemplate,
  type TemplateButton,
  type TemplateDefinition,
  validateTemplateDefinition,
} from "./template.ts";

describe("extractVariables", () => {
  it.each([
    ["", []],
    ["no variables", []],
    ["#{name}님, 안녕하세요", ["name"]],
    ["#{name} #{shop} #{name}", ["name", "shop"]],
    ["#{고객명}님 #{주문번호}", ["고객명", "주문번호"]],
    ["#{order.no} #{a-b_c}", ["order.no", "a-b_c"]],
    ["#{ name } #{} #{a b} #{a#b} {x} #name", []],
    ["#{#{inner}}", ["inner"]],
    ["##{x}}", ["x"]],
    ["#{a}#{b}", ["a", "b"]],
  ])("%j → %j", (body, names) => {
    expect(extractVariables(body)).toEqual(names);
  });
});

describe("renderTemplate", () => {
  it.each([
    ["plain text", {}, "plain text"],
    ["#{name}님", { name: "홍길동" }, "홍길동님"],
    ["#{a}#{b}#{a}", { a: "1", b: "2" }, "121"],
    ["#{a} and #{a}", { a: "" }, " and "],
    ["#{x}", { x: "#{y}", y: "no" }, "#{y}"],
    ["#{ name } stays", {}, "#{ name } stays"],
    ["line1\n#{v}\nline3", { v: "2" }, "line1\n2\nline3"],
  ])("%j with %j → %j", (body, variables, text) => {
    expect(renderTemplate(body, variables)).toEqual({ ok: true, text });
  });

  it.each([
    ["#{name}님", {}, ["name"]],
    ["#{a} #{b} #{a} #{c}", { b: "x" }, ["a", "c"]],
    ["#{constructor} #{toString}", {}, ["constructor", "toString"]],
  ])("%j with %j is missing %j", (body, variables, missing) => {
    expect(renderTemplate(body, variables)).toEqual({ ok: false, missing });
  });
});

describe("compileTemplate", () => {
  const template = compileTemplate("#{name}님, #{shop} 주문 #{no}번");

  it("lists variables once, in order", () => {
    expect(template.variables).toEqual(["name", "shop", "no"]);
  });

  it.each([
    [{ name: "a", shop: "s", no: "1" }, null, { ok: true, text: "a님, s 주문 1번" }],
    [{ name: "a", shop: "s", no: "1" }, { name: "b" }, { ok: true, text: "b님, s 주문 1번" }],
    [{ shop: "s" }, { name: "b", no: "2" }, { ok: true, text: "b님, s 주문 2번" }],
    [{ shop: "s" }, { name: "b" }, { ok: false, missing: ["no"] }],
    [{}, undefined, { ok: false, missing: ["name", "shop", "no"] }],
  ])("renders %j with overrides %j", (values, overrides, result) => {
    expect(template.render(values, overrides)).toEqual(result);
  });

  it("returns the body itself when there are no variables", () => {
    expect(compileTemplate("hello").render({ x: "y" })).toEqual({ ok: true, text: "hello" });
  });
});

describe("findMalformedVariable", () => {
  it.each([
    ["#{ok}", -1],
    ["plain", -1],
    ["a #{ b}", 2],
    ["#{ok} #{}", 6],
    ["#{ok} #{unclosed", 6],
    ["#{a b}", 0],
  ])("%j → %i", (body, index) => {
    expect(findMalformedVariable(body)).toBe(index);
  });
});

const valid: TemplateDefinition = {
  code: "WELCOME_001",
  body: "#{name}님, 가입을 환영합니다.",
  buttons: [
    {
      type: "WL",
      name: "바로가기",
      linkMobile: "https://example.com",
      linkPc: "http://example.com",
    },
  ],
  fallback: { text: "#{name}님, 가입을 환영합니다.", subject: "환영합니다" },
};

describe("validateTemplateDefinition accepts", () => {
  it.each<[string, TemplateDefinition, string[]]>([
    ["the API example", valid, ["name"]],
    ["no buttons or fallback", { code: "A", body: "hello" }, []],
    ["a null fallback", { code: "a-b_C", body: "#{x}", fallback: null }, ["x"]],
    ["1000 characters", { code: "LONG", body: "가".repeat(1000) }, []],
    ["1000 emoji", { code: "EMOJI", body: "😀".repeat(1000) }, []],
    [
      "40 variables",
      { code: "VARS", body: Array.from({ length: 40 }, (_, i) => `#{v${i}}`).join(" ") },
      Array.from({ length: 40 }, (_, i) => `v${i}`),
    ],
    [
      "five buttons of every link-free kind plus an app link",
      {
        code: "BUTTONS",
        body: "배송 안내",
        buttons: [
          { type: "DS", name: "배송조회" },
          { type: "BK", name: "키워드" },
          { type: "MD", name: "전달" },
          { type: "AC", name: "채널 추가" },
          { type: "AL", name: "앱 열기", schemeAndroid: "myapp://open", schemeIos: "myapp://open" },
        ],
      },
      [],
    ],
    [
      "a 14-character button name",
      { code: "B", body: "b", buttons: [{ type: "BK", name: "가".repeat(14) }] },
      [],
    ],
    [
      "a fallback subject alone",
      { code: "S", body: "#{a}", fallback: { subject: "제목 #{a}" } },
      ["a"],
    ],
  ])("%s", (_, input, variables) => {
    expect(validateTemplateDefinition(input)).toEqual({ ok: true, variables });
  });
});

const button = (
  fields: Partial<TemplateButton> & Pick<TemplateButton, "type">,
): TemplateButton => ({
  name: "버튼",
  ...fields,
});

describe("validateTemplateDefinition rejects", () => {
  it.each<[string, TemplateDefinition, FieldError[]]>([
    [
      "a bad code and an empty body",
      { code: "WELCOME 001", body: "  " },
      [
        {
          path: "/code",
          code: "INVALID_VALUE",
          message: "Template code must be 1–30 letters, digits, underscores or hyphens.",
        },
        { path: "/body", code: "TEXT_REQUIRED", message: "Body must not be empty." },
      ],
    ],
    [
      "a 31-character code",
      { code: "A".repeat(31), body: "x" },
      [
        {
          path: "/code",
          code: "INVALID_VALUE",
          message: "Template code must be 1–30 letters, digits, underscores or hyphens.",
        },
      ],
    ],
    [
      "1001 characters",
      { code: "A", body: "😀".repeat(1001) },
      [
        {
          path: "/body",
          code: "TEXT_TOO_LONG",
          message: "Body is 1001 characters; Alimtalk allows 1000.",
        },
      ],
    ],
    [
      "41 variables",
      { code: "A", body: Array.from({ length: 41 }, (_, i) => `#{v${i}}`).join("") },
      [
        {
          path: "/body",
          code: "TOO_MANY_VARIABLES",
          message: "Body has 41 variables; Alimtalk allows 40.",
        },
      ],
    ],
    [
      "a malformed variable",
      { code: "A", body: "안녕 #{ name }님" },
      [
        {
          path: "/body",
          code: "INVALID_VALUE",
          message:
            '"#{ name }님" at character 4 is not a variable: write #{name}, with no spaces, "#", "{" or "}" in the name.',
        },
      ],
    ],
    [
      "six buttons",
      { code: "A", body: "x", buttons: Array.from({ length: 6 }, () => button({ type: "BK" })) },
      [
        {
          path: "/buttons",
          code: "TOO_MANY_BUTTONS",
          message: "6 buttons given; Alimtalk allows 5.",
        },
      ],
    ],
    [
      "bad button names",
      {
        code: "A",
        body: "x",
        buttons: [button({ type: "BK", name: " " }), button({ type: "MD", name: "가".repeat(15) })],
      },
      [
        { path: "/buttons/0/name", code: "REQUIRED", message: "Button name is required." },
        {
          path: "/buttons/1/name",
          code: "TEXT_TOO_LONG",
          message: "Button name is 15 characters; the limit is 14.",
        },
      ],
    ],
    [
      "web link problems",
      {
        code: "A",
        body: "x",
        buttons: [
          button({ type: "WL" }),
          button({ type: "WL", linkMobile: "ftp://example.com", linkPc: "example.com" }),
          button({ type: "WL", linkMobile: `https://e.com/${"a".repeat(490)}`, schemeIos: "x://" }),
        ],
      },
      [
        { path: "/buttons/0/linkMobile", code: "REQUIRED", message: "WL buttons need linkMobile." },
        {
          path: "/buttons/1/linkMobile",
          code: "INVALID_VALUE",
          message: "linkMobile must be an http:// or https:// URL.",
        },
        {
          path: "/buttons/1/linkPc",
          code: "INVALID_VALUE",
          message: "linkPc must be an http:// or https:// URL.",
        },
        {
          path: "/buttons/2/linkMobile",
          code: "INVALID_VALUE",
          message: "linkMobile is 504 characters; the limit is 500.",
        },
        {
          path: "/buttons/2/schemeIos",
          code: "INVALID_VALUE",
          message: "WL buttons take no schemeIos.",
        },
      ],
    ],
    [
      "app link problems",
      {
        code: "A",
        body: "x",
        buttons: [
          button({ type: "AL", schemeAndroid: "myapp://x" }),
          button({ type: "AL", schemeAndroid: "not a scheme", schemeIos: "myapp://x" }),
        ],
      },
      [
        { path: "/buttons/0/schemeIos", code: "REQUIRED", message: "AL buttons need schemeIos." },
        {
          path: "/buttons/1/schemeAndroid",
          code: "INVALID_VALUE",
          message: 'schemeAndroid must be an app link such as "myapp://path".',
        },
      ],
    ],
    [
      "links on link-free buttons and an unknown type",
      {
        code: "A",
        body: "x",
        buttons: [
          button({ type: "DS", linkMobile: "https://e.com" }),
          button({ type: "AC", schemeAndroid: "a://" }),
          button({ type: "XX" as "DS" }),
        ],
      },
      [
        {
          path: "/buttons/0/linkMobile",
          code: "INVALID_VALUE",
          message: "DS buttons take no linkMobile.",
        },
        {
          path: "/buttons/1/schemeAndroid",
          code: "INVALID_VALUE",
          message: "AC buttons take no schemeAndroid.",
        },
        {
          path: "/buttons/2/type",
          code: "INVALID_VALUE",
          message: "Button type must be one of WL, AL, DS, BK, MD, AC.",
        },
      ],
    ],
    [
      "fallback problems",
      {
        code: "A",
        body: "#{name}",
        fallback: {
          text: `#{name} #{shop} 😀 ${"가".repeat(1000)}`,
          subject: `#{no} ${"가".repeat(20)}`,
        },
      },
      [
        {
          path: "/fallback/text",
          code: "UNKNOWN_VARIABLE",
          message: "Fallback text uses #{shop}, which the template's body and buttons do not have.",
        },
        {
          path: "/fallback/subject",
          code: "UNKNOWN_VARIABLE",
          message:
            "Fallback subject uses #{no}, which the template's body and buttons do not have.",
        },
        {
          path: "/fallback/text",
          code: "UNSUPPORTED_CHARACTER",
          message:
            'Text contains characters that SMS cannot carry (not in EUC-KR): "😀" (U+1F600) at character 17.',
        },
        {
          path: "/fallback/subject",
          code: "SUBJECT_TOO_LONG",
          message: "Subject is 46 bytes; the limit is 40 bytes (20 Korean characters).",
        },
        {
          path: "/fallback/text",
          code: "TEXT_TOO_LONG",
          message: "Text is 2019 bytes; an LMS holds 2000 bytes (1,000 Korean characters).",
        },
      ],
    ],
    [
      "an unsupported subject without fallback text",
      { code: "A", body: "x", fallback: { subject: "똠" } },
      [
        {
          path: "/fallback/subject",
          code: "UNSUPPORTED_CHARACTER",
          message:
            'Subject contains characters that SMS cannot carry (not in EUC-KR): "똠" (U+B620) at character 1.',
        },
      ],
    ],
  ])("%s", (_, input, errors) => {
    expect(validateTemplateDefinition(input)).toEqual({ ok: false, errors });
  });
});

describe("button links with variables", () => {
  const wl = (linkMobile: string, linkPc?: string): TemplateButton => ({
    type: "WL",
    name: "주문 보기",
    linkMobile,
    ...(linkPc === undefined ? {} : { linkPc }),
  });

  it("are the template's variables too: the body's first, then the links' own", () => {
    expect(
      validateTemplateDefinition({
        code: "ORDER",
        body: "#{name}님 주문 #{orderNo}",
        buttons: [
          wl(
            "https://shop.example.com/o/#{orderNo}?u=#{userId}",
            "https://shop.example.com/#{page}",
          ),
          {
            type: "AL",
            name: "앱",
            schemeAndroid: "shop://o/#{orderNo}",
            schemeIos: "shop://o/#{x}",
          },
        ],
        fallback: {
          text: "#{name}님 주문 #{orderNo}: https://shop.example.com/o/#{orderNo}?u=#{userId}",
        },
      }),
    ).toEqual({ ok: true, variables: ["name", "orderNo", "userId", "page", "x"] });
  });

  it("are listed in button and field order, once", () => {
    expect(
      extractButtonVariables([
        wl("https://a.example/#{b}/#{a}", "https://a.example/#{a}/#{c}"),
        { type: "DS", name: "배송" },
        { type: "AL", name: "앱", schemeAndroid: "x://#{d}", schemeIos: "x://#{b}" },
      ]),
    ).toEqual(["b", "a", "c", "d"]);
  });

  it.each<[string, TemplateButton, FieldError]>([
    [
      "a variable standing for the host",
      wl("https://#{host}/orders"),
      {
        path: "/buttons/0/linkMobile",
        code: "INVALID_VALUE",
        message:
          'linkMobile must begin with its own address ("https://example.com/"); variables may follow it.',
      },
    ],
    [
      "a whole link as a variable",
      wl("#{url}"),
      {
        path: "/buttons/0/linkMobile",
        code: "INVALID_VALUE",
        message: "linkMobile must be an http:// or https:// URL.",
      },
    ],
    [
      "a variable for part of the host",
      wl("https://shop.example.com/x", "https://#{sub}.example.com/x"),
      {
        path: "/buttons/0/linkPc",
        code: "INVALID_VALUE",
        message:
          'linkPc must begin with its own address ("https://example.com/"); variables may follow it.',
      },
    ],
    [
      "a malformed variable in a link",
      wl("https://shop.example.com/#{ no }"),
      {
        path: "/buttons/0/linkMobile",
        code: "INVALID_VALUE",
        message:
          '"#{ no }" in linkMobile is not a variable: write #{name}, with no spaces, "#", "{" or "}" in the name.',
      },
    ],
    [
      "an app scheme as a variable",
      { type: "AL", name: "앱", schemeAndroid: "#{scheme}://open", schemeIos: "shop://open" },
      {
        path: "/buttons/0/schemeAndroid",
        code: "INVALID_VALUE",
        message: 'schemeAndroid must begin with its app scheme ("myapp://"), not a variable.',
      },
    ],
  ])("refuse %s", (_, b, error) => {
    expect(validateTemplateDefinition({ code: "B", body: "본문", buttons: [b] })).toEqual({
      ok: false,
      errors: [error],
    });
  });

  it("let the fallback use a link's variable, not one the template lacks", () => {
    const buttons = [wl("https://shop.example.com/o/#{orderNo}")];
    expect(
      validateTemplateDefinition({
        code: "F",
        body: "주문 접수",
        buttons,
        fallback: { text: "주문 #{orderNo} #{coupon}" },
      }),
    ).toEqual({
      ok: false,
      errors: [
        {
          path: "/fallback/text",
          code: "UNKNOWN_VARIABLE",
          message:
            "Fallback text uses #{coupon}, which the template's body and buttons do not have.",
        },
      ],
    });
  });
});

describe("compileButtons", () => {
  const buttons: TemplateButton[] = [
    {
      type: "WL",
      name: "주문 보기",
      linkMobile: "https://shop.example.com/o/#{orderNo}?name=#{name}",
      linkPc: "https://shop.example.com/pc",
    },
    { type: "DS", name: "배송 조회" },
    {
      type: "AL",
      name: "앱",
      schemeAndroid: "shop://o/#{orderNo}",
      schemeIos: "shop://o/#{orderNo}",
    },
  ];
  const compiled = compileButtons(buttons);

  it("fills each link's variables, the overrides winning, and leaves the rest alone", () => {
    expect(compiled.variables).toEqual(["orderNo", "name"]);
    expect(compiled.render({ orderNo: "A-1", name: "kim" }, { orderNo: "B-2" })).toEqual({
      ok: true,
      buttons: [
        {
          type: "WL",
          name: "주문 보기",
          linkMobile: "https://shop.example.com/o/B-2?name=kim",
          linkPc: "https://shop.example.com/pc",
        },
        { type: "DS", name: "배송 조회" },
        { type: "AL", name: "앱", schemeAndroid: "shop://o/B-2", schemeIos: "shop://o/B-2" },
      ],
    });
    // The template's own buttons are not changed.
    expect(buttons[0]!.linkMobile).toBe("https://shop.example.com/o/#{orderNo}?name=#{name}");
  });

  it("percent-encodes what no URL holds (spaces, Korean), and keeps what one may", () => {
    const r = compiled.render({ orderNo: "A 1/2?x=y&z", name: "홍길동" });
    expect(r.ok && r.buttons[0]!.linkMobile).toBe(
      "https://shop.example.com/o/A%201/2?x=y&z?name=%ED%99%8D%EA%B8%B8%EB%8F%99",
    );
  });

  it("names the variables without a value", () => {
    expect(compiled.render({ name: "kim" })).toEqual({ ok: false, missing: ["orderNo"] });
  });

  it("gives buttons without variables back as they are, for every message", () => {
    const plain = [{ type: "WL" as const, name: "보기", linkMobile: "https://example.com" }];
    const r1 = compileButtons(plain).render({});
    expect(r1).toEqual({ ok: true, buttons: plain });
    expect(r1.ok && r1.buttons).toBe(plain);
  });
});
