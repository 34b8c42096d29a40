// Aligo pushes no reports: an organization connected to a fake Aligo sends an
// Alimtalk campaign with SMS fallback, and polling settles every message.
import { describe, expect, it } from "vitest";
import { runDoctor } from "../src/modules/doctor/service.ts";
import { createSendingOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";
import { startFakeServer } from "./support/vendors/aligo/fake-server.ts";
import { createOrderTemplate, orderSender, outcomesOf, routeAllTo } from "./vendor-e2e.ts";

describe(`Aligo end to end on ${engine}`, async () => {
  const pipeline = await startPipeline({ pollAfterMs: 500, expireAfterMs: 20_000 });
  const { app, db } = pipeline;
  const aligo = await startFakeServer({ behaviours: { "01000000001": "notKakao" } });
  const shop = await createSendingOrg(db, { credits: 1000 });
  await createOrderTemplate(db, shop.orgId);

  it("connects (no webhook: Aligo is polled) and settles a campaign by polling", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
      payload: {
        vendor: "aligo",
        name: "Aligo",
        credentials: { apiKey: "test-key", userId: "test-user" },
        settings: { smsBaseUrl: aligo.url, kakaoBaseUrl: aligo.url, senderKey: "test-sender-key" },
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ vendor: "aligo", webhookUrl: null });
    const account = created.json().id as string;
    await routeAllTo(app, shop.auth, shop.orgId, account);

    const campaignId = await orderSender(
      app,
      shop.auth,
    )([
      { to: "010-1234-5678", name: "홍길동" },
      { to: "010-0000-0001", name: "김철수" },
    ]);
    await waitForCompletion(db, campaignId, 30_000);

    expect(await outcomesOf(db, campaignId)).toEqual([
      // The organization's own account: charged when the vendor took it, whatever
      // the reports say after (the organization holds that account's webhook).
      { to: "+821000000001", type: "alimtalk", status: "failed", charged: 8_000_000n },
      { to: "+821000000001", type: "sms", status: "delivered", charged: 15_000_000n },
      { to: "+821012345678", type: "alimtalk", status: "delivered", charged: 8_000_000n },
    ]);
    const sources = await db.query<{ source: string }>(
      `select distinct r.source from delivery_reports r join messages m
         on m.vendor_account_id = r.vendor_account_id and m.vendor_message_id = r.vendor_message_id
       where m.campaign_id = $1`,
      [campaignId],
    );
    expect(sources.rows).toEqual([{ source: "poll" }]);
    const kakao = aligo.requests.filter((r) => r.path.includes("/akv10/alimtalk/send"));
    expect(kakao.length).toBeGreaterThan(0);
    expect(kakao[0]?.form).toMatchObject({
      apikey: "test-key",
      userid: "test-user",
      senderkey: "test-sender-key",
      tpl_code: "ORDER_001",
      receiver_1: expect.stringMatching(/^010/),
    });
    expect((await runDoctor(db)).violations).toEqual([]);
    await aligo.close();
  });
});
