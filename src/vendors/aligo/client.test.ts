// The adapter's send against the fake Aligo: what goes over the wire, how a
// batch is split, and what comes back for each message.
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeAligoOptions,
  startFakeServer,
} from "../../../test/support/vendors/aligo/fake-server.ts";
import {
  API_KEY,
  aligoAccount,
  closedPortUrl,
  e164,
  idsOf,
  national,
  outbound,
  SENDER_KEY,
  USER_ID,
} from "../../../test/support/vendors/aligo/testing.ts";
import { testImage } from "../../../test/support/vendors/images.ts";
import { createAligoAdapter } from "./client.ts";
import { createTokenCache } from "./token.ts";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(options: FakeAligoOptions = {}) {
  const server = await startFakeServer(options);
  servers.push(server);
  return server;
}

describe("send: SMS/LMS/MMS through /send_mass/", () => {
  it("authenticates with key and user_id and sends one text per receiver with an explicit msg_type", async () => {
    const server = await fake();
    const messages = [
      outbound(1, "lms", { text: "첫 번째 안내", subject: "알림" }),
      outbound(2, "lms", { text: "두 번째 안내", subject: "알림" }),
    ];
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);

    expect(server.received().map((r) => r.path)).toEqual(["/send_mass/"]);
    expect(server.received("/send_mass/")[0]!.form).toEqual({
      key: API_KEY,
      user_id: USER_ID,
      sender: "0212345678",
      cnt: "2",
      msg_type: "LMS",
      title: "알림",
      rec_1: national(1),
      msg_1: "첫 번째 안내",
      rec_2: national(2),
      msg_2: "두 번째 안내",
    });
    expect(outcomes).toEqual([
      { id: messages[0]!.id, outcome: "accepted", vendorMessageId: `lms:583009869:${national(1)}` },
      { id: messages[1]!.id, outcome: "accepted", vendorMessageId: `lms:583009869:${national(2)}` },
    ]);
  });

  it("sets msg_type itself (a 100-byte SMS stays SMS), sends no title for SMS and one request per type, sender and title", async () => {
    const server = await fake();
    const messages = [
      outbound(1, "sms", { text: "a".repeat(100) }),
      outbound(2, "mms", { subject: null, images: [testImage()] }),
      outbound(3, "sms"),
      outbound(4, "sms", { from: "0299998888" }),
      outbound(5, "lms", { subject: "다른 제목" }),
    ];
    const outcomes = await createAligoAdapter().send(
      aligoAccount(server.url, { testMode: true }),
      messages,
    );

    const forms = server.received("/send_mass/").map((r) => r.form);
    expect(
      forms.map((f) => [f.msg_type, f.sender, f.title ?? null, f.cnt, f.rec_1, f.testmode_yn]),
    ).toEqual([
      ["SMS", "0212345678", null, "2", national(1), "Y"],
      ["SMS", "0299998888", null, "1", national(4), "Y"],
      ["LMS", "0212345678", "다른 제목", "1", national(5), "Y"],
    ]);
    expect(forms[0]!.msg_1).toBe("a".repeat(100));
    // MMS goes to /send/, the send that takes images.
    const [mms] = server.received("/send/");
    expect([mms!.form.msg_type, mms!.form.receiver, mms!.form.title ?? null]).toEqual([
      "MMS",
      national(2),
      null,
    ]);
    expect(outcomes.map((o) => (o.outcome === "accepted" ? o.vendorMessageId : o.outcome))).toEqual(
      [
        `sms:583009869:${national(1)}`,
        `mms:583009872:${national(2)}`,
        `sms:583009869:${national(3)}`,
        `sms:583009870:${national(4)}`,
        `lms:583009871:${national(5)}`,
      ],
    );
  });

  it("splits 1,201 messages into requests of at most 500 and answers in input order", async () => {
    const server = await fake();
    const messages = Array.from({ length: 1201 }, (_, i) => outbound(i + 1, "sms"));
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);

    expect(server.received("/send_mass/").map((r) => r.form.cnt)).toEqual(["500", "500", "201"]);
    expect(outcomes.map((o) => o.id)).toEqual(messages.map((m) => m.id));
    const mids = outcomes.map((o) =>
      o.outcome === "accepted" ? o.vendorMessageId.split(":")[1] : null,
    );
    expect(mids[0]).toBe("583009869");
    expect(mids[499]).toBe("583009869");
    expect(mids[500]).toBe("583009870");
    expect(mids[1000]).toBe("583009871");
    expect(idsOf(outcomes).get(messages[1200]!.id)).toBe(`sms:583009871:${national(1201)}`);
  });

  it("never puts one receiver twice into a request, so its vendor id stays unique", async () => {
    const server = await fake();
    const messages = [outbound(7, "sms"), outbound(8, "sms"), outbound(7, "sms")];
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);

    expect(server.received("/send_mass/").map((r) => [r.form.cnt, r.form.rec_1])).toEqual([
      ["2", national(7)],
      ["1", national(7)],
    ]);
    expect(new Set(idsOf(outcomes).values()).size).toBe(3);
  });

  it("rejects non-Korean recipients and SMS without a caller number before asking Aligo", async () => {
    const server = await fake();
    const messages = [
      outbound(1, "sms", { to: "+14155550100" }),
      outbound(2, "sms", { from: "" }),
      outbound(3, "sms"),
    ];
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);

    expect(outcomes).toEqual([
      {
        id: messages[0]!.id,
        outcome: "rejected",
        error: {
          code: "INVALID_NUMBER",
          rawCode: "to.not_korean",
          message: "Aligo delivers to Korean (+82) numbers only",
        },
      },
      {
        id: messages[1]!.id,
        outcome: "rejected",
        error: {
          code: "SENDER_NOT_REGISTERED",
          rawCode: "from.missing",
          message: "an SMS/LMS/MMS needs a registered caller number",
        },
      },
      { id: messages[2]!.id, outcome: "accepted", vendorMessageId: `sms:583009869:${national(3)}` },
    ]);
    expect(server.received("/send_mass/")).toHaveLength(1);
  });

  it("accepts a request where Aligo refused some receivers (polling tells them apart)", async () => {
    const server = await fake({ behaviours: { [national(2)]: "refused" } });
    const messages = [outbound(1, "sms"), outbound(2, "sms"), outbound(3, "sms")];
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);

    expect(outcomes.map((o) => o.outcome)).toEqual(["accepted", "accepted", "accepted"]);
  });

  it("rejects every message of a request whose receivers Aligo all refused", async () => {
    const server = await fake({
      behaviours: { [national(1)]: "refused", [national(2)]: "refused" },
    });
    const messages = [outbound(1, "sms"), outbound(2, "sms")];
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);

    const error = {
      code: "INVALID_NUMBER",
      rawCode: "error_cnt",
      message: "Aligo refused every receiver of the request (error_cnt 2)",
    };
    expect(outcomes).toEqual([
      { id: messages[0]!.id, outcome: "rejected", error },
      { id: messages[1]!.id, outcome: "rejected", error },
    ]);
  });
});

describe("send: Alimtalk through akv10", () => {
  it("creates a token first, then sends the numbered fields with the sender key and buttons", async () => {
    const server = await fake();
    const messages = [
      outbound(1, "alimtalk", {
        text: "주문이 접수되었습니다.",
        subject: "주문",
        from: "0212345678",
        alimtalk: {
          templateCode: "TA_0001",
          buttons: [
            {
              type: "WL",
              name: "주문 보기",
              linkMobile: "https://m.example.kr/o/1",
              linkPc: "https://example.kr/o/1",
            },
            { type: "AL", name: "앱 열기", schemeAndroid: "app://o/1", schemeIos: "app://o/1" },
          ],
        },
      }),
      outbound(2, "alimtalk", { text: "두 번째" }),
    ];
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);

    expect(server.received().map((r) => r.path)).toEqual([
      "/akv10/token/create/3600/s/",
      "/akv10/alimtalk/send/",
      "/akv10/alimtalk/send/",
    ]);
    expect(server.received()[0]!.form).toEqual({ apikey: API_KEY, userid: USER_ID });
    const [first, second] = server.received("/akv10/alimtalk/send/").map((r) => r.form);
    const token = first!.token!;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(first).toEqual({
      apikey: API_KEY,
      userid: USER_ID,
      token,
      senderkey: SENDER_KEY,
      tpl_code: "TA_0001",
      sender: "0212345678",
      receiver_1: national(1),
      subject_1: "주문",
      message_1: "주문이 접수되었습니다.",
      button_1: JSON.stringify({
        button: [
          {
            name: "주문 보기",
            linkType: "WL",
            linkTypeName: "웹링크",
            linkM: "https://m.example.kr/o/1",
            linkP: "https://example.kr/o/1",
          },
          {
            name: "앱 열기",
            linkType: "AL",
            linkTypeName: "앱링크",
            linkI: "app://o/1",
            linkA: "app://o/1",
          },
        ],
      }),
    });
    // No caller number: its own request, without `sender`; the subject falls back to the template code.
    expect(second).toEqual({
      apikey: API_KEY,
      userid: USER_ID,
      token,
      senderkey: SENDER_KEY,
      tpl_code: "TA_0001",
      receiver_1: national(2),
      subject_1: "TA_0001",
      message_1: "두 번째",
    });
    expect(outcomes).toEqual([
      { id: messages[0]!.id, outcome: "accepted", vendorMessageId: `at:336962435:${national(1)}` },
      { id: messages[1]!.id, outcome: "accepted", vendorMessageId: `at:336962436:${national(2)}` },
    ]);
  });

  it("asks Aligo for its native fallback (failover=Y, fsubject_N, fmessage_N) when the account uses it", async () => {
    const server = await fake();
    const messages = [
      outbound(1, "alimtalk", {
        from: "0212345678",
        nativeFallback: { type: "lms", text: "긴 대체 문자", subject: "대체 제목" },
      }),
      outbound(2, "alimtalk", {
        from: "0212345678",
        nativeFallback: { type: "sms", text: "짧은 대체", subject: null },
      }),
      outbound(3, "alimtalk", { from: "0212345678" }),
    ];
    await createAligoAdapter().send(
      aligoAccount(server.url, { nativeFallback: true, kakaoButtonKeys: "long" }),
      messages,
    );

    const forms = server.received("/akv10/alimtalk/send/").map((r) => r.form);
    expect(forms).toHaveLength(2);
    expect(forms[0]).toMatchObject({
      failover: "Y",
      receiver_1: national(1),
      fsubject_1: "대체 제목",
      fmessage_1: "긴 대체 문자",
      receiver_2: national(2),
      fmessage_2: "짧은 대체",
    });
    // Aligo's client documents fsubject_N as required with fmessage_N when
    // failover=Y: an SMS fallback without a subject of its own carries the
    // Alimtalk's subject_N (Aligo shows a title on an LMS only).
    expect(forms[0]!.fsubject_2).toBe(forms[0]!.subject_2);
    expect(forms[0]!.fsubject_2).not.toBe("");
    expect(forms[1]!.failover).toBeUndefined();
    expect(forms[1]!.fmessage_1).toBeUndefined();
  });

  it("sends no failover when the account does not use native fallback", async () => {
    const server = await fake();
    const m = outbound(1, "alimtalk", {
      nativeFallback: { type: "sms", text: "대체", subject: null },
    });
    await createAligoAdapter().send(aligoAccount(server.url), [m]);
    const [form] = server.received("/akv10/alimtalk/send/").map((r) => r.form);
    expect(form!.failover).toBeUndefined();
    expect(form!.fmessage_1).toBeUndefined();
  });

  it("writes button links with the long keys when the account says so", async () => {
    const server = await fake();
    const m = outbound(1, "alimtalk", {
      alimtalk: {
        templateCode: "TA_0001",
        buttons: [{ type: "WL", name: "보기", linkMobile: "https://m.example.kr" }],
      },
    });
    await createAligoAdapter().send(aligoAccount(server.url, { kakaoButtonKeys: "long" }), [m]);
    expect(JSON.parse(server.received("/akv10/alimtalk/send/")[0]!.form.button_1!)).toEqual({
      button: [
        { name: "보기", linkType: "WL", linkTypeName: "웹링크", linkMo: "https://m.example.kr" },
      ],
    });
  });

  it("keeps the token until shortly before it expires", async () => {
    const server = await fake();
    let clock = Date.parse("2026-03-29T00:00:00Z");
    const adapter = createAligoAdapter({ now: () => clock });
    const account = aligoAccount(server.url, { kakaoTokenTtlSeconds: 600 });

    await adapter.send(account, [outbound(1, "alimtalk")]);
    await adapter.send(account, [outbound(2, "alimtalk")]);
    expect(server.tokensIssued()).toBe(1);
    expect(server.received("/akv10/token/create/600/s/")).toHaveLength(1);

    clock += 539_000; // 60 s before the end: still used
    await adapter.send(account, [outbound(3, "alimtalk")]);
    expect(server.tokensIssued()).toBe(1);

    clock += 2_000; // within the last minute: replaced
    await adapter.send(account, [outbound(4, "alimtalk")]);
    expect(server.tokensIssued()).toBe(2);
  });

  it("shares one token creation between concurrent sends", async () => {
    const server = await fake();
    const adapter = createAligoAdapter();
    const account = aligoAccount(server.url);
    await Promise.all([1, 2, 3].map((i) => adapter.send(account, [outbound(i, "alimtalk")])));
    expect(server.tokensIssued()).toBe(1);
  });

  it("replaces a cached token Aligo stopped accepting and sends once more", async () => {
    const server = await fake();
    const adapter = createAligoAdapter({ tokens: createTokenCache() });
    const account = aligoAccount(server.url);
    await adapter.send(account, [outbound(1, "alimtalk")]);
    server.revokeTokens();

    const m = outbound(2, "alimtalk");
    const outcomes = await adapter.send(account, [m]);
    expect(outcomes).toEqual([
      { id: m.id, outcome: "accepted", vendorMessageId: `at:336962436:${national(2)}` },
    ]);
    expect(server.tokensIssued()).toBe(2);
    expect(server.received("/akv10/alimtalk/send/")).toHaveLength(3);
  });

  it("sends no token when the account turns tokens off", async () => {
    const server = await fake({ requireToken: false });
    const outcomes = await createAligoAdapter().send(
      aligoAccount(server.url, { kakaoUseToken: false }),
      [outbound(1, "alimtalk")],
    );
    expect(outcomes[0]!.outcome).toBe("accepted");
    expect(server.received().map((r) => r.path)).toEqual(["/akv10/alimtalk/send/"]);
    expect(server.received()[0]!.form.token).toBeUndefined();
  });

  it("rejects Alimtalk when the account has no sender key, or the message no template", async () => {
    const server = await fake();
    const noKey = aligoAccount(server.url, { senderKey: "" });
    const [a] = await createAligoAdapter().send(noKey, [outbound(1, "alimtalk")]);
    expect(a).toMatchObject({
      outcome: "rejected",
      error: { code: "UNKNOWN", rawCode: "settings.senderKey" },
    });
    const [b] = await createAligoAdapter().send(aligoAccount(server.url), [
      outbound(1, "alimtalk", { alimtalk: null }),
    ]);
    expect(b).toMatchObject({
      outcome: "rejected",
      error: { code: "TEMPLATE_MISMATCH", rawCode: "alimtalk.missing" },
    });
    expect(server.requests).toEqual([]);
  });

  it("rejects with the sender-key message when Aligo does not know the key", async () => {
    const server = await fake({ senderKey: "other" });
    const [outcome] = await createAligoAdapter().send(aligoAccount(server.url), [
      outbound(1, "alimtalk"),
    ]);
    expect(outcome).toMatchObject({
      outcome: "rejected",
      error: {
        code: "SENDER_NOT_REGISTERED",
        rawCode: "-99",
        message: "발신프로필 키가 유효하지 않습니다.",
      },
    });
  });
});

describe("send: failures", () => {
  const mixed = () => [outbound(1, "sms"), outbound(2, "alimtalk"), outbound(3, "lms")];

  it("retries every message when nothing listens", async () => {
    const url = await closedPortUrl();
    const messages = mixed();
    const outcomes = await createAligoAdapter().send(aligoAccount(url), messages);
    expect(
      outcomes.map((o) => [o.id, o.outcome, o.outcome !== "accepted" && o.error.code]),
    ).toEqual(messages.map((m) => [m.id, "retry", "VENDOR_UNAVAILABLE"]));
    expect(outcomes[0]).toMatchObject({ error: { rawCode: "ECONNREFUSED" } });
  });

  it("retries with TIMEOUT when Aligo does not answer in time", async () => {
    const server = await fake();
    server.failNext(1, "timeout");
    const messages = [outbound(1, "sms"), outbound(2, "sms")];
    const outcomes = await createAligoAdapter().send(
      aligoAccount(server.url, { timeoutMs: 200 }),
      messages,
    );
    const error = { code: "TIMEOUT", rawCode: "timeout", message: "Aligo did not answer in time" };
    expect(outcomes).toEqual([
      { id: messages[0]!.id, outcome: "retry", error },
      { id: messages[1]!.id, outcome: "retry", error },
    ]);
  });

  it("retries on a 5xx and on an answer that is not JSON, only for that request", async () => {
    const server = await fake();
    server.failNext(1, "5xx");
    server.failNext(1, "garbage");
    const messages = [
      outbound(1, "sms"),
      outbound(2, "lms"),
      outbound(3, "mms", { images: [testImage()] }),
    ];
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);
    expect(
      outcomes.map((o) =>
        o.outcome === "accepted" ? "accepted" : `${o.outcome}:${o.error.rawCode}`,
      ),
    ).toEqual(["retry:http.503", "retry:unreadable", "accepted"]);
  });

  it("rejects every message with AUTH_FAILED when Aligo refuses the credentials (HTTP 200, result_code -101)", async () => {
    const server = await fake({ apiKey: "the-real-key" });
    const messages = mixed();
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), messages);
    expect(outcomes.map((o) => [o.outcome, o.outcome !== "accepted" && o.error])).toEqual([
      ["rejected", { code: "AUTH_FAILED", rawCode: "-101", message: "인증오류입니다." }],
      ["rejected", { code: "AUTH_FAILED", rawCode: "-101", message: "인증오류입니다." }],
      ["rejected", { code: "AUTH_FAILED", rawCode: "-101", message: "인증오류입니다." }],
    ]);
    expect(JSON.stringify(outcomes)).not.toContain(API_KEY);
  });

  it("rejects everything without credentials, never calling Aligo", async () => {
    const server = await fake();
    const outcomes = await createAligoAdapter().send(
      aligoAccount(server.url, {}, { apiKey: "k" }),
      [outbound(1, "sms")],
    );
    expect(outcomes[0]).toMatchObject({
      outcome: "rejected",
      error: { code: "AUTH_FAILED", rawCode: "credentials" },
    });
    expect(server.requests).toEqual([]);
  });

  it("rejects everything for a base URL that is not http(s)", async () => {
    const outcomes = await createAligoAdapter().send(aligoAccount("ftp://example.kr"), [
      outbound(1, "sms"),
    ]);
    expect(outcomes[0]).toMatchObject({
      outcome: "rejected",
      error: { code: "UNKNOWN", rawCode: "settings.smsBaseUrl" },
    });
  });

  it("answers an empty batch with nothing", async () => {
    expect(await createAligoAdapter().send(aligoAccount("http://127.0.0.1:9"), [])).toEqual([]);
  });
});

describe("numbers", () => {
  it("sends the national form of the E.164 recipient", async () => {
    const server = await fake();
    await createAligoAdapter().send(aligoAccount(server.url), [
      outbound(1234, "sms", { to: e164(1234) }),
    ]);
    expect(server.received("/send_mass/")[0]!.form.rec_1).toBe("01000001234");
  });
});
