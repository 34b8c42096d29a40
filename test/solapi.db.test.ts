// An organization connects SOLAPI through the API and sends an Alimtalk
// campaign with SMS fallback end to end against a fake SOLAPI: signed and
// well-shaped requests, reports posted to the account's webhook URL settle
// the messages, and polling settles those whose reports never come.
import { describe, expect, it } from "vitest";
import { runDoctor } from "../src/modules/doctor/service.ts";
import type { WireSendRequest } from "../src/vendors/solapi/wire.ts";
import { createSendingOrg, platformKey } from "./app.ts";
import { engine } from "./db.ts";
import { jpegBytes } from "./images.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";
import {
  FAKE_API_KEY,
  FAKE_API_SECRET,
  type FakeSolapiOptions,
  startFakeServer,
} from "./support/vendors/solapi/fake-server.ts";
import { createOrderTemplate, orderSender, outcomesOf, routeAllTo } from "./vendor-e2e.ts";

describe(`SOLAPI end to end on ${engine}`, async () => {
  const pipeline = await startPipeline({ pollAfterMs: 1_500, expireAfterMs: 3_000 });
  const { app, db } = pipeline;
  const fakeOptions: FakeSolapiOptions = {
    reportDelayMs: 20,
    recipients: { "01000000001": { kind: "not-kakao-user" } },
  };
  const solapi = await startFakeServer(fakeOptions);
  const shop = await createSendingOrg(db, { credits: 1000 });
  await createOrderTemplate(db, shop.orgId);

  const created = await app.inject({
    method: "POST",
    url: "/v1/vendor-accounts",
    headers: shop.auth,
    payload: {
      vendor: "solapi",
      name: "SOLAPI",
      credentials: { apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET },
      settings: {
        baseUrl: solapi.url,
        pfId: "KA01PF0000000001",
        templateIds: { ORDER_001: "KA01TP0000000001" },
      },
    },
  });
  const account = created.json();
  // What the customer pastes into SOLAPI's console.
  fakeOptions.webhookUrl = account.webhookUrl;
  await routeAllTo(app, shop.auth, shop.orgId, account.id);

  const send = orderSender(app, shop.auth);
  const outcome = (campaignId: string) => outcomesOf(db, campaignId);

  it("connects with a tested, path-token webhook URL", () => {
    expect(created.statusCode).toBe(201);
    expect(account.webhookUrl).toMatch(
      new RegExp(`^${pipeline.url}/webhooks/vendors/${account.id}/[\\w-]{20,}$`),
    );
    expect(account.credentials).toEqual({ apiKey: "••••Y001", apiSecret: "••••ET00" });
  });

  it("sends Alimtalk with an SMS fallback; reports settle every message", async () => {
    const campaignId = await send([
      { to: "010-1234-5678", name: "홍길동" },
      { to: "010-0000-0001", name: "김철수" },
    ]);
    await waitForCompletion(db, campaignId);
    const C = 1_000_000n;
    expect(await outcome(campaignId)).toEqual([
      // The organization's own account: charged when the vendor took it, whatever
      // the reports say after (the organization holds that account's webhook).
      { to: "+821000000001", type: "alimtalk", status: "failed", charged: 8_000_000n },
      { to: "+821000000001", type: "sms", status: "delivered", charged: 15n * C },
      { to: "+821012345678", type: "alimtalk", status: "delivered", charged: 8n * C },
    ]);

    const sends = solapi.requests.filter((r) => r.path === "/messages/v4/send-many/detail");
    expect(sends.length).toBeGreaterThanOrEqual(2);
    for (const r of sends) {
      expect(r.auth).toEqual({ ok: true });
      expect(String(r.headers.authorization)).toMatch(
        /^HMAC-SHA256 apiKey=NCSFAKEAPIKEY001, date=\S+, salt=\S+, signature=[0-9a-f]{64}$/,
      );
    }
    const messages = sends.flatMap((r) => (r.body as WireSendRequest).messages);
    expect(messages).toContainEqual(
      expect.objectContaining({
        to: "01012345678",
        from: "0212345678",
        type: "ATA",
        text: "홍길동님, 주문이 접수되었습니다.",
        kakaoOptions: expect.objectContaining({
          pfId: "KA01PF0000000001",
          templateId: "KA01TP0000000001",
          disableSms: true,
        }),
        customFields: expect.objectContaining({ alimiMessageId: expect.stringMatching(/^msg_/) }),
      }),
    );
    expect(messages).toContainEqual(
      expect.objectContaining({ to: "01000000001", type: "SMS", text: "김철수님 주문 접수" }),
    );
    expect(solapi.posts.every((p) => p.status === 200)).toBe(true);
  });

  it("sends under the organization's own KakaoTalk channel; an unregistered one is refused", async () => {
    const channel = await app.inject({
      method: "POST",
      url: "/v1/kakao-channels",
      headers: shop.auth,
      payload: { name: "Shop channel", pfId: "KA01PF-SHOP-CHANNEL" },
    });
    expect(channel.statusCode).toBe(201);
    expect(channel.json()).toMatchObject({
      pfId: "KA01PF-SHOP-CHANNEL",
      status: "pending",
      isDefault: false,
    });
    const platform = await platformKey(db);
    const verified = await app.inject({
      method: "POST",
      url: `/v1/kakao-channels/${channel.json().id}/verify`,
      headers: platform.auth,
    });
    expect(verified.json()).toMatchObject({ status: "verified", isDefault: true });

    const refused = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        template: { code: "ORDER_001" },
        kakaoChannel: "kch_not_ours",
        recipients: [{ to: "010-3333-4444", variables: { name: "x" } }],
      },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([
      expect.objectContaining({ path: "/kakaoChannel", code: "SENDER_NOT_REGISTERED" }),
    ]);

    const before = solapi.requests.length;
    const campaignId = await send([{ to: "010-3333-5555", name: "박민수" }]);
    await waitForCompletion(db, campaignId);
    const sent = solapi.requests
      .slice(before)
      .filter((r) => r.path === "/messages/v4/send-many/detail")
      .flatMap((r) => (r.body as WireSendRequest).messages);
    expect(sent.map((m) => m.kakaoOptions?.pfId)).toEqual(["KA01PF-SHOP-CHANNEL"]);
  });

  it("sends an MMS with an uploaded image: one upload to SOLAPI's storage, its imageId on every message", async () => {
    const form = new FormData();
    const photo = jpegBytes({ width: 640, height: 480, size: 50_000 });
    form.append("file", new Blob([photo], { type: "image/jpeg" }), "sale.jpg");
    const uploaded = await fetch(`${pipeline.url}/v1/files`, {
      method: "POST",
      headers: shop.auth,
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as { id: string };

    const before = solapi.requests.length;
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        type: "auto",
        subject: "세일 안내",
        text: "이번 주 세일 상품을 확인하세요.",
        imageIds: [file.id],
        recipients: [{ to: "010-5555-0001" }, { to: "010-5555-0002" }],
      },
    });
    expect(res.statusCode).toBe(202);
    const campaignId = res.json().campaignId as string;
    await waitForCompletion(db, campaignId);
    expect((await outcome(campaignId)).map((m) => [m.type, m.status])).toEqual([
      ["mms", "delivered"],
      ["mms", "delivered"],
    ]);

    const requests = solapi.requests.slice(before);
    const uploads = requests.filter((r) => r.path === "/storage/v1/files");
    expect(uploads).toHaveLength(1);
    const [stored] = [...solapi.uploads.values()].filter((u) => u.data.equals(photo));
    expect(stored?.type).toBe("MMS");
    const sent = requests
      .filter((r) => r.path === "/messages/v4/send-many/detail")
      .flatMap((r) => (r.body as WireSendRequest).messages);
    expect(sent).toHaveLength(2);
    const imageIds = new Set(sent.map((m) => m.imageId));
    expect(imageIds.size).toBe(1);
    expect(solapi.uploads.has([...imageIds][0] as string)).toBe(true);
    expect(sent.every((m) => m.type === "MMS" && m.subject === "세일 안내")).toBe(true);
  });

  it("settles by polling the messages whose reports never come", async () => {
    fakeOptions.webhookUrl = null;
    const campaignId = await send([{ to: "010-2222-3333", name: "이영희" }]);
    await waitForCompletion(db, campaignId, 20_000);
    expect(await outcome(campaignId)).toEqual([
      { to: "+821022223333", type: "alimtalk", status: "delivered", charged: 8_000_000n },
    ]);
    expect(solapi.requests.some((r) => r.path === "/messages/v4/list")).toBe(true);
    const polled = await db.query<{ source: string }>(
      `select r.source from delivery_reports r join messages m
         on m.vendor_account_id = r.vendor_account_id and m.vendor_message_id = r.vendor_message_id
       where m.campaign_id = $1`,
      [campaignId],
    );
    expect(polled.rows).toEqual([{ source: "poll" }]);
    expect((await runDoctor(db)).violations).toEqual([]);
    await solapi.close();
  });
});
