// SOLAPI's template API against the fake SOLAPI over real HTTP: what is
// registered and asked for inspection, signed; changes of a rejected
// template; reading decisions and comments; refusals and outages; and the
// settings that stand for what SOLAPI does not document.
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import {
  FAKE_API_KEY,
  FAKE_API_SECRET,
  type FakeSolapi,
  type FakeSolapiOptions,
  startFakeServer,
} from "../../../test/support/vendors/solapi/fake-server.ts";
import type { TemplateToSubmit } from "../template-review.ts";
import type { VendorAccount } from "../vendor.ts";
import { reviewStateOf } from "./template-wire.ts";
import { solapiTemplateReviewer as reviewer } from "./templates.ts";

const PF_ID = "KA01PF190227072057634pRBhbpAw1w1";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: FakeSolapiOptions = {}): Promise<FakeSolapi> {
  const server = await startFakeServer(options);
  cleanups.push(server.close);
  return server;
}

function account(server: { url: string }, settings: Record<string, unknown> = {}): VendorAccount {
  return {
    id: "vac_solapi",
    vendor: "solapi",
    settings: { baseUrl: server.url, pfId: PF_ID, timeoutMs: 2_000, ...settings },
    credentials: { apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET },
    webhookSecret: "secret",
    webhookUrl: "http://127.0.0.1:1/webhooks/vendors/vac_solapi",
    transport: testTransport,
  };
}

const ORDER: TemplateToSubmit = {
  code: "ORDER_001",
  body: "#{name}님, 주문 #{orderNo}이 접수되었습니다.",
  buttons: [
    {
      type: "WL",
      name: "주문 보기",
      linkMobile: "https://shop.example.com/o/#{orderNo}",
      linkPc: "https://shop.example.com/pc",
    },
    { type: "AL", name: "앱", schemeAndroid: "shop://o", schemeIos: "shop://o" },
  ],
};

describe("SOLAPI template API", () => {
  it("registers under the channel and asks for inspection, signed like every call", async () => {
    const solapi = await fake();
    const answer = await reviewer.submit(account(solapi), ORDER, null);
    expect(answer).toEqual({
      ok: true,
      state: {
        vendorTemplateId: expect.stringMatching(/^KA01TP\d{14}[A-Z0-9]{15}$/),
        senderKey: PF_ID,
        status: "inspecting",
        vendorStatus: "INSPECTING",
        comments: [],
      },
    });
    const [create, inspect] = solapi.requests;
    expect(create).toMatchObject({ method: "POST", path: "/kakao/v2/templates" });
    expect(create!.body).toEqual({
      name: "ORDER_001",
      content: ORDER.body,
      categoryCode: "999999",
      channelId: PF_ID,
      buttons: [
        {
          buttonName: "주문 보기",
          buttonType: "WL",
          linkMo: "https://shop.example.com/o/#{orderNo}",
          linkPc: "https://shop.example.com/pc",
        },
        { buttonName: "앱", buttonType: "AL", linkAnd: "shop://o", linkIos: "shop://o" },
      ],
    });
    const id = answer.ok ? answer.state.vendorTemplateId : "";
    expect(inspect).toMatchObject({ method: "PUT", path: `/kakao/v2/templates/${id}/inspection` });
    expect(solapi.requests.every((r) => r.auth.ok)).toBe(true);
    expect(solapi.templates.byId.get(id)?.status).toBe("INSPECTING");
  });

  it("reads Kakao's decision and its reviewers' comments", async () => {
    const solapi = await fake();
    const submitted = await reviewer.submit(account(solapi), ORDER, null);
    const ref = submitted.ok ? submitted.state : null;
    solapi.templates.decide(ref!.vendorTemplateId, "REJECTED", "변수 설명이 필요합니다.");
    const read = await reviewer.read(account(solapi), ref!);
    expect(read).toEqual({
      ok: true,
      state: {
        vendorTemplateId: ref!.vendorTemplateId,
        senderKey: PF_ID,
        status: "rejected",
        vendorStatus: "REJECTED",
        comments: [
          {
            key: expect.stringMatching(/^solapi:[\w-]{22}$/),
            author: "KAKAO-REVIEWER",
            body: "변수 설명이 필요합니다.",
            status: "REVIEWER",
            at: expect.any(Date),
          },
        ],
      },
    });
    // The same comment read again has the same key: it is kept once.
    const again = await reviewer.read(account(solapi), ref!);
    expect(again.ok && again.state.comments[0]!.key).toBe(read.ok && read.state.comments[0]!.key);
  });

  it("changes a rejected template in place and asks for inspection again", async () => {
    const solapi = await fake();
    const submitted = await reviewer.submit(account(solapi), ORDER, null);
    const ref = submitted.ok ? submitted.state : null;
    solapi.templates.decide(ref!.vendorTemplateId, "REJECTED", "반려");
    const before = solapi.requests.length;
    const changed = { ...ORDER, body: "#{name}님, 주문이 접수되었습니다." };
    const answer = await reviewer.submit(account(solapi), changed, ref);
    expect(answer).toMatchObject({
      ok: true,
      state: { vendorTemplateId: ref!.vendorTemplateId, status: "inspecting" },
    });
    const calls = solapi.requests.slice(before);
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /kakao/v2/templates/${ref!.vendorTemplateId}`,
      `PUT /kakao/v2/templates/${ref!.vendorTemplateId}/inspection`,
    ]);
    // A change keeps its channel: none is sent.
    expect(calls[0]!.body).not.toHaveProperty("channelId");
    expect(solapi.templates.byId.get(ref!.vendorTemplateId)?.content).toBe(changed.body);
  });

  it("leaves a template SOLAPI inspects at once alone; a PENDING one is asked for at the next read", async () => {
    const inspecting = await fake({ templates: { createStatus: "INSPECTING" } });
    await reviewer.submit(account(inspecting), ORDER, null);
    expect(inspecting.requests.map((r) => r.method)).toEqual(["POST"]);

    const solapi = await fake();
    // The inspection request fails: the template is registered, requested.
    solapi.templates.failInspections(1);
    const answer = await reviewer.submit(account(solapi), ORDER, null);
    const state = answer.ok ? answer.state : null;
    expect(state).toMatchObject({ status: "requested", vendorStatus: "PENDING" });
    const read = await reviewer.read(account(solapi), state!);
    expect(read).toMatchObject({ ok: true, state: { status: "inspecting" } });
    expect(solapi.requests.slice(-2).map((r) => r.method)).toEqual(["GET", "PUT"]);
  });

  it("takes its category, inspection path and status words from settings.templates", async () => {
    const solapi = await fake({
      templates: { inspectionPath: "/kakao/v9/t/{templateId}/inspect" },
    });
    const settings = {
      templates: {
        categoryCode: "004001",
        inspectionPath: "/kakao/v9/t/{templateId}/inspect",
        statuses: { INSPECTING: "requested" },
      },
    };
    const answer = await reviewer.submit(account(solapi, settings), ORDER, null);
    expect(solapi.requests[0]!.body).toMatchObject({ categoryCode: "004001" });
    expect(solapi.requests[1]!.path).toMatch(/^\/kakao\/v9\/t\/KA01TP\w+\/inspect$/);
    expect(answer).toMatchObject({ ok: true, state: { status: "requested" } });
    // A word not mapped leaves ours alone (null), the vendor's kept.
    expect(
      reviewStateOf(
        { templateId: "KA01TP1", status: "DORMANT" },
        { statuses: { PENDING: "requested" }, senderKey: PF_ID },
      ),
    ).toMatchObject({ status: null, vendorStatus: "DORMANT" });
  });

  it("says a refusal is one, and an outage is not", async () => {
    const solapi = await fake();
    expect((await reviewer.submit(account(solapi), ORDER, null)).ok).toBe(true);
    // The same name in the channel: SOLAPI refuses it.
    const duplicate = await reviewer.submit(account(solapi), ORDER, null);
    expect(duplicate).toMatchObject({
      ok: false,
      refused: true,
      failure: { error: { rawCode: "ValidationError" }, retryable: false },
    });
    solapi.failNext(1, "5xx");
    const outage = await reviewer.submit(account(solapi), { ...ORDER, code: "OTHER" }, null);
    expect(outage).toMatchObject({ ok: false, refused: false, failure: { retryable: true } });
    const noChannel = await reviewer.submit(account(solapi, { pfId: "" }), ORDER, null);
    expect(noChannel).toMatchObject({
      ok: false,
      refused: true,
      failure: { error: { rawCode: "settings.pfId" } },
    });
    const badSettings = await reviewer.submit(
      account(solapi, { templates: { inspectionPath: "no-placeholder" } }),
      ORDER,
      null,
    );
    expect(badSettings).toMatchObject({
      ok: false,
      refused: true,
      failure: { error: { rawCode: expect.stringMatching(/^settings\.templates/) } },
    });
    const wrongKey = await reviewer.read(
      { ...account(solapi), credentials: { apiKey: "WRONG", apiSecret: FAKE_API_SECRET } },
      { vendorTemplateId: "KA01TP1", senderKey: PF_ID },
    );
    expect(wrongKey).toMatchObject({ ok: false, failure: { error: { code: "AUTH_FAILED" } } });
  });
});
