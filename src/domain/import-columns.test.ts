import { describe, expect, it } from "vitest";
import {
  attributeKeyOf,
  columnLetter,
  headerKey,
  parseMapping,
  planColumns,
} from "./import-columns.ts";

const plan = (headers: (string | null)[], mapping: Parameters<typeof planColumns>[1] = null) => {
  const result = planColumns(headers, mapping);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const p = result.plan;
  return {
    phone: p.phone.header,
    name: p.name?.header ?? null,
    attributes: Object.fromEntries(p.attributes.map((a) => [a.key, a.column.letter])),
    ignored: p.ignored.map((i) => i.column.header),
  };
};

describe("header recognition", () => {
  it.each([
    ["전화번호"],
    ["휴대폰"],
    ["휴대폰번호"],
    ["휴대폰 번호"],
    ["핸드폰"],
    ["연락처"],
    ["Phone"],
    [" MOBILE "],
  ])("finds the phone number under %j", (header) => {
    expect(plan(["고객명", header]).phone).toBe(header.trim());
  });

  it.each([["이름"], ["성명"], ["고객명"], ["Name"], ["고객 명"]])(
    "finds the name under %j",
    (header) => {
      expect(plan([header, "연락처"]).name).toBe(header.trim());
    },
  );

  it("prefers the mobile column and keeps the other number as an attribute", () => {
    expect(plan(["이름", "전화번호", "휴대폰", "매장"])).toEqual({
      phone: "휴대폰",
      name: "이름",
      attributes: { 전화번호: "B", 매장: "D" },
      ignored: [],
    });
  });

  it("makes every other headed column an attribute named by its header", () => {
    expect(plan(["성명", null, "휴대폰", "가입 일자", "포인트(점)", "#", "메모", "메모"])).toEqual({
      phone: "휴대폰",
      name: "성명",
      attributes: { 가입_일자: "D", 포인트_점: "E", 메모: "G", 메모_2: "H" },
      ignored: ["#"],
    });
  });

  it("says there is no phone column, with the headers it saw", () => {
    expect(planColumns(["이름", "매장"])).toEqual({
      ok: false,
      code: "NO_PHONE_COLUMN",
      problems: [
        expect.objectContaining({
          path: "/file",
          code: "NO_PHONE_COLUMN",
          headers: ["이름", "매장"],
        }),
      ],
    });
  });

  it("refuses more attribute columns than a contact may have", () => {
    const headers = ["휴대폰", ...Array.from({ length: 51 }, (_, i) => `항목${i}`)];
    expect(planColumns(headers)).toMatchObject({
      ok: false,
      code: "VALIDATION_FAILED",
      problems: [{ path: "/file", code: "TOO_MANY_ATTRIBUTES" }],
    });
  });
});

describe("a mapping", () => {
  it("names the columns, and with attributes reads only those", () => {
    expect(
      plan(["고객", "HP", "매장", "메모"], {
        phone: "hp",
        name: "고객",
        attributes: { shop: "매장" },
      }),
    ).toEqual({ phone: "HP", name: "고객", attributes: { shop: "C" }, ignored: [] });
  });

  it("may say there is no name column, and leaves the rest recognised", () => {
    expect(plan(["이름", "휴대폰", "매장"], { name: null })).toEqual({
      phone: "휴대폰",
      name: null,
      attributes: { 이름: "A", 매장: "C" },
      ignored: [],
    });
  });

  it("says which columns it names that the header row lacks", () => {
    expect(planColumns(["이름", "휴대폰"], { phone: "전화" })).toMatchObject({
      ok: false,
      code: "NO_PHONE_COLUMN",
      problems: [{ path: "/mapping/phone" }],
    });
    expect(
      planColumns(["이름", "휴대폰"], {
        name: "성명",
        attributes: { "bad key": "이름", shop: "매장" },
      }),
    ).toMatchObject({
      ok: false,
      code: "VALIDATION_FAILED",
      problems: [
        { path: "/mapping/name", code: "COLUMN_NOT_FOUND" },
        { path: "/mapping/attributes/bad key", code: "INVALID_ATTRIBUTE_KEY" },
        { path: "/mapping/attributes/shop", code: "COLUMN_NOT_FOUND" },
      ],
    });
  });

  it("is read from JSON, refusing unknown fields and wrong types at their path", () => {
    expect(parseMapping('{"phone":"휴대폰","name":null,"attributes":{"shop":"매장"}}')).toEqual({
      ok: true,
      mapping: { phone: "휴대폰", name: null, attributes: { shop: "매장" } },
    });
    expect(parseMapping('{"phnoe":"휴대폰"}')).toMatchObject({
      ok: false,
      problems: [{ path: "/mapping/phnoe", code: "UNKNOWN_FIELD" }],
    });
    expect(parseMapping("{phone}")).toMatchObject({
      ok: false,
      problems: [{ code: "INVALID_JSON" }],
    });
    expect(parseMapping('{"attributes":{"shop":3}}')).toMatchObject({
      ok: false,
      problems: [{ path: "/mapping/attributes/shop", code: "INVALID_TYPE" }],
    });
    expect(parseMapping("[]")).toMatchObject({ ok: false, problems: [{ code: "INVALID_TYPE" }] });
  });
});

describe("helpers", () => {
  it("compares headers trimmed, case-folded and without spaces", () => {
    expect(headerKey(" 휴대폰 번호 ")).toBe("휴대폰번호");
    expect(headerKey("Mobile")).toBe("mobile");
  });

  it("names columns as spreadsheets do", () => {
    expect([0, 1, 25, 26, 27, 701, 702].map(columnLetter)).toEqual([
      "A",
      "B",
      "Z",
      "AA",
      "AB",
      "ZZ",
      "AAA",
    ]);
  });

  it("turns a header into a variable's name, or none", () => {
    expect(attributeKeyOf(" 가입 일자 ")).toBe("가입_일자");
    expect(attributeKeyOf("(주)매장-코드")).toBe("주_매장_코드");
    expect(attributeKeyOf("---")).toBeNull();
    expect([...attributeKeyOf("가".repeat(60))!].length).toBe(40);
  });
});
