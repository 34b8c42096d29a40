// The sandbox's magic numbers end to end, as the issue asks: a campaign to
// 010-0000-0000 … 0005 with alimtalk_first completes with exactly the right
// statuses, charges and releases, in both fallback modes.
import { describe, expect, it } from "vitest";
import { runDoctor } from "../src/modules/doctor/service.ts";
import { createApprovedTemplate } from "../src/modules/templates/service.ts";
import { createSendingOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";

const NUMBERS = ["0000", "0001", "0002", "0003", "0004", "0005"].map((n) => `010-0000-${n}`);

describe.each([
  { mode: "plain", nativeFallback: false },
  { mode: "native", nativeFallback: true },
])(`magic numbers on ${engine} ($mode fallback)`, async ({ nativeFallback }) => {
  const pipeline = await startPipeline({ pollAfterMs: 1_000, expireAfterMs: 3_000, delayMs: 20 });
  const { app, db } = pipeline;
  await db.query("update vendor_accounts set settings = $2 where id = $1", [
    pipeline.sandboxAccountId,
    JSON.stringify({ nativeFallback }),
  ]);
  const shop = await createSendingOrg(db, { credits: 1000 });
  // A short fallback without a subject: the fallback goes as SMS (15.00).
  await createApprovedTemplate(db, shop.orgId, {
    code: "ORDER_001",
    body: "#{name}님, 주문이 접수되었습니다.",
    fallback: { text: "#{name}님 주문 접수" },
  });

  it("completes with each number's outcome, priced exactly, and doctor stays clean", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        template: { code: "ORDER_001" },
        recipients: NUMBERS.map((to, i) => ({ to, variables: { name: `고객${i}` } })),
      },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 6, cost: { held: "90.00" } });
    const campaignId = res.json().campaignId as string;
    await waitForCompletion(db, campaignId);

    const rows = await db.query<{
      to: string;
      type: string;
      status: string;
      charged: bigint;
      released: bigint;
      fallback: boolean;
    }>(
      `select recipient as "to", type, status, price_charged as charged,
         price_released as released, fallback_of is not null as fallback
       from messages where campaign_id = $1 order by recipient, fallback_of nulls first`,
      [campaignId],
    );
    const C = 1_000_000n;
    expect(rows.rows).toEqual([
      {
        to: "+821000000000",
        type: "alimtalk",
        status: "delivered",
        charged: 8n * C,
        released: 7n * C,
        fallback: false,
      },
      {
        to: "+821000000001",
        type: "alimtalk",
        status: "failed",
        charged: 0n,
        released: 0n,
        fallback: false,
      },
      {
        to: "+821000000001",
        type: "sms",
        status: "delivered",
        charged: 15n * C,
        released: 0n,
        fallback: true,
      },
      {
        to: "+821000000002",
        type: "alimtalk",
        status: "failed",
        charged: 0n,
        released: 0n,
        fallback: false,
      },
      {
        to: "+821000000002",
        type: "sms",
        status: "failed",
        charged: 0n,
        released: 15n * C,
        fallback: true,
      },
      {
        to: "+821000000003",
        type: "alimtalk",
        status: "delivered",
        charged: 8n * C,
        released: 7n * C,
        fallback: false,
      },
      {
        to: "+821000000004",
        type: "alimtalk",
        status: "expired",
        charged: 0n,
        released: 15n * C,
        fallback: false,
      },
      {
        to: "+821000000005",
        type: "alimtalk",
        status: "delivered",
        charged: 8n * C,
        released: 7n * C,
        fallback: false,
      },
    ]);

    const attempts = await db.query<{ attempts: number }>(
      "select attempts from messages where campaign_id = $1 and recipient = '+821000000003'",
      [campaignId],
    );
    expect(attempts.rows[0]?.attempts).toBe(2);

    const campaign = (
      await app.inject({ method: "GET", url: `/v1/campaigns/${campaignId}`, headers: shop.auth })
    ).json();
    expect(campaign).toMatchObject({
      status: "completed",
      completedAt: expect.any(String),
      counts: {
        total: 8,
        delivered: 4,
        failed: 3,
        expired: 1,
        queued: 0,
        sending: 0,
        sent: 0,
        fallback: 2,
      },
      cost: { held: "0.00", charged: "39.00", refunded: "51.00" },
    });
    expect(
      (await app.inject({ method: "GET", url: "/v1/credits", headers: shop.auth })).json(),
    ).toMatchObject({
      balance: "961.00",
      held: "0.00",
      available: "961.00",
      walletOrgId: shop.orgId,
    });

    const ledger = await db.query<{ kind: string; total: bigint }>(
      `select kind, sum(amount)::bigint as total from ledger_entries
       where campaign_id = $1 group by kind order by kind`,
      [campaignId],
    );
    expect(ledger.rows).toEqual([
      { kind: "capture", total: 39n * C },
      { kind: "hold", total: 90n * C },
      { kind: "release", total: 51n * C },
    ]);
    // 0005's reports came twice and out of order; each message was sent to the vendor once.
    const ids = await db.query<{ id: string }>(
      "select id from messages where campaign_id = $1 and fallback_of is null",
      [campaignId],
    );
    for (const { id } of ids.rows) expect(await pipeline.sandbox.received(id)).toBe(1);
    expect((await runDoctor(db)).violations).toEqual([]);
  });
});
