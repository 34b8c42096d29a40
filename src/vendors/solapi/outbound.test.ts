import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../vendor.ts";
import { type OutboundSettings, planRequests, sendBody, toWireMessage } from "./outbound.ts";
import { nationalNumber } from "./wire.ts";

const SETTINGS: OutboundSettings = {
  pfId: "KA01PF190227072057634pRBhbpAw1w1",
  templateIds: { WELCOME_001: "KA01TP2301260109382045fWJtLZUIab" },
  sendReplacements: true,
};

const BODY = "홍길동님, 가입을 환영합니다.";

function message(overrides: Partial<OutboundMessage>): OutboundMessage {
  return {
    id: "msg_1",
    to: "+821012345678",
    from: "0212345678",
    type: "sms",
    text: "주문이 접수되었습니다.",
    subject: null,
    alimtalk: null,
    nativeFallback: null,
    images: [],
    attempt: 1,
    ...overrides,
  };
}

const alimtalk = (overrides: Partial<OutboundMessage> = {}) =>
  message({
    type: "alimtalk",
    text: BODY,
    alimtalk: { templateCode: "WELCOME_001", buttons: [] },
    ...overrides,
  });

describe("nationalNumber", () => {
  it.each([
    ["+821012345678", "01012345678"],
    ["+82212345678", "0212345678"],
    ["+8215441234", "15441234"],
    ["+14155550123", null],
    ["+8201012345678", null],
    ["01012345678", null],
  ])("%s → %s", (e164, national) => {
    expect(nationalNumber(e164)).toBe(national);
  });
});

describe("toWireMessage", () => {
  it("SMS: national numbers, our id in customFields, no subject", () => {
    expect(toWireMessage(message({ subject: "무시" }), SETTINGS)).toEqual({
      ok: true,
      wire: {
        to: "01012345678",
        from: "0212345678",
        type: "SMS",
        text: "주문이 접수되었습니다.",
        customFields: { alimiMessageId: "msg_1" },
      },
    });
  });

  it("LMS and MMS carry their subject", () => {
    for (const type of ["lms", "mms"] as const) {
      const r = toWireMessage(message({ type, subject: "안내" }), SETTINGS);
      expect(r.ok && r.wire).toMatchObject({ type: type.toUpperCase(), subject: "안내" });
    }
  });

  it("Alimtalk without a fallback: the text form, SOLAPI's templateId, disableSms true", () => {
    const r = toWireMessage(
      alimtalk({
        alimtalk: {
          templateCode: "WELCOME_001",
          buttons: [
            {
              type: "WL",
              name: "바로가기",
              linkMobile: "https://m.example",
              linkPc: "https://example",
            },
            { type: "AL", name: "앱 열기", schemeAndroid: "app://a", schemeIos: "app://i" },
            { type: "DS", name: "배송 조회" },
          ],
        },
      }),
      SETTINGS,
    );
    expect(r).toEqual({
      ok: true,
      wire: {
        to: "01012345678",
        from: "0212345678",
        type: "ATA",
        text: BODY,
        customFields: { alimiMessageId: "msg_1" },
        kakaoOptions: {
          pfId: SETTINGS.pfId,
          templateId: "KA01TP2301260109382045fWJtLZUIab",
          disableSms: true,
          buttons: [
            {
              buttonType: "WL",
              buttonName: "바로가기",
              linkMo: "https://m.example",
              linkPc: "https://example",
            },
            { buttonType: "AL", buttonName: "앱 열기", linkAnd: "app://a", linkIos: "app://i" },
            { buttonType: "DS", buttonName: "배송 조회" },
          ],
        },
      },
    });
  });

  it("an unmapped template code goes as the templateId itself; no caller number, no from", () => {
    const r = toWireMessage(
      alimtalk({ from: "", alimtalk: { templateCode: "KA01TP999", buttons: [] } }),
      SETTINGS,
    );
    expect(r.ok && r.wire.kakaoOptions?.templateId).toBe("KA01TP999");
    expect(r.ok && "from" in r.wire).toBe(false);
  });

  it("native fallback with the Alimtalk text: disableSms false, the subject on the message", () => {
    const r = toWireMessage(
      alimtalk({ nativeFallback: { type: "lms", text: BODY, subject: "환영합니다" } }),
      SETTINGS,
    );
    expect(r.ok && r.wire).toMatchObject({ type: "ATA", text: BODY, subject: "환영합니다" });
    expect(r.ok && r.wire.kakaoOptions?.disableSms).toBe(false);
    expect(r.ok && r.wire.replacements).toBeUndefined();
  });

  it("native fallback with its own text: a replacements entry of the right type", () => {
    const own = { type: "sms" as const, text: "가입을 환영합니다.", subject: null };
    const r = toWireMessage(alimtalk({ nativeFallback: own }), SETTINGS);
    expect(r.ok && r.wire.text).toBe(BODY);
    expect(r.ok && r.wire.subject).toBeUndefined();
    expect(r.ok && r.wire.kakaoOptions?.disableSms).toBe(false);
    expect(r.ok && r.wire.replacements).toEqual([
      { to: "01012345678", from: "0212345678", type: "SMS", text: "가입을 환영합니다." },
    ]);
    const lms = toWireMessage(
      alimtalk({ nativeFallback: { type: "lms", text: "긴 안내", subject: "제목" } }),
      SETTINGS,
    );
    expect(lms.ok && lms.wire.replacements).toEqual([
      { to: "01012345678", from: "0212345678", type: "LMS", text: "긴 안내", subject: "제목" },
    ]);
  });

  it("sendReplacements false: SOLAPI replaces with the Alimtalk text", () => {
    const r = toWireMessage(
      alimtalk({ nativeFallback: { type: "sms", text: "다른 문구", subject: null } }),
      { ...SETTINGS, sendReplacements: false },
    );
    expect(r.ok && r.wire.replacements).toBeUndefined();
    expect(r.ok && r.wire.kakaoOptions?.disableSms).toBe(false);
  });

  it.each([
    ["a foreign number", message({ to: "+14155550123" }), SETTINGS, "INVALID_NUMBER", "to"],
    [
      "Alimtalk without pfId",
      alimtalk(),
      { ...SETTINGS, pfId: null },
      "SENDER_NOT_REGISTERED",
      "settings.pfId",
    ],
    [
      "Alimtalk without template",
      message({ type: "alimtalk" }),
      SETTINGS,
      "TEMPLATE_MISMATCH",
      "alimtalk",
    ],
  ])("refuses %s", (_name, m, settings, code, rawCode) => {
    const r = toWireMessage(m, settings);
    expect(r).toMatchObject({ ok: false, error: { code, rawCode } });
  });
});

describe("planRequests", () => {
  const limits = { maxMessages: 3, maxBytes: 1_000_000 };

  it("cuts at the message count", () => {
    expect(planRequests(Array(7).fill("{}"), limits)).toEqual([
      [0, 3],
      [3, 6],
      [6, 7],
    ]);
    expect(planRequests([], limits)).toEqual([]);
  });

  it("cuts at the body size, counting the envelope and the commas exactly", () => {
    const m = `"${"x".repeat(98)}"`; // 100 bytes
    const envelope = Buffer.byteLength(sendBody([], false));
    // Two messages fit exactly (envelope + 100 + 1 + 100); a third does not.
    const maxBytes = envelope + 201;
    expect(planRequests([m, m, m, m, m], { maxMessages: 100, maxBytes })).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(planRequests([m, m], { maxMessages: 100, maxBytes: maxBytes - 1 })).toEqual([
      [0, 1],
      [1, 2],
    ]);
    // Every planned body really is within the limit.
    expect(Buffer.byteLength(sendBody([m, m], false))).toBe(maxBytes);
  });

  it("counts UTF-8 bytes, not characters", () => {
    const hangul = `"${"가".repeat(100)}"`; // 302 bytes, 102 characters
    const envelope = Buffer.byteLength(sendBody([], false));
    expect(planRequests([hangul, hangul], { maxMessages: 10, maxBytes: envelope + 400 })).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it("by default: 10,000 messages per request", () => {
    expect(planRequests(Array(20_001).fill("{}"))).toEqual([
      [0, 10_000],
      [10_000, 20_000],
      [20_000, 20_001],
    ]);
  });
});
