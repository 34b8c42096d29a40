// A message's Alimtalk buttons as the vendor gets them: their links' #{var}
// filled in like the body, and the template's vendor id where it applies.
import { describe, expect, it } from "vitest";
import { compileContent, renderMessage } from "./render.ts";

const content = compileContent({
  templateCode: "ORDER_001",
  alimtalk: "#{name}님, 주문 #{orderNo}이 접수되었습니다.",
  buttons: [
    {
      type: "WL",
      name: "주문 보기",
      linkMobile: "https://shop.example.com/o/#{orderNo}",
      linkPc: "https://shop.example.com/pc/o/#{orderNo}?shop=#{shop}",
    },
    { type: "DS", name: "배송 조회" },
  ],
  text: "#{name}님 주문 #{orderNo} 접수",
  subject: null,
  variables: { shop: "알리미" },
  vendorTemplate: { accountId: "vac_solapi", templateId: "KA01TP0000000001" },
});

// Built apart from the call: the render input carries more than these fields.
const message = {
  id: "msg_1",
  recipient: "+821012345678",
  type: "alimtalk" as const,
  fallbackType: "sms" as const,
  variables: { name: "홍길동", orderNo: "A-1001" },
  attempts: 1,
  recipientIndex: 0,
};

describe("renderMessage's buttons", () => {
  it("fill the links' variables, the message's own over the shared ones", () => {
    const r = renderMessage(content, message, { from: "0212345678", nativeFallback: false });
    expect(r.ok && r.message.alimtalk?.buttons).toEqual([
      {
        type: "WL",
        name: "주문 보기",
        linkMobile: "https://shop.example.com/o/A-1001",
        linkPc: "https://shop.example.com/pc/o/A-1001?shop=%EC%95%8C%EB%A6%AC%EB%AF%B8",
      },
      { type: "DS", name: "배송 조회" },
    ]);
  });

  it("refuse a message without a value for a link's variable", () => {
    const r = renderMessage(
      content,
      { ...message, variables: { name: "홍길동" } },
      { from: "0212345678", nativeFallback: false },
    );
    expect(r).toEqual({ ok: false, reason: "no value for #{orderNo}" });
  });

  it("name the template by its vendor id only through the account that reviewed it", () => {
    const through = (accountId: string | undefined) => {
      const r = renderMessage(content, message, {
        from: "0212345678",
        nativeFallback: false,
        accountId,
      });
      return r.ok ? r.message.alimtalk : null;
    };
    expect(through("vac_solapi")).toMatchObject({
      templateCode: "ORDER_001",
      vendorTemplateId: "KA01TP0000000001",
    });
    expect(through("vac_other")).not.toHaveProperty("vendorTemplateId");
    expect(through(undefined)).not.toHaveProperty("vendorTemplateId");
  });
});
