// The adapter against the fake NHN over real HTTP: what the fake received
// (auth, paths, bodies), what the adapter made of the answers, and reports
// coming back by webhook and by polling.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import { testImage } from "../../../test/support/vendors/images.ts";
import {
  FAKE_ALIMTALK,
  FAKE_SMS,
  type FakeNhnOptions,
  type FakeNhnServer,
  type FakeRecord,
  startFakeServer,
} from "../../../test/support/vendors/nhn/fake-server.ts";
import { AppError } from "../../lib/errors.ts";
import type { DeliveryReport, OutboundMessage, SendOutcome, VendorAccount } from "../vendor.ts";
import { nhnAdapter } from "./client.ts";

const SENDER_KEY = "0123456789abcdef0123456789abcdef01234567";
const SECRET = "whsec_generated_by_alimi";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: FakeNhnOptions = {},
  overrides: { settings?: Record<string, unknown>; credentials?: Record<string, string> } = {},
): Promise<{ fake: FakeNhnServer; account: VendorAccount }> {
  const fake = await startFakeServer(options);
  cleanups.push(() => fake.close());
  const account: VendorAccount = {
    id: "va_nhn",
    vendor: "nhn",
    settings: {
      smsBaseUrl: fake.url,
      alimtalkBaseUrl: fake.url,
      senderKey: SENDER_KEY,
      timeoutMs: 2_000,
      ...overrides.settings,
    },
    credentials: {
      smsAppKey: FAKE_SMS.appKey,
      smsSecretKey: FAKE_SMS.secretKey,
      alimtalkAppKey: FAKE_ALIMTALK.appKey,
      alimtalkSecretKey: FAKE_ALIMTALK.secretKey,
      ...overrides.credentials,
    },
    webhookSecret: SECRET,
    webhookUrl: "http://127.0.0.1/webhooks/vendors/va_nhn",
    transport: testTransport,
  };
  return { fake, account };
}

function sms(id: string, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id,
    to: "+821012345678",
    from: "0212345678",
    type: "sms",
    text: "주문이 접수되었습니다",
    subject: null,
    alimtalk: null,
    nativeFallback: null,
    images: [],
    attempt: 1,
    ...overrides,
  };
}

function alimtalk(id: string, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return sms(id, {
    type: "alimtalk",
    text: "홍길동님 주문 A-1 완료",
    alimtalk: { templateCode: "ORDER_DONE", buttons: [] },
    ...overrides,
  });
}

const posts = (fake: FakeNhnServer) => fake.received.filter((r) => r.method === "POST");
const recordOf = (fake: FakeNhnServer, id: string) =>
  fake.records.find((r) => r.recipientGroupingKey === id)!;
const vidOf = (r: FakeRecord) => `${r.product}:${r.requestId}:${r.recipientSeq}`;

function accepted(outcome: SendOutcome | undefined): string {
  if (outcome?.outcome !== "accepted") throw new Error(`not accepted: ${JSON.stringify(outcome)}`);
  return outcome.vendorMessageId;
}

describe("send", () => {
  it("sends an SMS with the secret key header and the appKey in the path, as documented", async () => {
    const { fake, account } = await setup();
    const outcomes = await nhnAdapter.send(account, [sms("msg_1")]);

    expect(fake.received).toHaveLength(1);
    const [request] = fake.received;
    expect(request!.path).toBe(`/sms/v3.0/appKeys/${FAKE_SMS.appKey}/sender/sms`);
    expect(request!.headers["x-secret-key"]).toBe(FAKE_SMS.secretKey);
    expect(request!.headers["content-type"]).toBe("application/json;charset=UTF-8");
    expect(request!.body).toEqual({
      body: "주문이 접수되었습니다",
      sendNo: "0212345678",
      senderGroupingKey: "alimi:text",
      recipientList: [{ recipientNo: "01012345678", recipientGroupingKey: "msg_1" }],
    });
    const record = recordOf(fake, "msg_1");
    expect(outcomes).toEqual([
      { id: "msg_1", outcome: "accepted", vendorMessageId: `sms:${record.requestId}:1` },
    ]);
  });

  it("sends LMS to /sender/mms with its title, and MMS too", async () => {
    const { fake, account } = await setup();
    await nhnAdapter.send(account, [
      sms("msg_l", { type: "lms", subject: "주문 안내", text: "긴 본문" }),
      sms("msg_m", {
        type: "mms",
        subject: null,
        text: "  제목 없는\n긴 본문 ",
        images: [testImage()],
      }),
    ]);
    const sends = posts(fake).filter((p) => !p.path.endsWith("/attachfile/binaryUpload"));
    expect(sends.map((p) => [p.path, p.body])).toEqual([
      [
        `/sms/v3.0/appKeys/${FAKE_SMS.appKey}/sender/mms`,
        {
          body: "긴 본문",
          sendNo: "0212345678",
          title: "주문 안내",
          senderGroupingKey: "alimi:text",
          recipientList: [{ recipientNo: "01012345678", recipientGroupingKey: "msg_l" }],
        },
      ],
      [
        `/sms/v3.0/appKeys/${FAKE_SMS.appKey}/sender/mms`,
        {
          body: "  제목 없는\n긴 본문 ",
          sendNo: "0212345678",
          title: "제목 없는 긴 본문",
          attachFileIdList: [1],
          senderGroupingKey: "alimi:text",
          recipientList: [{ recipientNo: "01012345678", recipientGroupingKey: "msg_m" }],
        },
      ],
    ]);
  });

  it("sends Alimtalk as rendered content with its buttons and the Alimtalk credentials", async () => {
    const { fake, account } = await setup();
    const outcomes = await nhnAdapter.send(account, [
      alimtalk("msg_a", {
        alimtalk: {
          templateCode: "ORDER_DONE",
          buttons: [
            {
              type: "WL",
              name: "주문 보기",
              linkMobile: "https://m.example.com/o/1",
              linkPc: "https://example.com/o/1",
            },
            { type: "AL", name: "앱 열기", schemeAndroid: "app://o/1", schemeIos: "app://o/1" },
          ],
        },
      }),
    ]);
    const [request] = fake.received;
    expect(request!.path).toBe(`/alimtalk/v2.3/appkeys/${FAKE_ALIMTALK.appKey}/raw-messages`);
    expect(request!.headers["x-secret-key"]).toBe(FAKE_ALIMTALK.secretKey);
    expect(request!.body).toEqual({
      senderKey: SENDER_KEY,
      templateCode: "ORDER_DONE",
      senderGroupingKey: "alimi:at:none",
      recipientList: [
        {
          recipientNo: "01012345678",
          content: "홍길동님 주문 A-1 완료",
          buttons: [
            {
              ordering: 1,
              type: "WL",
              name: "주문 보기",
              linkMo: "https://m.example.com/o/1",
              linkPc: "https://example.com/o/1",
            },
            {
              ordering: 2,
              type: "AL",
              name: "앱 열기",
              schemeIos: "app://o/1",
              schemeAndroid: "app://o/1",
            },
          ],
          resendParameter: { isResend: false },
          recipientGroupingKey: "msg_a",
        },
      ],
    });
    expect(accepted(outcomes[0])).toBe(vidOf(recordOf(fake, "msg_a")));
    expect(accepted(outcomes[0])).toMatch(/^alimtalk:\d{14}[A-Za-z0-9]{10}0:1$/);
  });

  it("asks NHN for its native fallback with resendParameter", async () => {
    const { fake, account } = await setup();
    await nhnAdapter.send(account, [
      alimtalk("msg_lms", {
        nativeFallback: {
          type: "lms",
          text: "홍길동님 주문 A-1 완료 (대체)",
          subject: "주문 완료",
        },
      }),
      alimtalk("msg_sms", {
        from: "",
        nativeFallback: { type: "sms", text: "주문 완료", subject: null },
      }),
    ]);
    expect(
      posts(fake).map((p) => {
        const body = p.body as { senderGroupingKey: string; recipientList: unknown[] };
        return [
          body.senderGroupingKey,
          body.recipientList.map((r) => (r as { resendParameter: unknown }).resendParameter),
        ];
      }),
    ).toEqual([
      [
        "alimi:at:lms",
        [
          {
            isResend: true,
            resendType: "LMS",
            resendContent: "홍길동님 주문 A-1 완료 (대체)",
            resendTitle: "주문 완료",
            resendSendNo: "0212345678",
          },
        ],
      ],
      ["alimi:at:sms", [{ isResend: true, resendType: "SMS", resendContent: "주문 완료" }]],
    ]);
  });

  it("groups a mixed batch by endpoint and content, and answers in input order", async () => {
    const { fake, account } = await setup();
    const messages = [
      sms("m1", { text: "A" }),
      alimtalk("m2"),
      sms("m3", { type: "lms", subject: "S", text: "long" }),
      sms("m4", { text: "B", to: "+821011112222" }),
      sms("m5", { text: "A", to: "+821033334444" }),
      alimtalk("m6", { alimtalk: { templateCode: "OTHER", buttons: [] } }),
      sms("m7", { text: "A", from: "0299998888" }),
    ];
    const outcomes = await nhnAdapter.send(account, messages);

    expect(outcomes.map((o) => o.id)).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    expect(outcomes.map((o) => accepted(o))).toEqual(
      messages.map((m) => vidOf(recordOf(fake, m.id))),
    );
    const sent = posts(fake).map((p) => {
      const body = p.body as { recipientList: { recipientGroupingKey: string }[] };
      return [
        p.path.split("/").slice(-1)[0],
        body.recipientList.map((r) => r.recipientGroupingKey),
      ];
    });
    expect(sent.sort()).toEqual(
      [
        ["sms", ["m1", "m5"]],
        ["raw-messages", ["m2"]],
        ["mms", ["m3"]],
        ["sms", ["m4"]],
        ["raw-messages", ["m6"]],
        ["sms", ["m7"]],
      ].sort(),
    );
    expect(recordOf(fake, "m5")).toMatchObject({ recipientSeq: 2, recipientNo: "01033334444" });
  });

  it("splits more than 1,000 recipients into requests of 1,000", async () => {
    const { fake, account } = await setup();
    const messages = Array.from({ length: 2_501 }, (_, i) =>
      sms(`msg_${i}`, { to: `+8210${String(10_000_000 + i)}` }),
    );
    const outcomes = await nhnAdapter.send(account, messages);

    const sizes = posts(fake).map(
      (p) => (p.body as { recipientList: unknown[] }).recipientList.length,
    );
    expect(sizes.sort((a, b) => b - a)).toEqual([1000, 1000, 501]);
    expect(outcomes).toHaveLength(2_501);
    expect(outcomes.map((o) => o.id)).toEqual(messages.map((m) => m.id));
    expect(new Set(outcomes.map((o) => accepted(o))).size).toBe(2_501);
    expect(accepted(outcomes[1_000])).toBe(vidOf(recordOf(fake, "msg_1000")));
    expect(accepted(outcomes[1_000])).toMatch(/:1$/);
    expect(accepted(outcomes[2_500])).toMatch(/:501$/);
  });

  it("maps recipients NHN refuses while accepting the others", async () => {
    const { account } = await setup({
      rejections: { "01000000009": -2019, "01000000008": -6001, "01000000007": -4019 },
    });
    const outcomes = await nhnAdapter.send(account, [
      sms("ok_1"),
      sms("bad_1", { to: "+821000000009" }),
      sms("opted_out", { to: "+821000000008" }),
      alimtalk("bad_2", { to: "+821000000007" }),
      alimtalk("ok_2"),
    ]);
    expect(
      outcomes.map((o) => [o.id, o.outcome, o.outcome === "accepted" ? null : o.error]),
    ).toEqual([
      ["ok_1", "accepted", null],
      ["bad_1", "rejected", { code: "INVALID_NUMBER", rawCode: "-2019", message: "FAIL" }],
      ["opted_out", "rejected", { code: "BLOCKED", rawCode: "-6001", message: "FAIL" }],
      ["bad_2", "rejected", { code: "INVALID_NUMBER", rawCode: "-4019", message: "FAIL" }],
      ["ok_2", "accepted", null],
    ]);
  });

  it("sends SMS abroad as internationalRecipientNo and refuses LMS and Alimtalk abroad", async () => {
    const { fake, account } = await setup();
    const outcomes = await nhnAdapter.send(account, [
      sms("intl_sms", { to: "+12025550123" }),
      sms("intl_lms", { to: "+12025550123", type: "lms", subject: "S" }),
      alimtalk("intl_at", { to: "+12025550123" }),
      sms("garbage", { to: "01012345678" }),
    ]);
    expect(posts(fake)).toHaveLength(1);
    expect((posts(fake)[0]!.body as { recipientList: unknown[] }).recipientList).toEqual([
      { internationalRecipientNo: "12025550123", recipientGroupingKey: "intl_sms" },
    ]);
    expect(
      outcomes.map((o) => [o.outcome, o.outcome === "accepted" ? null : o.error.rawCode]),
    ).toEqual([
      ["accepted", null],
      ["rejected", "-2024"],
      ["rejected", "recipientNo"],
      ["rejected", "recipientNo"],
    ]);
  });

  it("refuses, without calling NHN, what the account cannot send", async () => {
    const { fake, account } = await setup(
      {},
      { settings: { senderKey: "" }, credentials: { smsAppKey: "", smsSecretKey: "" } },
    );
    const outcomes = await nhnAdapter.send(account, [
      sms("no_sms_creds"),
      alimtalk("no_sender_key"),
    ]);
    expect(fake.received).toHaveLength(0);
    expect(outcomes).toEqual([
      {
        id: "no_sms_creds",
        outcome: "rejected",
        error: {
          code: "AUTH_FAILED",
          rawCode: "credentials.sms",
          message: "the NHN account has no SMS credentials (smsAppKey, smsSecretKey)",
        },
      },
      {
        id: "no_sender_key",
        outcome: "rejected",
        error: {
          code: "SENDER_NOT_REGISTERED",
          rawCode: "settings.senderKey",
          message: "the NHN account has no Kakao sender key (settings.senderKey)",
        },
      },
    ]);
  });

  it("rejects every message of a batch as AUTH_FAILED when NHN refuses the secret key", async () => {
    const { fake, account } = await setup(
      {},
      { credentials: { smsSecretKey: "wrong", alimtalkSecretKey: "" } },
    );
    const outcomes = await nhnAdapter.send(account, [sms("s1"), sms("s2", { text: "other" })]);
    expect(fake.received.map((r) => r.headers["x-secret-key"])).toEqual(["wrong", "wrong"]);
    expect(fake.records).toHaveLength(0);
    for (const o of outcomes) {
      expect(o).toMatchObject({
        outcome: "rejected",
        error: { code: "AUTH_FAILED", rawCode: "-1001", message: "Invalid secretKey." },
      });
    }
    expect(JSON.stringify(outcomes)).not.toContain("wrong");
  });

  it("reads an auth failure answered with HTTP 200 the same way", async () => {
    const { account } = await setup(
      { authFailureStatus: 200 },
      { credentials: { alimtalkSecretKey: "wrong" } },
    );
    const [outcome] = await nhnAdapter.send(account, [alimtalk("a1")]);
    expect(outcome).toMatchObject({
      outcome: "rejected",
      error: { code: "AUTH_FAILED", rawCode: "-1001" },
    });
  });

  it("answers retry for every message when NHN fails with 5xx", async () => {
    const { fake, account } = await setup();
    fake.failNext("5xx", 2);
    const outcomes = await nhnAdapter.send(account, [sms("s1"), alimtalk("a1")]);
    expect(outcomes).toEqual([
      {
        id: "s1",
        outcome: "retry",
        error: { code: "VENDOR_UNAVAILABLE", rawCode: "-9999", message: "System error." },
      },
      {
        id: "a1",
        outcome: "retry",
        error: { code: "VENDOR_UNAVAILABLE", rawCode: "-9999", message: "System error." },
      },
    ]);
  });

  it("answers retry (TIMEOUT) when NHN does not answer in time", async () => {
    const { fake, account } = await setup({}, { settings: { timeoutMs: 200 } });
    fake.failNext("timeout");
    const started = Date.now();
    const outcomes = await nhnAdapter.send(account, [sms("s1"), sms("s2")]);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(outcomes).toEqual([
      {
        id: "s1",
        outcome: "retry",
        error: { code: "TIMEOUT", rawCode: "timeout", message: "NHN did not answer in time" },
      },
      {
        id: "s2",
        outcome: "retry",
        error: { code: "TIMEOUT", rawCode: "timeout", message: "NHN did not answer in time" },
      },
    ]);
  });

  it("stops calling a product that no longer answers for the rest of the batch", async () => {
    const { fake, account } = await setup({}, { settings: { timeoutMs: 200 } });
    fake.failNext("timeout", 8);
    const personal = Array.from({ length: 20 }, (_, i) => sms(`s${i}`, { text: `고객 ${i}님` }));
    const started = Date.now();
    const outcomes = await nhnAdapter.send(account, [...personal, alimtalk("a1")]);

    expect(Date.now() - started).toBeLessThan(1_500);
    // 8 SMS requests in flight time out; the other 12 are not made; Alimtalk is another host.
    expect(fake.received.map((r) => r.path.split("/").slice(-1)[0])).toEqual([
      ...Array(8).fill("sms"),
      "raw-messages",
    ]);
    expect(
      outcomes.slice(0, 20).every((o) => o.outcome === "retry" && o.error.code === "TIMEOUT"),
    ).toBe(true);
    expect(accepted(outcomes[20])).toBe(vidOf(recordOf(fake, "a1")));
  });

  it("answers retry when NHN cannot be reached", async () => {
    const { fake, account } = await setup();
    await fake.close();
    const outcomes = await nhnAdapter.send(account, [sms("s1"), alimtalk("a1")]);
    for (const o of outcomes) {
      expect(o).toMatchObject({ outcome: "retry", error: { code: "VENDOR_UNAVAILABLE" } });
    }
  });

  it("does not send twice a retried message NHN took before its answer was lost", async () => {
    const { fake, account } = await setup({}, { settings: { timeoutMs: 300 } });
    fake.failNext("lose-answer");
    const [first] = await nhnAdapter.send(account, [alimtalk("a1")]);
    expect(first).toMatchObject({ outcome: "retry", error: { code: "TIMEOUT" } });
    expect(fake.records).toHaveLength(1);

    const [second] = await nhnAdapter.send(account, [alimtalk("a1", { attempt: 2 })]);
    expect(second).toEqual({
      id: "a1",
      outcome: "accepted",
      vendorMessageId: vidOf(fake.records[0]!),
    });
    expect(fake.records).toHaveLength(1);
    const lookup = fake.received.at(-1)!;
    expect(lookup.method).toBe("GET");
    expect(lookup.path).toBe(`/alimtalk/v2.3/appkeys/${FAKE_ALIMTALK.appKey}/messages`);
    expect(Object.fromEntries(lookup.query)).toMatchObject({ recipientGroupingKey: "a1" });
    expect(lookup.query.get("startCreateDate")).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  it("looks a retried SMS up at its endpoint, then sends it when NHN does not have it", async () => {
    const { fake, account } = await setup();
    const [outcome] = await nhnAdapter.send(account, [
      sms("l1", { type: "lms", subject: "S", attempt: 3 }),
    ]);
    expect(fake.received.map((r) => [r.method, r.path.split("/").slice(-1)[0]])).toEqual([
      ["GET", "mms"],
      ["POST", "mms"],
    ]);
    expect(fake.received[0]!.query.get("startCreateDate")).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
    );
    expect(accepted(outcome)).toBe(vidOf(recordOf(fake, "l1")));
  });

  it("does not send a retried message blind when the lookup fails", async () => {
    const { fake, account } = await setup();
    fake.failNext("5xx");
    const outcomes = await nhnAdapter.send(account, [
      sms("s1", { attempt: 2 }),
      sms("s2"),
      alimtalk("a1"),
    ]);
    // The lookup met an NHN outage: no SMS is sent in this batch; Alimtalk is another host.
    expect(outcomes.slice(0, 2)).toEqual([
      {
        id: "s1",
        outcome: "retry",
        error: { code: "VENDOR_UNAVAILABLE", rawCode: "-9999", message: "System error." },
      },
      {
        id: "s2",
        outcome: "retry",
        error: { code: "VENDOR_UNAVAILABLE", rawCode: "-9999", message: "System error." },
      },
    ]);
    expect(accepted(outcomes[2])).toBe(vidOf(recordOf(fake, "a1")));
    expect(fake.received.map((r) => [r.method, r.path.split("/").slice(-1)[0]])).toEqual([
      ["GET", "sms"],
      ["POST", "raw-messages"],
    ]);
  });
});

interface Webhook {
  url: string;
  reports: DeliveryReport[];
  statuses: number[];
}

async function startWebhook(account: () => VendorAccount): Promise<Webhook> {
  const hook: Webhook = { url: "", reports: [], statuses: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const parsed = nhnAdapter.parseReports(account(), {
        headers: req.headers,
        rawBody: Buffer.concat(chunks),
        pathToken: null,
      });
      const status = parsed.ok ? 200 : parsed.status;
      if (parsed.ok) hook.reports.push(...parsed.reports);
      hook.statuses.push(status);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return hook;
}

describe("reports by webhook", () => {
  it("delivers reports whose ids are what send returned, with NHN's fallback on its way", async () => {
    let account: VendorAccount | undefined;
    const webhook = await startWebhook(() => account!);
    const setupResult = await setup({
      webhook: { url: webhook.url, signature: SECRET },
      outcomes: { "01000000001": "3019", "01000000002": "2003" },
    });
    account = setupResult.account;
    const { fake } = setupResult;
    const outcomes = await nhnAdapter.send(account, [
      sms("s_ok"),
      sms("s_off", { to: "+821000000002" }),
      alimtalk("a_ok"),
      alimtalk("a_fb", {
        to: "+821000000001",
        nativeFallback: { type: "sms", text: "주문 완료", subject: null },
      }),
    ]);
    const vids = outcomes.map((o) => accepted(o));

    expect(await fake.postReports()).toEqual([]);
    fake.complete();
    expect(await fake.postReports()).toEqual([200, 200]);
    expect(
      webhook.reports.map((r) => [r.vendorMessageId, r.messageId, r.status, r.type, r.fallbackOf]),
    ).toEqual([
      [vids[0], "s_ok", "delivered", "sms", null],
      [vids[1], "s_off", "failed", "sms", null],
      [vids[2], "a_ok", "delivered", "alimtalk", null],
      [vids[3], "a_fb", "failed", "alimtalk", null],
      [`${vids[3]}:fallback`, null, "sent", "sms", vids[3]],
    ]);
    expect(webhook.reports[1]!.error).toEqual({
      code: "UNREACHABLE",
      rawCode: "2003",
      message: "The handset is switched off.",
    });
    expect(fake.posted.map((e) => [e.productName, e.event, e.hooks.length])).toEqual([
      ["SMS", "MESSAGE_RESULT_UPDATE", 2],
      ["KakaoTalk Bizmessage", "MESSAGE_RESULT_UPDATE", 2],
    ]);
    expect(await fake.postReports()).toEqual([]);
  });

  it("posts late reports, and refuses them when the console's signature is not ours", async () => {
    let account: VendorAccount | undefined;
    const webhook = await startWebhook(() => account!);
    const setupResult = await setup({ webhook: { url: webhook.url, signature: "typo" } });
    account = setupResult.account;
    const { fake } = setupResult;
    await nhnAdapter.send(account, [sms("s1"), alimtalk("a1")]);
    fake.complete();

    const started = Date.now();
    expect(await fake.postReports({ delayMs: 150 })).toEqual([401, 401]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(webhook.reports).toEqual([]);
    expect(fake.records.every((r) => !r.reported)).toBe(true);

    account = {
      ...account,
      credentials: { ...account.credentials, webhookSignatureKey: "typo" },
    };
    expect(await fake.postReports()).toEqual([200, 200]);
    expect(webhook.reports.map((r) => r.messageId)).toEqual(["s1", "a1"]);
  });
});

describe("poll", () => {
  it("has nothing to say until NHN has results, then reports SMS and LMS", async () => {
    const { fake, account } = await setup({ outcomes: { "01000000002": "3003" } });
    const outcomes = await nhnAdapter.send(account, [
      sms("s1"),
      sms("s2", { to: "+821000000002" }),
      sms("l1", { type: "lms", subject: "S", text: "long" }),
    ]);
    const asked = outcomes.map((o) => ({ id: o.id, vendorMessageId: accepted(o) }));

    expect(await nhnAdapter.poll(account, asked)).toEqual({ reports: [] });
    fake.complete();
    fake.received.length = 0;
    const { reports } = await nhnAdapter.poll(account, asked);

    expect(
      reports
        .map((r) => [r.vendorMessageId, r.messageId, r.status, r.type, r.error?.code ?? null])
        .sort(),
    ).toEqual(
      [
        [asked[0]!.vendorMessageId, "s1", "delivered", "sms", null],
        [asked[1]!.vendorMessageId, "s2", "failed", "sms", "INVALID_NUMBER"],
        [asked[2]!.vendorMessageId, "l1", "delivered", "lms", null],
      ].sort(),
    );
    const queries = fake.received.map(
      (r) => `${r.path.split("/").slice(-1)[0]}?${r.query.get("requestId")}`,
    );
    const smsRequest = asked[0]!.vendorMessageId.split(":")[1];
    const lmsRequest = asked[2]!.vendorMessageId.split(":")[1];
    expect(queries.sort()).toEqual(
      [`mms?${lmsRequest}`, `sms?${lmsRequest}`, `sms?${smsRequest}`].sort(),
    );
    expect(fake.received.every((r) => r.query.get("pageSize") === "1000")).toBe(true);
    expect(fake.received.every((r) => r.headers["x-secret-key"] === FAKE_SMS.secretKey)).toBe(true);
  });

  it("reports an Alimtalk failure and NHN's fallback, asking singly for a failed fallback's code", async () => {
    const { fake, account } = await setup({
      outcomes: { "01000000001": "3019", "01000000002": "3018" },
      fallbackOutcomes: { "01000000002": "3003" },
    });
    const fallback = { type: "lms" as const, text: "대체 문자", subject: "주문" };
    const outcomes = await nhnAdapter.send(account, [
      alimtalk("a_ok"),
      alimtalk("a_fb_ok", { to: "+821000000001", nativeFallback: fallback }),
      alimtalk("a_fb_bad", { to: "+821000000002", nativeFallback: fallback }),
    ]);
    const vids = outcomes.map((o) => accepted(o));
    fake.complete();
    fake.received.length = 0;

    const { reports } = await nhnAdapter.poll(account, [
      { id: "a_ok", vendorMessageId: vids[0]! },
      { id: "a_fb_ok", vendorMessageId: vids[1]! },
      { id: "a_fb_bad", vendorMessageId: vids[2]! },
      { id: "child_of_a_fb_bad", vendorMessageId: `${vids[2]}:fallback` },
    ]);
    expect(
      reports.map((r) => [
        r.vendorMessageId,
        r.status,
        r.type,
        r.fallbackOf,
        r.error?.rawCode ?? null,
      ]),
    ).toEqual([
      [vids[0], "delivered", "alimtalk", null, null],
      [vids[1], "failed", "alimtalk", null, "3019"],
      [`${vids[1]}:fallback`, "delivered", "lms", vids[1], null],
      [vids[2], "failed", "alimtalk", null, "3018"],
      [`${vids[2]}:fallback`, "failed", "lms", vids[2], "3003"],
    ]);
    expect(reports[4]!.error?.code).toBe("INVALID_NUMBER");
    // One list query per send request (with and without a fallback are two),
    // and one single query for the failed fallback's SMS result code.
    const requestOf = (vid: string) => vid.split(":")[1];
    expect(fake.received.map((r) => r.path.replace(/^.*\/appkeys\/[^/]+/, "")).sort()).toEqual(
      ["/messages", "/messages", `/messages/${requestOf(vids[2]!)}/2`].sort(),
    );
    expect(
      fake.received
        .filter((r) => r.query.has("requestId"))
        .map((r) => r.query.get("requestId"))
        .sort(),
    ).toEqual([requestOf(vids[0]!), requestOf(vids[1]!)].sort());
    expect(requestOf(vids[1]!)).toBe(requestOf(vids[2]!));
  });

  it("reports a fallback still being sent as sent", async () => {
    const { fake, account } = await setup({ outcomes: { "01000000001": "3019" } });
    const [outcome] = await nhnAdapter.send(account, [
      alimtalk("a1", {
        to: "+821000000001",
        nativeFallback: { type: "sms", text: "t", subject: null },
      }),
    ]);
    fake.complete({ fallbackInProgress: true });
    const vid = accepted(outcome);
    const { reports } = await nhnAdapter.poll(account, [{ id: "a1", vendorMessageId: vid }]);
    expect(reports.map((r) => [r.vendorMessageId, r.status])).toEqual([
      [vid, "failed"],
      [`${vid}:fallback`, "sent"],
    ]);
  });

  it("ignores ids that are not NHN's and asks nothing for them", async () => {
    const { fake, account } = await setup();
    expect(await nhnAdapter.poll(account, [{ id: "m", vendorMessageId: "sbx_123" }])).toEqual({
      reports: [],
    });
    expect(fake.received).toHaveLength(0);
  });

  it("throws UNAVAILABLE when NHN cannot be asked, so nothing expires", async () => {
    const { fake, account } = await setup();
    const [outcome] = await nhnAdapter.send(account, [sms("s1")]);
    const asked = [{ id: "s1", vendorMessageId: accepted(outcome) }];

    fake.failNext("5xx");
    const outage = await nhnAdapter.poll(account, asked).catch((e: unknown) => e);
    expect(outage).toBeInstanceOf(AppError);
    expect(outage).toMatchObject({ code: "UNAVAILABLE", retryable: true });

    const refused = await nhnAdapter
      .poll({ ...account, credentials: { ...account.credentials, smsSecretKey: "wrong" } }, asked)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "UNAVAILABLE", retryable: false });
    expect((refused as Error).message).not.toContain("wrong");

    const unconfigured = await nhnAdapter
      .poll({ ...account, credentials: { ...account.credentials, smsAppKey: "" } }, asked)
      .catch((e: unknown) => e);
    expect(unconfigured).toMatchObject({ code: "UNAVAILABLE" });
  });
});

describe("checkCredentials", () => {
  it("makes one cheap authenticated query per product", async () => {
    const { fake, account } = await setup();
    expect(await nhnAdapter.checkCredentials(account)).toEqual({
      ok: true,
      message: "connected to NHN Cloud SMS and Alimtalk",
    });
    expect(
      fake.received.map((r) => [
        r.method,
        r.path,
        r.headers["x-secret-key"],
        r.query.get("pageSize") ?? undefined,
      ]),
    ).toEqual([
      ["GET", `/sms/v3.0/appKeys/${FAKE_SMS.appKey}/sender/sms`, FAKE_SMS.secretKey, "1"],
      [
        "GET",
        `/alimtalk/v2.3/appkeys/${FAKE_ALIMTALK.appKey}/messages`,
        FAKE_ALIMTALK.secretKey,
        "1",
      ],
    ]);
  });

  it("checks only the products the account has", async () => {
    const { account } = await setup(
      {},
      { credentials: { alimtalkAppKey: "", alimtalkSecretKey: "" }, settings: { senderKey: "" } },
    );
    expect(await nhnAdapter.checkCredentials(account)).toEqual({
      ok: true,
      message: "connected to NHN Cloud SMS",
    });
  });

  it.each<[string, Record<string, string>, Record<string, unknown>, string]>([
    [
      "a wrong secret key",
      { alimtalkSecretKey: "wrong-secret" },
      {},
      "NHN Alimtalk refused the credentials (HTTP 401)",
    ],
    [
      "a wrong app key",
      { smsAppKey: "nope" },
      {},
      // NHN answers a wrong SMS app key with HTTP 200 and a result code.
      "NHN SMS refused the credentials (HTTP 200)",
    ],
    [
      "half the credentials",
      { smsSecretKey: "" },
      {},
      "the NHN account has no SMS credentials (smsAppKey, smsSecretKey)",
    ],
    [
      "no sender key",
      {},
      { senderKey: "  " },
      "the NHN account has no Kakao sender key (settings.senderKey)",
    ],
    [
      "no credentials at all",
      { smsAppKey: "", smsSecretKey: "", alimtalkAppKey: "", alimtalkSecretKey: "" },
      {},
      "the NHN account has neither SMS nor Alimtalk credentials",
    ],
    ["a bad base URL", {}, { smsBaseUrl: "ftp://x" }, "settings.smsBaseUrl is not an http(s) URL"],
  ])("fails with %s", async (_, credentials, settings, message) => {
    const { account } = await setup({}, { credentials, settings });
    expect(await nhnAdapter.checkCredentials(account)).toEqual({ ok: false, message });
  });

  it("fails when NHN is down, saying so in its own words", async () => {
    const { fake, account } = await setup();
    fake.failNext("5xx");
    expect(await nhnAdapter.checkCredentials(account)).toEqual({
      ok: false,
      message: "NHN SMS is unavailable (HTTP 500)",
    });
  });

  it("declares NHN's limits", () => {
    expect(nhnAdapter).toMatchObject({ vendor: "nhn", batchSize: 1000, canPoll: true });
  });
});
