import { describe, expect, it } from "vitest";
import { compileContent, renderMessage } from "./render.ts";

const content = compileContent({
  templateCode: "WELCOME_001",
  alimtalk: "#{name}님, #{shop}에 오신 것을 환영합니다.",
  buttons: [{ type: "WL", name: "보기", linkMobile: "https://example.com" }],
  text: "#{name}님 환영합니다 - #{shop}",
  subject: "#{shop} 가입",
  variables: { shop: "알리미" },
});

const base = {
  id: "msg_1",
  recipient: "+821012345678",
  fallbackType: "lms" as const,
  variables: { name: "홍길동" },
  attempts: 1,
  recipientIndex: 0,
};

describe("renderMessage", () => {
  it("renders Alimtalk with shared variables under the message's own", () => {
    const r = renderMessage(
      content,
      { ...base, type: "alimtalk" },
      { from: "0212345678", nativeFallback: false },
    );
    expect(r).toEqual({
      ok: true,
      message: {
        id: "msg_1",
        to: "+821012345678",
        from: "0212345678",
        type: "alimtalk",
        text: "홍길동님, 알리미에 오신 것을 환영합니다.",
        subject: null,
        alimtalk: {
          templateCode: "WELCOME_001",
          buttons: [{ type: "WL", name: "보기", linkMobile: "https://example.com" }],
        },
        nativeFallback: null,
        images: [],
        attempt: 1,
      },
    });
  });

  it("adds the fallback for a vendor's native fallback", () => {
    const r = renderMessage(
      content,
      { ...base, type: "alimtalk" },
      { from: "0212345678", nativeFallback: true },
    );
    expect(r.ok && r.message.nativeFallback).toEqual({
      type: "lms",
      text: "홍길동님 환영합니다 - 알리미",
      subject: "알리미 가입",
    });
  });

  it("renders a fallback SMS without a subject and an LMS with one", () => {
    const sms = renderMessage(
      content,
      { ...base, type: "sms", variables: { name: "김", shop: "가게" } },
      { from: "0212345678", nativeFallback: false },
    );
    expect(sms.ok && [sms.message.text, sms.message.subject, sms.message.alimtalk]).toEqual([
      "김님 환영합니다 - 가게",
      null,
      null,
    ]);
    const lms = renderMessage(
      content,
      { ...base, type: "lms" },
      { from: "0212345678", nativeFallback: false },
    );
    expect(lms.ok && lms.message.subject).toBe("알리미 가입");
  });

  it("reports a variable that has no value instead of sending a placeholder", () => {
    const r = renderMessage(
      content,
      { ...base, type: "alimtalk", variables: null },
      { from: "", nativeFallback: false },
    );
    expect(r).toEqual({ ok: false, reason: "no value for #{name}" });
  });
});

describe("renderMessage: MMS images", () => {
  const images = [
    { fileId: "fil_1", name: "a.jpg", mime: "image/jpeg" as const, data: Buffer.from([1, 2]) },
    { fileId: "fil_2", name: "b.jpg", mime: "image/jpeg" as const, data: Buffer.from([3]) },
  ];
  const mms = compileContent(
    {
      templateCode: null,
      alimtalk: null,
      buttons: [],
      text: "#{name}님 사진",
      subject: "사진",
      imageIds: ["fil_1", "fil_2"],
      variables: {},
    },
    images,
  );

  it("attaches the campaign's images, in order, to an MMS", () => {
    const r = renderMessage(
      mms,
      { ...base, type: "mms", fallbackType: null },
      { from: "0212345678", nativeFallback: false },
    );
    expect(r.ok && r.message.images.map((image) => image.fileId)).toEqual(["fil_1", "fil_2"]);
    expect(r.ok && r.message.images[0]?.data).toEqual(Buffer.from([1, 2]));
  });

  it("attaches nothing to an SMS or LMS", () => {
    for (const type of ["sms", "lms"] as const) {
      const r = renderMessage(
        mms,
        { ...base, type, fallbackType: null },
        { from: "0212345678", nativeFallback: false },
      );
      expect(r.ok && r.message.images).toEqual([]);
    }
  });
});
