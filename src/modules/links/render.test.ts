// Tracked links as the dispatcher renders them: each placeholder becomes the
// message's own code, naming its recipient and the type it goes in — an
// Alimtalk's buttons, the text of the fallback a vendor sends itself, an SMS.
import { describe, expect, it } from "vitest";
import { CODE_LENGTH, decodeLinkCode, linkSecretOf } from "../../domain/link-codes.ts";
import { placeholderOf } from "../../domain/links.ts";
import { compileContent, renderMessage } from "../dispatch/render.ts";

const signingKey = Buffer.alloc(32, 9);
const PREFIX = "https://go.example/r/";
const link = (index: number) => `${PREFIX}${placeholderOf(index)}`;
const keys = ["Key000", "Key001"];

const content = compileContent({
  templateCode: "ORDER_001",
  alimtalk: "#{name}님, 주문이 접수되었습니다.",
  buttons: [
    { type: "WL", name: "주문 보기", linkMobile: link(0), linkPc: link(0) },
    { type: "WL", name: "고객센터", linkMobile: "https://help.example" },
  ],
  text: `#{name}님 주문 접수 ${link(0)} 문의 ${link(1)}`,
  subject: null,
  variables: {},
  links: {
    prefix: PREFIX,
    links: keys.map((key) => ({
      key,
      secret: linkSecretOf(signingKey, key).toString("base64url"),
    })),
  },
});

const message = {
  id: "msg_1",
  recipient: "+821012345678",
  fallbackType: "lms" as const,
  variables: { name: "홍길동" },
  attempts: 1,
  recipientIndex: 41,
};

const codeIn = (text: string | undefined) => {
  const at = (text ?? "").indexOf(PREFIX);
  return at === -1
    ? null
    : (text ?? "").slice(at + PREFIX.length, at + PREFIX.length + CODE_LENGTH);
};

describe("rendering tracked links", () => {
  it("an Alimtalk's buttons carry alimtalk codes; its vendor-sent fallback, codes of its type", () => {
    const r = renderMessage(
      content,
      { ...message, type: "alimtalk" },
      { from: "0212345678", nativeFallback: true },
    );
    if (!r.ok) throw new Error(r.reason);
    const [orders, help] = r.message.alimtalk?.buttons ?? [];
    const button = codeIn(orders?.linkMobile);
    expect(orders?.linkPc).toBe(orders?.linkMobile);
    expect(decodeLinkCode(button ?? "", signingKey)).toEqual({
      key: "Key000",
      recipientIndex: 41,
      type: "alimtalk",
    });
    expect(help?.linkMobile).toBe("https://help.example");
    const fallback = r.message.nativeFallback?.text ?? "";
    const [first, second] = fallback.split(" 문의 ");
    expect(decodeLinkCode(codeIn(first) ?? "", signingKey)).toEqual({
      key: "Key000",
      recipientIndex: 41,
      type: "lms",
    });
    expect(decodeLinkCode(codeIn(second) ?? "", signingKey)).toMatchObject({
      key: "Key001",
      type: "lms",
    });
    expect(r.message.text).toBe("홍길동님, 주문이 접수되었습니다.");
  });

  it("an SMS's text carries sms codes, and nothing of the placeholders is left", () => {
    const r = renderMessage(
      content,
      { ...message, type: "sms" },
      { from: "0212345678", nativeFallback: false },
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.message.text).not.toContain("{link");
    expect(decodeLinkCode(codeIn(r.message.text) ?? "", signingKey)).toEqual({
      key: "Key000",
      recipientIndex: 41,
      type: "sms",
    });
    expect(r.message.text).toMatch(
      /^홍길동님 주문 접수 https:\/\/go\.example\/r\/\w{15} 문의 https:\/\/go\.example\/r\/\w{15}$/,
    );
  });

  it("a recipient index no code can carry fails the message, not the batch", () => {
    const r = renderMessage(
      content,
      { ...message, type: "sms", recipientIndex: 10_000_000 },
      { from: "0212345678", nativeFallback: false },
    );
    expect(r).toMatchObject({ ok: false });
  });
});
