// Cancel means not sent: a campaign canceled while its messages are with the
// vendor (`sending`) sends none of them again. What the vendor accepted keeps
// its real outcome and is charged by it; what failed retryably is canceled and
// released, never retried; the campaign says which were in flight. The vendor
// is scripted, so the cancel lands exactly while its call is open.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startScriptedApp } from "../../../test/scripted-app.ts";
import { accept, reject, retry } from "../../../test/support/scripted-vendor.ts";
import type { DeliveryReport } from "../../vendors/vendor.ts";
import { runDoctor } from "../doctor/service.ts";
import { ingestReports } from "../reports/service.ts";
import { settleOnce } from "../settlement/service.ts";

const C = 1_000_000n;

describe(`canceling a campaign while it is being sent on ${engine}`, async () => {
  const scripted = await startScriptedApp();
  const { app, db, vendor, platformAccount, now } = scripted;
  const dispatcher = scripted.dispatcher({ workerId: "w-cancel" });

  const send = async (auth: { authorization: string }, payload: Record<string, unknown>) => {
    const res = await app.inject({ method: "POST", url: "/v1/messages", headers: auth, payload });
    expect(res.statusCode).toBe(202);
    return res.json().campaignId as string;
  };
  const messagesOf = async (campaignId: string) =>
    (
      await db.query<{
        id: string;
        to: string;
        type: string;
        status: string;
        error: string | null;
        settled: boolean;
        charged: bigint;
        released: bigint;
      }>(
        `select id, recipient as "to", type, status, error_code as error,
           settled_at is not null as settled, price_charged as charged, price_released as released
         from messages where campaign_id = $1 order by recipient, fallback_of nulls first`,
        [campaignId],
      )
    ).rows;
  const ledgerOf = async (campaignId: string) =>
    (
      await db.query<{ kind: string; total: bigint }>(
        `select kind, sum(amount)::bigint as total from ledger_entries
         where campaign_id = $1 group by kind order by kind`,
        [campaignId],
      )
    ).rows;
  const report = (vid: string, status: DeliveryReport["status"]): DeliveryReport => ({
    vendorMessageId: vid,
    messageId: null,
    status,
    type: "sms",
    fallbackOf: null,
    error: status === "failed" ? { code: "UNREACHABLE", rawCode: "X", message: "no" } : null,
    at: now(),
    raw: null,
  });

  it("cancels the messages whose vendor call then fails retryably, and keeps what the vendor accepted", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Cancel" });
    const campaignId = await send(shop.auth, {
      type: "sms",
      text: "세일 안내",
      recipients: [{ to: "010-5100-0001" }, { to: "010-5100-0002" }, { to: "010-5100-0003" }],
    });
    const round = dispatcher.dispatchOnce();
    await vendor.arrived(1);

    const canceled = await app.inject({
      method: "POST",
      url: `/v1/campaigns/${campaignId}/cancel`,
      headers: shop.auth,
    });
    expect(canceled.statusCode).toBe(200);
    expect(canceled.json()).toMatchObject({
      status: "canceled",
      completedAt: null,
      counts: { total: 3, sending: 3, canceled: 0, inFlightAtCancel: 3 },
      cost: { held: "45.00", charged: "0.00", refunded: "0.00" },
    });

    // The vendor took the first; the other two failed retryably.
    vendor.answer((m) => (m.to === "+821051000001" ? accept(m) : retry()(m)));
    expect(await round).toMatchObject({ claimed: 3, sent: 1 });
    expect((await messagesOf(campaignId)).map((m) => [m.to, m.status, m.error])).toEqual([
      ["+821051000001", "sent", null],
      ["+821051000002", "canceled", "CANCELED"],
      ["+821051000003", "canceled", "CANCELED"],
    ]);

    // Nothing is ever sent again, however long we wait.
    scripted.clock.ms += 3_600_000;
    for (let i = 0; i < 3; i++) expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    expect(vendor.calls).toHaveLength(1);

    // The accepted one keeps its real outcome: delivered, charged.
    const sentId = (await messagesOf(campaignId))[0]!.id;
    await ingestReports(db, {
      vendorAccountId: platformAccount,
      source: "webhook",
      reports: [report(`vid-${sentId}`, "delivered")],
      now: now(),
    });
    await settleOnce(db, { now: now() });
    expect(
      (await messagesOf(campaignId)).map((m) => [m.status, m.settled, m.charged, m.released]),
    ).toEqual([
      ["delivered", true, 15n * C, 0n],
      ["canceled", true, 0n, 15n * C],
      ["canceled", true, 0n, 15n * C],
    ]);
    expect(await ledgerOf(campaignId)).toEqual([
      { kind: "capture", total: 15n * C },
      { kind: "hold", total: 45n * C },
      { kind: "release", total: 30n * C },
    ]);

    const view = (
      await app.inject({ method: "GET", url: `/v1/campaigns/${campaignId}`, headers: shop.auth })
    ).json();
    expect(view).toMatchObject({
      status: "canceled",
      completedAt: expect.any(String),
      counts: { total: 3, delivered: 1, canceled: 2, inFlightAtCancel: 3 },
      cost: { held: "0.00", charged: "15.00", refunded: "30.00" },
    });
    const list = (
      await app.inject({
        method: "GET",
        url: `/v1/campaigns/${campaignId}/messages`,
        headers: shop.auth,
      })
    ).json().data as { status: string; inFlightAtCancel: boolean }[];
    expect(list.map((m) => [m.status, m.inFlightAtCancel]).sort()).toEqual([
      ["canceled", true],
      ["canceled", true],
      ["delivered", true],
    ]);
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("cancels what is queued and marks only what was with the vendor as in flight", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Partly" });
    const campaignId = await send(shop.auth, {
      type: "sms",
      text: "세일 안내",
      recipients: Array.from({ length: 4 }, (_, i) => ({ to: `010-5200-000${i}` })),
    });
    // Two go out before the cancel, two are still queued.
    const first = scripted.dispatcher({ claimSize: 2 });
    vendor.answerAll(accept);
    expect((await first.dispatchOnce()).sent).toBe(2);
    vendor.answerAll(null);

    const view = (
      await app.inject({
        method: "POST",
        url: `/v1/campaigns/${campaignId}/cancel`,
        headers: shop.auth,
      })
    ).json();
    expect(view.counts).toMatchObject({ sent: 2, canceled: 2, inFlightAtCancel: 2 });
    expect(view.cost).toEqual({ held: "30.00", charged: "0.00", refunded: "30.00" });
    const list = (
      await app.inject({
        method: "GET",
        url: `/v1/campaigns/${campaignId}/messages`,
        headers: shop.auth,
      })
    ).json().data as { status: string; inFlightAtCancel: boolean }[];
    expect(list.map((m) => [m.status, m.inFlightAtCancel]).sort()).toEqual([
      ["canceled", false],
      ["canceled", false],
      ["sent", true],
      ["sent", true],
    ]);
  });

  it("cancels a message whose worker died mid-call instead of sending it again", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Lease" });
    const campaignId = await send(shop.auth, {
      type: "sms",
      text: "세일 안내",
      recipients: [{ to: "010-5300-0001" }],
    });
    const calls = vendor.calls.length;
    // The worker is stuck in its vendor call.
    const stuck = dispatcher.dispatchOnce();
    await vendor.arrived(calls + 1);
    await app.inject({
      method: "POST",
      url: `/v1/campaigns/${campaignId}/cancel`,
      headers: shop.auth,
    });
    scripted.clock.ms += 120_000;
    expect(await dispatcher.requeueExpiredLeases()).toBe(1);
    expect((await messagesOf(campaignId)).map((m) => [m.status, m.error])).toEqual([
      ["canceled", "CANCELED"],
    ]);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    expect(vendor.calls).toHaveLength(calls + 1);
    // Should it wake, it completes nothing: its claim is gone.
    vendor.answer(accept);
    expect((await stuck).sent).toBe(0);
    expect((await messagesOf(campaignId)).map((m) => m.status)).toEqual(["canceled"]);
    await settleOnce(db, { now: now() });
    expect(await ledgerOf(campaignId)).toEqual([
      { kind: "hold", total: 15n * C },
      { kind: "release", total: 15n * C },
    ]);
  });

  it("creates no fallback to send for a canceled campaign's Alimtalk that then fails", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Alimtalk" });
    const campaignId = await send(shop.auth, {
      template: { code: "WELCOME_001", variables: { shop: "Alimi" } },
      recipients: [
        { to: "010-5400-0001", variables: { name: "가" } },
        { to: "010-5400-0002", variables: { name: "나" } },
      ],
    });
    const calls = vendor.calls.length;
    const round = dispatcher.dispatchOnce();
    await vendor.arrived(calls + 1);
    await app.inject({
      method: "POST",
      url: `/v1/campaigns/${campaignId}/cancel`,
      headers: shop.auth,
    });
    // One refused outright (not a KakaoTalk user), one accepted and later reported failed.
    vendor.answer((m) => (m.to === "+821054000001" ? reject()(m) : accept(m)));
    await round;
    const sent = (await messagesOf(campaignId)).find((m) => m.status === "sent")!;
    await ingestReports(db, {
      vendorAccountId: platformAccount,
      source: "webhook",
      reports: [{ ...report(`vid-${sent.id}`, "failed"), type: "alimtalk" }],
      now: now(),
    });
    await settleOnce(db, { now: now() });
    expect((await messagesOf(campaignId)).map((m) => [m.type, m.status, m.released])).toEqual([
      ["alimtalk", "failed", 15n * C],
      ["alimtalk", "failed", 15n * C],
    ]);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    expect((await runDoctor(db)).violations).toEqual([]);
  });
});
