import { describe, expect, it } from "vitest";
import { planColumns } from "./import-columns.ts";
import {
  attributeValue,
  type CellValue,
  cellText,
  createRowChecker,
  dateText,
  phoneText,
  restorePhoneDigits,
} from "./import-rows.ts";

const planned = planColumns(["이름", "휴대폰", "매장", "포인트", "가입일"]);
if (!planned.ok) throw new Error("plan");
const plan = planned.plan;

describe("what spreadsheets do to phone numbers, undone", () => {
  it.each([
    [1012345678, "01012345678"],
    ["1012345678", "01012345678"],
    [111234567, "0111234567"],
    [821012345678, "+821012345678"],
    ["010-1234-5678", "010-1234-5678"],
    ["01012345678", "01012345678"],
    [21234567, "21234567"],
  ] as [CellValue, string][])("reads %j as %j", (cell, text) => {
    expect(phoneText(cell)).toBe(text);
  });

  it("leaves digits that are no Korean mobile number without its 0 alone", () => {
    expect(restorePhoneDigits("212345678")).toBe("212345678");
    expect(restorePhoneDigits("1588123")).toBe("1588123");
  });
});

describe("cells as text and as attribute values", () => {
  it("trims text, keeps numbers and booleans, writes dates as days", () => {
    expect(cellText("  강남점 ")).toBe("강남점");
    expect(cellText("   ")).toBeNull();
    expect(cellText(1200)).toBe("1200");
    expect(attributeValue(1200)).toBe(1200);
    expect(attributeValue(true)).toBe(true);
    expect(attributeValue(new Date(Date.UTC(2024, 2, 1)))).toBe("2024-03-01");
    expect(dateText(new Date(Date.UTC(2024, 2, 1, 13, 45)))).toBe("2024-03-01 13:45");
    expect(dateText(new Date(Date.UTC(2024, 2, 1, 13, 45, 30)))).toBe("2024-03-01 13:45:30");
    expect(attributeValue({ error: "#N/A" })).toBeNull();
    expect(attributeValue(" ")).toBeNull();
  });
});

describe("createRowChecker", () => {
  it("reads a row as a contact: the number in E.164, the name, the attributes", () => {
    const checker = createRowChecker(plan);
    expect(
      checker.check(2, [" 김민지 ", 1012345678, "강남점", 1200, new Date(Date.UTC(2024, 0, 5))]),
    ).toEqual({
      row: 2,
      status: "valid",
      phone: "+821012345678",
      phoneInput: "1012345678",
      name: "김민지",
      attributes: { 매장: "강남점", 포인트: 1200, 가입일: "2024-01-05" },
      errors: [],
      duplicateOf: null,
    });
  });

  it("skips a blank row", () => {
    expect(createRowChecker(plan).check(3, [null, "", "  "])).toBeNull();
  });

  it("reports each problem at its cell", () => {
    const checker = createRowChecker(plan);
    const row = checker.check(7, ["가".repeat(101), "02-123-4567", "x".repeat(501)]);
    expect(row).toMatchObject({ status: "invalid", phone: null, phoneInput: "02-123-4567" });
    expect(row!.errors.map((e) => [e.cell, e.column, e.code])).toEqual([
      ["B7", "휴대폰", "INVALID_PHONE"],
      ["A7", "이름", "NAME_TOO_LONG"],
      ["C7", "매장", "INVALID_ATTRIBUTE_VALUE"],
    ]);
    expect(checker.check(8, ["이름만"])!.errors).toEqual([
      { column: "휴대폰", cell: "B8", code: "PHONE_REQUIRED", message: "no phone number" },
    ]);
    expect(checker.check(9, ["오류", { error: "#N/A" }])!.errors[0]).toMatchObject({
      code: "INVALID_PHONE",
      message: expect.stringContaining("#N/A"),
    });
    expect(checker.check(10, ["날짜", new Date()])!.errors[0]).toMatchObject({
      code: "INVALID_PHONE",
    });
  });

  it("keeps the first valid row of a number; later ones are its duplicates", () => {
    const checker = createRowChecker(plan);
    // An invalid row does not claim its number.
    expect(checker.check(2, ["가".repeat(101), "010-5000-0001"])!.status).toBe("invalid");
    expect(checker.check(3, ["첫째", "010-5000-0001"])!.status).toBe("valid");
    expect(checker.check(4, ["둘째", "+82 10 5000 0001"])).toMatchObject({
      status: "duplicate",
      duplicateOf: 3,
      phone: "+821050000001",
    });
    expect(checker.check(5, ["셋째", 1050000001])).toMatchObject({
      status: "duplicate",
      duplicateOf: 3,
    });
  });
});
