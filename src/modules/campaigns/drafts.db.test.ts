// A campaign built from several requests: a draft, parts of recipients each
// held as it comes, a launch that sends them all, and a discard that gives
// every part's credits back. Through the real pipeline (sandbox vendor).
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startPipeline } from "../../../test/pipeline.ts";
import { runDoctor } from "../doctor/service.ts";
import { addDraftRecipients } from "./drafts.ts";

const numbers = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ to: `010-7${String(from + i).padStart(3, "0")}-0000` }));

describe(`campaign drafts on ${engine}`, async () => {
  const pipeline = await startPipeline({ delayMs: 0 });
  const { app, db } = pipeline;

  const call = (
    auth: { authorization: string },
    method: "GET" | "POST" | "DELETE",
    url: string,
    payload?: unknown,
  ) =>
    app.inject({
      method,
      url,
      headers: auth,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const credits = async (auth: { authorization: string }) =>
    (await call(auth, "GET", "/v1/credits")).json() as {
      balance: string;
      held: string;
      available: string;
    };
  async function waitFor(auth: { authorization: string }, id: string, status: string) {
    for (let i = 0; i < 400; i++) {
      const c = (await call(auth, "GET", `/v1/campaigns/${id}`)).json();
      if (c.status === status) return c;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect.fail(`campaign ${id} never became ${status}`);
  }

  it("holds each part as it comes, sends nothing before the launch, then sends every part", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Drafts" });
    const created = await call(shop.auth, "POST", "/v1/campaigns", {
      type: "sms",
      text: "#{name}님, 12월 행사 안내",
      metadata: { list: "december" },
    });
    expect(created.statusCode).toBe(201);
    const draft = created.json();
    expect(draft).toMatchObject({ status: "draft", counts: { total: 0 }, cost: { held: "0.00" } });

    const first = await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
      recipients: [
        { to: "010-7000-0001", variables: { name: "가" } },
        { to: "not a number" },
        { to: "010-7000-0002", variables: { name: "나" } },
      ],
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      accepted: 2,
      rejected: [{ index: 1, code: "INVALID_PHONE" }],
      cost: { held: "30.00" },
      total: { recipients: 2, held: "30.00" },
    });
    const second = await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
      recipients: [{ to: "010-7000-0003", variables: { name: "다" } }],
    });
    expect(second.json()).toMatchObject({ accepted: 1, total: { recipients: 3, held: "45.00" } });
    // A number an earlier part holds is refused, like a repeat within one request.
    const repeat = await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
      recipients: [{ to: "010-7000-0002", variables: { name: "나" } }],
    });
    expect(repeat.statusCode).toBe(400);
    expect(repeat.json().error.details[1]).toMatchObject({
      path: "/recipients/0",
      code: "DUPLICATE_RECIPIENT",
    });
    expect(await credits(shop.auth)).toMatchObject({ held: "45.00", available: "955.00" });

    // Nothing is sent while it is a draft, however long the workers run.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = (await call(shop.auth, "GET", `/v1/campaigns/${draft.id}`)).json();
    expect(waiting).toMatchObject({ status: "draft", counts: { total: 3, draft: 3, sent: 0 } });

    // The parts' recipients are numbered across the whole campaign.
    const indexes = await db.query<{ i: number }>(
      "select recipient_index as i from messages where campaign_id = $1 order by 1",
      [draft.id],
    );
    expect(indexes.rows.map((r) => r.i)).toEqual([0, 2, 3]);

    const launched = await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/launch`, {});
    expect(launched.statusCode).toBe(200);
    expect(launched.json().status).toMatch(/queued|sending|completed/);
    const done = await waitFor(shop.auth, draft.id, "completed");
    expect(done).toMatchObject({
      counts: { total: 3, delivered: 3, draft: 0 },
      cost: { held: "0.00", charged: "45.00", refunded: "0.00" },
      metadata: { list: "december" },
    });
    expect(await credits(shop.auth)).toMatchObject({ balance: "955.00", held: "0.00" });

    // A launched campaign takes no more parts and is not launched twice.
    const late = await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
      recipients: numbers(10, 1),
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.details[0]).toMatchObject({ path: "/status", code: "NOT_A_DRAFT" });
    const again = await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/launch`, {});
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe("completed");
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("releases every part's hold when the draft is discarded, and keeps nothing of it", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Discard" });
    const draft = (
      await call(shop.auth, "POST", "/v1/campaigns", { type: "sms", text: "안내" })
    ).json();
    for (const from of [0, 100]) {
      const part = await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
        recipients: numbers(from, 20),
      });
      expect(part.statusCode).toBe(201);
    }
    expect(await credits(shop.auth)).toMatchObject({ held: "600.00" });
    // Canceling is for launched campaigns; a draft is discarded.
    expect((await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/cancel`)).statusCode).toBe(
      409,
    );

    const discarded = await call(shop.auth, "DELETE", `/v1/campaigns/${draft.id}`);
    expect(discarded.statusCode).toBe(200);
    expect(discarded.json()).toMatchObject({
      status: "discarded",
      counts: { total: 0 },
      cost: { held: "0.00" },
    });
    expect(await credits(shop.auth)).toMatchObject({ balance: "1000.00", held: "0.00" });
    const ledger = (await call(shop.auth, "GET", "/v1/credits/ledger")).json().data as {
      kind: string;
      amount: string;
    }[];
    expect(ledger.slice(0, 3).map((e) => [e.kind, e.amount])).toEqual([
      ["release", "600.00"],
      ["hold", "300.00"],
      ["hold", "300.00"],
    ]);
    expect((await call(shop.auth, "DELETE", `/v1/campaigns/${draft.id}`)).statusCode).toBe(200);
    expect((await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/launch`, {})).statusCode).toBe(
      409,
    );
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("refuses a part the credits cannot cover, and keeps the parts before it", async () => {
    const shop = await createSendingOrg(db, { credits: 100, name: "Short" });
    const draft = (
      await call(shop.auth, "POST", "/v1/campaigns", { type: "sms", text: "안내" })
    ).json();
    expect(
      (
        await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
          recipients: numbers(0, 5),
        })
      ).statusCode,
    ).toBe(201);
    const short = await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
      recipients: numbers(5, 5),
    });
    expect(short.statusCode).toBe(402);
    expect(short.json().error.details).toEqual([{ required: "75.00", available: "25.00" }]);
    const kept = (await call(shop.auth, "GET", `/v1/campaigns/${draft.id}`)).json();
    expect(kept).toMatchObject({ counts: { total: 5, draft: 5 }, cost: { held: "75.00" } });
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("refuses a part past the campaign's limit, saying how many more fit", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Full" });
    const draft = (
      await call(shop.auth, "POST", "/v1/campaigns", { type: "sms", text: "안내" })
    ).json();
    const scopePath = await orgPath(shop.orgId);
    const part = (from: number, n: number) =>
      addDraftRecipients(db, {
        id: draft.id,
        scopePath,
        recipients: numbers(from, n),
        now: new Date(),
        idempotency: null,
        maxRecipients: 4,
      });
    await part(0, 3);
    await expect(part(3, 2)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ path: "/recipients", code: "TOO_MANY_RECIPIENTS", message: "at most 1 more" }],
    });
    expect((await part(3, 1)).body.total.recipients).toBe(4);
  });

  it("cancels a launched draft's messages that were not queued yet", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Stop" });
    const draft = (
      await call(shop.auth, "POST", "/v1/campaigns", {
        type: "sms",
        text: "안내",
        sendAt: new Date(Date.now() + 3_600_000).toISOString(),
      })
    ).json();
    await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
      recipients: numbers(0, 4),
    });
    const launched = (await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/launch`, {})).json();
    expect(launched.status).toBe("scheduled");
    const canceled = (await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/cancel`)).json();
    expect(canceled).toMatchObject({
      status: "canceled",
      counts: { total: 4, canceled: 4 },
      cost: { held: "0.00", refunded: "60.00" },
    });
    expect(await credits(shop.auth)).toMatchObject({ balance: "1000.00", held: "0.00" });
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("lists the organization's campaigns newest first, with their counts, by status", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Lists" });
    const other = await createSendingOrg(db, { credits: 1000, name: "Other" });
    await call(other.auth, "POST", "/v1/campaigns", { type: "sms", text: "남의 것" });
    const sent = await call(shop.auth, "POST", "/v1/messages", {
      type: "sms",
      text: "안내",
      recipients: numbers(0, 2),
    });
    const draft = (
      await call(shop.auth, "POST", "/v1/campaigns", { type: "sms", text: "초안" })
    ).json();
    await call(shop.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, {
      recipients: numbers(10, 3),
    });
    const all = (await call(shop.auth, "GET", "/v1/campaigns")).json();
    expect(all.data.map((c: { id: string }) => c.id)).toEqual([draft.id, sent.json().campaignId]);
    expect(all.data[0]).toMatchObject({ status: "draft", counts: { total: 3, draft: 3 } });
    expect(all.data[1].counts.total).toBe(2);
    const drafts = (await call(shop.auth, "GET", "/v1/campaigns?status=draft&limit=1")).json();
    expect(drafts).toEqual({ data: [expect.objectContaining({ id: draft.id })], nextCursor: null });
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = (await call(shop.auth, "GET", `/v1/campaigns?from=${future}`)).json();
    expect(none.data).toEqual([]);
  });

  async function orgPath(orgId: string): Promise<string> {
    const r = await db.query<{ path: string }>("select path from orgs where id = $1", [orgId]);
    return r.rows[0]!.path;
  }
});
