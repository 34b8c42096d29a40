// NHN Cloud's template API against the fake NHN over real HTTP: registration
// under the sender key (a review request at NHN), read back; changes of a
// rejected template; decisions and comments; refusals, outages and what is
// refused before any call.
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import {
  FAKE_ALIMTALK,
  type FakeNhnServer,
  startFakeServer,
} from "../../../test/support/vendors/nhn/fake-server.ts";
import type { TemplateToSubmit } from "../template-review.ts";
import type { VendorAccount } from "../vendor.ts";
import { reviewStateOf } from "./template-wire.ts";
import { nhnTemplateReviewer as reviewer } from "./templates.ts";

const SENDER_KEY = "0123456789abcdef0123456789abcdef01234567";
const PREFIX = `/alimtalk/v2.3/appkeys/${FAKE_ALIMTALK.appKey}/senders/${SENDER_KEY}/templates`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(): Promise<FakeNhnServer> {
  const server = await startFakeServer();
  cleanups.push(() => server.close());
  return server;
}

function account(server: { url: string }, settings: Record<string, unknown> = {}): VendorAccount {
  return {
    id: "vac_nhn",
    vendor: "nhn",
    settings: {
      alimtalkBaseUrl: server.url,
      smsBaseUrl: server.url,
      senderKey: SENDER_KEY,
      timeoutMs: 2_000,
      ...settings,
    },
    credentials: {
      alimtalkAppKey: FAKE_ALIMTALK.appKey,
      alimtalkSecretKey: FAKE_ALIMTALK.secretKey,
    },
    webhookSecret: "secret",
    webhookUrl: "http://127.0.0.1/webhooks/vendors/vac_nhn",
    transport: testTransport,
  };
}

const ORDER: TemplateToSubmit = {
  code: "ORDER_001",
  body: "#{name}님, 주문 #{orderNo}이 접수되었습니다.",
  buttons: [
    { type: "WL", name: "주문 보기", linkMobile: "https://shop.example.com/o/#{orderNo}" },
    { type: "DS", name: "배송 조회" },
  ],
};

describe("NHN Cloud template API", () => {
  it("registers under the sender key with the secret key, and reads it back requested", async () => {
    const nhn = await fake();
    const answer = await reviewer.submit(account(nhn), ORDER, null);
    expect(answer).toEqual({
      ok: true,
      state: {
        vendorTemplateId: "ORDER_001",
        senderKey: SENDER_KEY,
        status: "requested",
        vendorStatus: "TSC01",
        comments: [],
      },
    });
    const [register, read] = nhn.received;
    expect(register).toMatchObject({ method: "POST", path: PREFIX });
    expect(register!.headers["x-secret-key"]).toBe(FAKE_ALIMTALK.secretKey);
    expect(register!.body).toEqual({
      templateCode: "ORDER_001",
      templateName: "ORDER_001",
      templateContent: ORDER.body,
      categoryCode: "999999",
      buttons: [
        {
          ordering: 1,
          type: "WL",
          name: "주문 보기",
          linkMo: "https://shop.example.com/o/#{orderNo}",
        },
        { ordering: 2, type: "DS", name: "배송 조회" },
      ],
    });
    expect(read).toMatchObject({ method: "GET", path: `${PREFIX}/ORDER_001` });
  });

  it("follows the review: inspecting, then rejected with the reviewer's comment", async () => {
    const nhn = await fake();
    const submitted = await reviewer.submit(account(nhn), ORDER, null);
    const ref = submitted.ok ? submitted.state : null;
    nhn.templates.advance("ORDER_001", "TSC02");
    expect(await reviewer.read(account(nhn), ref!)).toMatchObject({
      ok: true,
      state: { status: "inspecting", vendorStatus: "TSC02" },
    });
    nhn.templates.advance("ORDER_001", "TSC04", "변수 예시를 입력해 주세요.");
    expect(await reviewer.read(account(nhn), ref!)).toEqual({
      ok: true,
      state: {
        vendorTemplateId: "ORDER_001",
        senderKey: SENDER_KEY,
        status: "rejected",
        vendorStatus: "TSC04",
        comments: [
          {
            key: expect.stringMatching(/^nhn:\d+$/),
            author: "카카오 검수자",
            body: "변수 예시를 입력해 주세요.",
            status: "REJ",
            at: expect.any(Date),
          },
        ],
      },
    });
  });

  it("changes a rejected template in place: it is under review again", async () => {
    const nhn = await fake();
    const submitted = await reviewer.submit(account(nhn), ORDER, null);
    const ref = submitted.ok ? submitted.state : null;
    nhn.templates.advance("ORDER_001", "TSC04", "반려");
    const before = nhn.received.length;
    const answer = await reviewer.submit(
      account(nhn),
      { ...ORDER, body: "바뀐 본문 #{name}" },
      ref,
    );
    expect(answer).toMatchObject({
      ok: true,
      state: { status: "inspecting", vendorStatus: "TSC02" },
    });
    const [change] = nhn.received.slice(before);
    expect(change).toMatchObject({ method: "PUT", path: `${PREFIX}/ORDER_001` });
    expect(change!.body).not.toHaveProperty("templateCode");
    nhn.templates.advance("ORDER_001", "TSC03");
    expect(await reviewer.read(account(nhn), ref!)).toMatchObject({
      ok: true,
      state: { status: "approved" },
    });
  });

  it("refuses what NHN would: a long code, no sender key, no Alimtalk credentials", async () => {
    const nhn = await fake();
    expect(
      await reviewer.submit(account(nhn), { ...ORDER, code: "A_CODE_OF_21_CHARS_XX" }, null),
    ).toMatchObject({ ok: false, refused: true, failure: { error: { rawCode: "templateCode" } } });
    expect(
      await reviewer.submit(account(nhn, { senderKey: undefined }), ORDER, null),
    ).toMatchObject({
      ok: false,
      refused: true,
      failure: { error: { rawCode: "settings.senderKey" } },
    });
    const noKeys = { ...account(nhn), credentials: {} };
    expect(await reviewer.submit(noKeys, ORDER, null)).toMatchObject({ ok: false, refused: true });
    expect(nhn.received).toHaveLength(0);
  });

  it("says a refusal is one, and an outage is not", async () => {
    const nhn = await fake();
    expect((await reviewer.submit(account(nhn), ORDER, null)).ok).toBe(true);
    const duplicate = await reviewer.submit(account(nhn), ORDER, null);
    expect(duplicate).toMatchObject({ ok: false, refused: true, failure: { retryable: false } });
    nhn.failNext("5xx");
    const outage = await reviewer.submit(account(nhn), { ...ORDER, code: "OTHER" }, null);
    expect(outage).toMatchObject({ ok: false, refused: false, failure: { retryable: true } });
    const wrongSecret = {
      ...account(nhn),
      credentials: { alimtalkAppKey: FAKE_ALIMTALK.appKey, alimtalkSecretKey: "wrong" },
    };
    expect(
      await reviewer.read(wrongSecret, { vendorTemplateId: "ORDER_001", senderKey: SENDER_KEY }),
    ).toMatchObject({ ok: false, failure: { error: { code: "AUTH_FAILED" } } });
  });

  it("reads a one-item list as the template, and a status it does not map as none", () => {
    const body = {
      header: { isSuccessful: true, resultCode: 0, resultMessage: "SUCCESS" },
      templates: [{ templateCode: "A", senderKey: SENDER_KEY, status: "TSC09", comments: [] }],
    };
    expect(reviewStateOf(body, { statuses: { TSC01: "requested" }, senderKey: "x" })).toEqual({
      vendorTemplateId: "A",
      senderKey: SENDER_KEY,
      status: null,
      vendorStatus: "TSC09",
      comments: [],
    });
    expect(reviewStateOf({ header: {} }, { statuses: {}, senderKey: "x" })).toBeNull();
  });
});
