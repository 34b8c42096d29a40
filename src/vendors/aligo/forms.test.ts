import { describe, expect, it } from "vitest";
import { outbound } from "../../../test/support/vendors/aligo/testing.ts";
import { buttonJsonOf, type Placed, planRequests } from "./forms.ts";

const placed = (receivers: string[], key: (i: number) => string = () => "g") =>
  receivers.map((receiver, index) => ({
    index,
    message: { ...outbound(1, "sms"), id: `m${index}`, subject: key(index) },
    receiver,
  }));

const shape = (requests: Placed[][]) => requests.map((r) => r.map((p) => p.message.id));

describe("planRequests", () => {
  it("cuts a group at the limit", () => {
    const items = placed(["a", "b", "c", "d", "e"]);
    expect(shape(planRequests(items, { keyOf: () => "g", max: 2 }))).toEqual([
      ["m0", "m1"],
      ["m2", "m3"],
      ["m4"],
    ]);
  });

  it("keeps groups apart, in order of first appearance", () => {
    const items = placed(["a", "b", "c", "d"], (i) => (i % 2 === 0 ? "x" : "y"));
    expect(shape(planRequests(items, { keyOf: (p) => p.message.subject ?? "", max: 500 }))).toEqual(
      [
        ["m0", "m2"],
        ["m1", "m3"],
      ],
    );
  });

  it("moves a repeated receiver to a request without it, filling earlier ones first", () => {
    const items = placed(["a", "a", "b", "a", "c"]);
    expect(shape(planRequests(items, { keyOf: () => "g", max: 500 }))).toEqual([
      ["m0", "m2", "m4"],
      ["m1"],
      ["m3"],
    ]);
  });
});

describe("buttonJsonOf", () => {
  const buttons = [
    { type: "DS", name: "배송 조회" },
    { type: "XX", name: "새 유형", linkMobile: "https://m.example.kr" },
  ];

  it("writes Aligo's button object, keeping only the links given", () => {
    expect(JSON.parse(buttonJsonOf(buttons, "short"))).toEqual({
      button: [
        { name: "배송 조회", linkType: "DS", linkTypeName: "배송조회" },
        { name: "새 유형", linkType: "XX", linkM: "https://m.example.kr" },
      ],
    });
  });

  it("uses the long link keys on request", () => {
    expect(JSON.parse(buttonJsonOf(buttons, "long")).button[1]).toEqual({
      name: "새 유형",
      linkType: "XX",
      linkMo: "https://m.example.kr",
    });
  });
});
