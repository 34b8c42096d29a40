// What a campaign's reader sees while and after it runs: the hold each message carries, where
// a failed Alimtalk's hold went, and local times.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startPipeline } from "../../../test/pipeline.ts";
import { parseCredits } from "../../domain/money.ts";

interface MessageView {
  id: string;
  to: string;
  type: string;
  status: string;
  fallbackOf: string | null;
  price: { held: string; charged: string; released: string; heldBy: string | null };
  createdAt: string;
  createdAtLocal: string;
}

describe(`campaign views on ${engine}`, async () => {
  const pipeline = await startPipeline();
  const { app, db } = pipeline;
  const shop = await createSendingOrg(db, { credits: 1000 });
  const micro = (amount: string): bigint => {
    const parsed = parseCredits(amount);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.micro;
  };
  const get = (url: string) => app.inject({ method: "GET", url, headers: shop.auth });

  /** Waits until only `open` of the campaign's `total` messages still hold credits. */
  async function waitForHolds(campaignId: string, total: number, open: number) {
    for (let i = 0; i < 400; i++) {
      const r = await db.query<{ n: number; open: number }>(
        `select count(*)::int as n, count(*) filter (where settled_at is null)::int as open
         from messages where campaign_id = $1`,
        [campaignId],
      );
      if (r.rows[0]?.n === total && r.rows[0]?.open === open) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect.fail(`campaign ${campaignId} never reached ${open} open holds of ${total}`);
  }

  it("adds up: Σ held over the messages is the campaign's held, a moved hold counted once", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        template: { code: "WELCOME_001", variables: { shop: "Alimi" } },
        recipients: [
          { to: "010-1234-5678", variables: { name: "홍길동" } }, // Alimtalk delivered
          { to: "010-0000-0001", variables: { name: "김철수" } }, // no KakaoTalk: SMS fallback
          { to: "010-0000-0004", variables: { name: "이영희" } }, // sent, never reported
        ],
      },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().cost).toEqual({ held: "45.00" });
    const campaignId = res.json().campaignId as string;

    await waitForHolds(campaignId, 4, 1);
    const campaign = (await get(`/v1/campaigns/${campaignId}`)).json();
    const messages = (await get(`/v1/campaigns/${campaignId}/messages`)).json()
      .data as MessageView[];
    const sum = (key: "held" | "charged") =>
      messages.reduce((total, m) => total + micro(m.price[key]), 0n);

    expect(campaign.cost).toEqual({ held: "15.00", charged: "23.00", refunded: "7.00" });
    expect(sum("held")).toBe(micro(campaign.cost.held));
    expect(sum("charged")).toBe(micro(campaign.cost.charged));

    const byTo = (to: string) => messages.filter((m) => m.to === to);
    const [failed, fallback] = byTo("+821000000001").sort((x, y) =>
      x.fallbackOf === null ? -1 : y.fallbackOf === null ? 1 : 0,
    );
    expect(failed).toMatchObject({
      type: "alimtalk",
      status: "failed",
      price: { held: "0.00", charged: "0.00", released: "0.00", heldBy: fallback?.id },
    });
    expect(fallback).toMatchObject({
      type: "sms",
      status: "delivered",
      fallbackOf: failed?.id,
      price: { held: "0.00", charged: "15.00", released: "0.00", heldBy: null },
    });
    expect(byTo("+821012345678")[0]?.price).toEqual({
      held: "0.00",
      charged: "8.00",
      released: "7.00",
      heldBy: null,
      // The platform's sandbox account: charged on delivery.
      chargedOnAcceptance: false,
    });
    expect(byTo("+821000000004")[0]).toMatchObject({
      status: "sent",
      price: { held: "15.00", charged: "0.00", heldBy: null },
    });
    // The message itself reads the same as in the list.
    expect((await get(`/v1/messages/${failed?.id}`)).json().price.heldBy).toBe(fallback?.id);
  });

  it("cost_optimized: a recipient without KakaoTalk gets the SMS fallback", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        strategy: "cost_optimized",
        template: { code: "WELCOME_001", variables: { shop: "Alimi" } },
        recipients: [{ to: "010-0000-0001", variables: { name: "김철수" } }],
      },
    });
    expect(res.statusCode).toBe(202);
    const campaignId = res.json().campaignId as string;
    await waitForHolds(campaignId, 2, 0);
    const messages = (await get(`/v1/campaigns/${campaignId}/messages`)).json()
      .data as MessageView[];
    expect(messages.map((m) => [m.type, m.status, m.price.charged])).toEqual([
      ["alimtalk", "failed", "0.00"],
      ["sms", "delivered", "15.00"],
    ]);
  });

  it("shows local times in the organization's time zone beside the ISO ones", async () => {
    await db.query("update orgs set timezone = 'America/New_York' where id = $1", [shop.orgId]);
    const sendAt = "2026-12-25T10:00:00+09:00";
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: { type: "sms", text: "성탄 인사", sendAt, recipients: [{ to: "010-2222-3333" }] },
    });
    expect(res.statusCode).toBe(202);
    const campaignId = res.json().campaignId;
    const campaign = (await get(`/v1/campaigns/${campaignId}`)).json();
    expect(campaign.sendAt).toBe("2026-12-25T01:00:00.000Z");
    expect(campaign.sendAtLocal).toBe("2026-12-24T20:00:00-05:00");
    expect(campaign.createdAtLocal).toMatch(/-05:00$/);
    expect(Date.parse(campaign.createdAtLocal)).toBe(
      Math.floor(Date.parse(campaign.createdAt) / 1000) * 1000,
    );
    const [message] = (await get(`/v1/campaigns/${campaignId}/messages`)).json().data;
    expect(message.createdAtLocal).toMatch(/-05:00$/);
  });
});
