// An organization connects NHN Cloud through the API and sends an Alimtalk
// campaign with SMS fallback end to end against a fake NHN: requests carry
// the secret keys as NHN wants them, signed hooks posted to the account's
// webhook URL settle the messages, and polling settles those never reported.
import { describe, expect, it } from "vitest";
import { runDoctor } from "../src/modules/doctor/service.ts";
import { createSendingOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";
import {
  FAKE_ALIMTALK,
  FAKE_SMS,
  type FakeNhnOptions,
  startFakeServer,
} from "./support/vendors/nhn/fake-server.ts";
import { createOrderTemplate, orderSender, outcomesOf, routeAllTo } from "./vendor-e2e.ts";

const SIGNATURE = "alimi-webhook-signature-0001";

describe(`NHN Cloud end to end on ${engine}`, async () => {
  const pipeline = await startPipeline({ pollAfterMs: 1_000, expireAfterMs: 3_000 });
  const { app, db } = pipeline;
  const fakeOptions: FakeNhnOptions = { outcomes: { "alimtalk:01000000001": "3018" } };
  const nhn = await startFakeServer(fakeOptions);
  const shop = await createSendingOrg(db, { credits: 1000 });
  await createOrderTemplate(db, shop.orgId);
  const created = await app.inject({
    method: "POST",
    url: "/v1/vendor-accounts",
    headers: shop.auth,
    payload: {
      vendor: "nhn",
      name: "NHN Cloud",
      credentials: {
        smsAppKey: FAKE_SMS.appKey,
        smsSecretKey: FAKE_SMS.secretKey,
        alimtalkAppKey: FAKE_ALIMTALK.appKey,
        alimtalkSecretKey: FAKE_ALIMTALK.secretKey,
        webhookSignatureKey: SIGNATURE,
      },
      settings: { smsBaseUrl: nhn.url, alimtalkBaseUrl: nhn.url, senderKey: "nhn-sender-key-01" },
    },
  });
  const account = created.json();
  // What the customer enters in NHN Cloud's console: the URL and the signature string.
  fakeOptions.webhook = { url: account.webhookUrl, signature: SIGNATURE };
  await routeAllTo(app, shop.auth, shop.orgId, account.id);

  const send = orderSender(app, shop.auth);
  /** Waits until no message of the campaign is queued or being sent. */
  const untilSent = async (campaignId: string) => {
    for (;;) {
      const r = await db.query<{ n: number }>(
        "select count(*)::int as n from messages where campaign_id = $1 and status in ('queued', 'sending')",
        [campaignId],
      );
      if (r.rows[0]?.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const outcome = (campaignId: string) => outcomesOf(db, campaignId);

  it("sends Alimtalk with an SMS fallback; signed hooks settle every message", async () => {
    expect(created.statusCode).toBe(201);
    expect(account.webhookUrl).toBe(`${pipeline.url}/webhooks/vendors/${account.id}`);
    const campaignId = await send([
      { to: "010-1234-5678", name: "홍길동" },
      { to: "010-0000-0001", name: "김철수" },
    ]);
    // NHN delivers, then tells us; the fallback goes out, then it is told too.
    await untilSent(campaignId);
    nhn.complete();
    expect(await nhn.postReports()).toEqual([200]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await untilSent(campaignId);
    nhn.complete();
    await nhn.postReports();
    await waitForCompletion(db, campaignId);
    const C = 1_000_000n;
    expect(await outcome(campaignId)).toEqual([
      // The organization's own account: charged when the vendor took it, whatever
      // the reports say after (the organization holds that account's webhook).
      { to: "+821000000001", type: "alimtalk", status: "failed", charged: 8_000_000n },
      { to: "+821000000001", type: "sms", status: "delivered", charged: 15n * C },
      { to: "+821012345678", type: "alimtalk", status: "delivered", charged: 8n * C },
    ]);
    const calls = nhn.received.filter((r) => r.method === "POST");
    expect(
      calls.some((r) => r.path === `/alimtalk/v2.3/appkeys/${FAKE_ALIMTALK.appKey}/raw-messages`),
    ).toBe(true);
    expect(calls.some((r) => r.path === `/sms/v3.0/appKeys/${FAKE_SMS.appKey}/sender/sms`)).toBe(
      true,
    );
    for (const r of calls) {
      const alimtalk = r.path.startsWith("/alimtalk");
      expect(r.headers["x-secret-key"]).toBe(
        alimtalk ? FAKE_ALIMTALK.secretKey : FAKE_SMS.secretKey,
      );
    }
  });

  it("settles by polling a message whose hook never comes", async () => {
    const campaignId = await send([{ to: "010-2222-3333", name: "이영희" }]);
    await untilSent(campaignId);
    nhn.complete();
    await waitForCompletion(db, campaignId, 20_000);
    expect(await outcome(campaignId)).toEqual([
      { to: "+821022223333", type: "alimtalk", status: "delivered", charged: 8_000_000n },
    ]);
    expect((await runDoctor(db)).violations).toEqual([]);
    await nhn.close();
  });
});
