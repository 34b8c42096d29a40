import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { runDoctor } from "../doctor/service.ts";
import { createOrg } from "../orgs/service.ts";

describe(`sending on ${engine}`, async () => {
  const { app, db, clock } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000 });

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: "POST",
      url,
      payload: body as object,
      headers: { ...shop.auth, ...headers },
    });
  const get = (url: string, auth = shop.auth) => app.inject({ method: "GET", url, headers: auth });

  const welcome = {
    template: { code: "WELCOME_001", variables: { shop: "Alimi" } },
    recipients: [
      { to: "010-1234-5678", name: "홍길동", variables: { name: "홍길동" } },
      { to: "010-2345-6789", variables: { name: "김철수" } },
    ],
  };

  it("estimates without storing anything", async () => {
    const res = await post("/v1/messages/estimate", welcome);
    expect(res.statusCode).toBe(200);
    // alimtalk_first holds the worse of Alimtalk (8) and its fallback: the template's fallback
    // text is about 34 bytes, so an SMS (15) — its subject rides along only on an LMS. The
    // worst case is booked under sms; if every Alimtalk is delivered, 2 × 8.
    expect(res.json()).toEqual({
      accepted: 2,
      rejected: [],
      deferred: [],
      deferredUntil: null,
      cost: {
        held: "30.00",
        byType: { alimtalk: "0.00", sms: "30.00", lms: "0.00", mms: "0.00" },
        worstCase: {
          total: "30.00",
          byType: { alimtalk: "0.00", sms: "30.00", lms: "0.00", mms: "0.00" },
        },
        expected: {
          total: "16.00",
          byType: { alimtalk: "16.00", sms: "0.00", lms: "0.00", mms: "0.00" },
        },
      },
      available: "1000.00",
    });
    const campaigns = await db.query("select 1 from campaigns");
    expect(campaigns.rows).toHaveLength(0);
  });

  it.each([
    ["fallback.type lms forces an LMS fallback", { fallback: { type: "lms" } }, "90.00", "lms"],
    [
      "cost_optimized keeps Alimtalk's SMS fallback",
      { strategy: "cost_optimized" },
      "30.00",
      "sms",
    ],
  ])("estimates: %s", async (_, extra, held, fallbackType) => {
    const res = await post("/v1/messages/estimate", { ...welcome, ...extra });
    expect(res.statusCode).toBe(200);
    expect(res.json().cost).toMatchObject({
      held,
      byType: { alimtalk: "0.00", [fallbackType]: held },
      expected: { total: "16.00" },
    });
  });

  it("accepts a send: campaign, messages and hold in one go", async () => {
    const res = await post("/v1/messages", {
      ...welcome,
      recipients: [...welcome.recipients, { to: "010-12", variables: { name: "x" } }],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({
      status: "queued",
      accepted: 2,
      rejected: [{ index: 2, to: "010-12", code: "INVALID_PHONE" }],
      cost: { held: "30.00" },
    });
    expect(body.campaignId).toMatch(/^cmp_/);

    const campaign = (await get(`/v1/campaigns/${body.campaignId}`)).json();
    expect(campaign).toMatchObject({
      id: body.campaignId,
      status: "queued",
      sendAt: null,
      completedAt: null,
      counts: { total: 2, queued: 2, delivered: 0, fallback: 0 },
      cost: { held: "30.00", charged: "0.00", refunded: "0.00" },
    });

    const list = (await get(`/v1/campaigns/${body.campaignId}/messages?limit=1`)).json();
    expect(list.data).toHaveLength(1);
    expect(list.nextCursor).toEqual(expect.any(String));
    const rest = (
      await get(`/v1/campaigns/${body.campaignId}/messages?limit=1&cursor=${list.nextCursor}`)
    ).json();
    expect(rest.data).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    const tos = [list.data[0].to, rest.data[0].to].sort();
    expect(tos).toEqual(["+821012345678", "+821023456789"]);

    const message = (await get(`/v1/messages/${list.data[0].id}`)).json();
    expect(message).toMatchObject({
      campaignId: body.campaignId,
      type: "alimtalk",
      status: "queued",
      attempts: 0,
      price: { held: "15.00", charged: "0.00", released: "0.00", heldBy: null },
    });

    expect((await get("/v1/credits")).json()).toEqual({
      balance: "1000.00",
      held: "30.00",
      available: "970.00",
      walletMode: "own",
      walletOrgId: shop.orgId,
    });
    const ledger = (await get("/v1/credits/ledger")).json();
    expect(ledger.data[0]).toMatchObject({
      kind: "hold",
      amount: "30.00",
      balanceAfter: "1000.00",
      campaignId: body.campaignId,
    });
    expect(ledger.data.at(-1)).toMatchObject({ kind: "grant", amount: "1000.00" });
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("replays an Idempotency-Key with the first response, and refuses it for another body", async () => {
    const body = { type: "sms", text: "재입고 알림", recipients: [{ to: "01099998888" }] };
    const first = await post("/v1/messages", body, { "idempotency-key": "order-77" });
    const again = await post("/v1/messages", body, { "idempotency-key": "order-77" });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first.json());
    const count = await db.query("select 1 from campaigns where id = $1", [
      first.json().campaignId,
    ]);
    expect(count.rows).toHaveLength(1);
    const holds = await db.query("select 1 from ledger_entries where campaign_id = $1", [
      first.json().campaignId,
    ]);
    expect(holds.rows).toHaveLength(1);

    const other = await post(
      "/v1/messages",
      { ...body, text: "다른 내용" },
      { "idempotency-key": "order-77" },
    );
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe("CONFLICT");
  });

  it("refuses with 402 and stores nothing when credits cannot cover the hold", async () => {
    const poor = await createSendingOrg(db, { credits: 20, name: "Poor" });
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: poor.auth,
      payload: {
        type: "sms",
        text: "hi",
        recipients: [{ to: "01011112222" }, { to: "01011113333" }],
      },
    });
    expect(res.statusCode).toBe(402);
    expect(res.json().error).toMatchObject({
      code: "INSUFFICIENT_CREDITS",
      details: [{ required: "30.00", available: "20.00" }],
      requestId: expect.any(String),
    });
    const stored = await db.query("select 1 from campaigns where org_id = $1", [poor.orgId]);
    expect(stored.rows).toHaveLength(0);
    expect((await get("/v1/credits", poor.auth)).json()).toMatchObject({ held: "0.00" });
  });

  it("schedules a future send with the hold taken now, and cancel releases it", async () => {
    const sendAt = new Date(clock.now.getTime() + 3_600_000).toISOString();
    const res = await post("/v1/messages", {
      type: "sms",
      text: "내일 오픈합니다",
      recipients: [{ to: "01055556666" }, { to: "01055557777" }],
      sendAt,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: "scheduled", cost: { held: "30.00" } });
    const id = res.json().campaignId;
    const before = (await get("/v1/credits")).json();

    const canceled = await post(`/v1/campaigns/${id}/cancel`, {});
    expect(canceled.statusCode).toBe(200);
    expect(canceled.json()).toMatchObject({
      status: "canceled",
      sendAt,
      counts: { total: 2, canceled: 2, queued: 0 },
      cost: { held: "0.00", charged: "0.00", refunded: "30.00" },
      completedAt: expect.any(String),
    });
    const after = (await get("/v1/credits")).json();
    expect(Number(after.held)).toBe(Number(before.held) - 30);
    expect(after.balance).toBe(before.balance);

    // Canceling again moves no money.
    const twice = await post(`/v1/campaigns/${id}/cancel`, {});
    expect(twice.statusCode).toBe(200);
    const releases = await db.query(
      "select 1 from ledger_entries where campaign_id = $1 and kind = 'release'",
      [id],
    );
    expect(releases.rows).toHaveLength(1);
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("hides other organizations' campaigns and messages (404), and needs a key (401)", async () => {
    const other = await createSendingOrg(db, { name: "Other" });
    const mine = await post("/v1/messages", {
      type: "sms",
      text: "x",
      recipients: [{ to: "01044443333" }],
    });
    const id = mine.json().campaignId;
    for (const url of [`/v1/campaigns/${id}`, `/v1/campaigns/${id}/messages`]) {
      const res = await get(url, other.auth);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe("NOT_FOUND");
    }
    const cancel = await app.inject({
      method: "POST",
      url: `/v1/campaigns/${id}/cancel`,
      headers: other.auth,
    });
    expect(cancel.statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/v1/credits" })).statusCode).toBe(401);
    const wrong = await get("/v1/credits", { authorization: "Bearer ak_nope" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe("UNAUTHORIZED");
  });

  it("a parent sees its child's campaign; a sibling does not", async () => {
    const child = await createSendingOrg(db, { name: "Branch", parentId: shop.orgId });
    const sibling = await createOrg(db, { name: "Sibling" });
    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: child.auth,
      payload: { type: "sms", text: "지점 안내", recipients: [{ to: "01077778888" }] },
    });
    expect(sent.statusCode).toBe(202);
    const url = `/v1/campaigns/${sent.json().campaignId}`;
    expect((await get(url)).statusCode).toBe(200);
    expect((await get(url, { authorization: `Bearer ${sibling.apiKey}` })).statusCode).toBe(404);
  });

  it("accepts 100,000 recipients in one request", async () => {
    const big = await createSendingOrg(db, { credits: 5_000_000, name: "Big" });
    const recipients = Array.from({ length: 100_000 }, (_, i) => ({
      to: `010-${String(2000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
      variables: { name: `고객${i}` },
    }));
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: big.auth,
      payload: { template: { code: "WELCOME_001", variables: { shop: "Alimi" } }, recipients },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      accepted: 100_000,
      rejected: [],
      cost: { held: "1500000.00" },
    });
    const stored = await db.query<{ n: number; first: number; last: number; held: bigint }>(
      `select count(*)::int as n, min(recipient_index) as first, max(recipient_index) as last,
         sum(price_held)::bigint as held
       from messages where campaign_id = $1`,
      [res.json().campaignId],
    );
    expect(stored.rows[0]).toEqual({
      n: 100_000,
      first: 0,
      last: 99_999,
      held: 1_500_000_000_000n,
    });
    const sample = await db.query<{ recipient: string; variables: unknown }>(
      "select recipient, variables from messages where campaign_id = $1 and recipient_index = 12345",
      [res.json().campaignId],
    );
    expect(sample.rows[0]).toEqual({
      recipient: "+821020012345",
      variables: { name: "고객12345" },
    });
    expect((await runDoctor(db)).violations).toEqual([]);
  });
});
