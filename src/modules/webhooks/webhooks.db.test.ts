// Outbound webhooks through the API and the deliverer: endpoints and their
// secrets, the filters, signed POSTs to a real local receiver, retries,
// Retry-After, 410, redirects, replays and test events, tenant isolation,
// the egress guard at creation and at delivery, and the events written in
// the same transaction as their change (campaign.completed, credits.low).
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp, type TestOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startPipeline, waitForCompletion } from "../../../test/pipeline.ts";
import { allowedHosts } from "../../../test/support/vendor-calls.ts";
import { createEgress, type ResolvedAddress } from "../../lib/egress.ts";
import { DEFAULT_IMPORT_LIMITS, runNextImport } from "../imports/index.ts";
import { uploadImport } from "../imports/service.ts";
import { deliverDue, emitEvent } from "./index.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver whose answers the test scripts (default 200), keeping what it got. */
async function startReceiver() {
  const received: Received[] = [];
  let answer: (r: Received) => { status: number; headers?: Record<string, string> } = () => ({
    status: 200,
  });
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const r = { path: req.url ?? "", headers: req.headers, body };
      received.push(r);
      const a = answer(r);
      res.writeHead(a.status, a.headers).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    answer(fn: typeof answer) {
      answer = fn;
    },
  };
}

describe(`outbound webhooks on ${engine}`, async () => {
  const receiver = await startReceiver();
  // receiver.test is the operator's allowed host (it is on 127.0.0.1);
  // inside.test resolves to a private address, public.test to a public one
  // (until the test makes it point inside: DNS can change).
  const dns = new Map<string, string>([
    ["receiver.test", "127.0.0.1"],
    ["localhost", "127.0.0.1"],
    ["inside.test", "10.0.0.7"],
    ["public.test", "93.184.216.34"],
  ]);
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    const address = dns.get(hostname);
    if (!address) throw Object.assign(new Error(`${hostname} not found`), { code: "ENOTFOUND" });
    return [{ address, family: 4 }];
  };
  const policy = { allowedHosts: allowedHosts("receiver.test"), allowHttp: false, resolve };
  const { app, db, box } = await createTestApp({ webhookCalls: policy });
  const deliverer = {
    db,
    box,
    egress: createEgress({ ...policy, allowHint: "allow it" }),
    random: () => 0.5,
  };
  const url = `http://receiver.test:${receiver.port}/hooks`;
  /** A round of deliveries as of `offsetMs` from now. */
  const deliver = (offsetMs = 0) =>
    deliverDue(deliverer, { now: () => new Date(Date.now() + offsetMs), leaseMs: 300_000 });

  // Each test gets an organization of its own, and nothing of an earlier one is due.
  let shop = await createSendingOrg(db, { name: "Shop" });
  const other = await createSendingOrg(db, { name: "Other" });

  const create = (org: TestOrg, payload: Record<string, unknown>) =>
    app.inject({ method: "POST", url: "/v1/webhook-endpoints", headers: org.auth, payload });
  const deliveriesOf = async (org: TestOrg, endpointId: string) => {
    const res = await app.inject({
      method: "GET",
      url: `/v1/webhook-endpoints/${endpointId}/deliveries`,
      headers: org.auth,
    });
    expect(res.statusCode).toBe(200);
    return res.json().data as Array<Record<string, unknown>>;
  };
  const testEvent = async (endpointId: string) => {
    const res = await app.inject({
      method: "POST",
      url: `/v1/webhook-endpoints/${endpointId}/test`,
      headers: shop.auth,
    });
    expect(res.statusCode).toBe(202);
    return res.json() as { id: string; eventId: string; status: string };
  };

  beforeEach(async () => {
    shop = await createSendingOrg(db, { name: "Shop" });
    await db.query("update webhook_deliveries set status = 'failed' where status = 'pending'");
    receiver.received.length = 0;
    receiver.answer(() => ({ status: 200 }));
    dns.set("public.test", "93.184.216.34");
  });

  it("shows the secret once, hides it after, and rotates it", async () => {
    const made = await create(shop, { url, events: ["campaign.completed"], description: "CRM" });
    expect(made.statusCode).toBe(201);
    const endpoint = made.json();
    expect(endpoint).toMatchObject({ url, events: ["campaign.completed"], status: "active" });
    expect(endpoint.id).toMatch(/^whe_/);
    expect(endpoint.secret).toMatch(/^whsec_/);

    const read = await app.inject({
      method: "GET",
      url: `/v1/webhook-endpoints/${endpoint.id}`,
      headers: shop.auth,
    });
    expect(read.json()).not.toHaveProperty("secret");
    const list = await app.inject({
      method: "GET",
      url: "/v1/webhook-endpoints",
      headers: shop.auth,
    });
    expect(list.json().data.map((e: { id: string }) => e.id)).toContain(endpoint.id);
    expect(JSON.stringify(list.json())).not.toContain("whsec_");

    const changed = await app.inject({
      method: "PATCH",
      url: `/v1/webhook-endpoints/${endpoint.id}`,
      headers: shop.auth,
      payload: { events: ["*"], description: null },
    });
    expect(changed.json()).toMatchObject({ events: ["*"], description: null });

    const rotated = await app.inject({
      method: "POST",
      url: `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`,
      headers: shop.auth,
    });
    expect(rotated.statusCode).toBe(200);
    const secret = rotated.json().secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(endpoint.secret);

    // Signed with the new secret, not the old one.
    await testEvent(endpoint.id);
    await deliver();
    const got = receiver.received[0]!;
    const headers = got.headers as Record<string, string>;
    expect(() => new Webhook(secret).verify(got.body, headers)).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(got.body, headers)).toThrow();

    const gone = await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${endpoint.id}`,
      headers: shop.auth,
    });
    expect(gone.statusCode).toBe(204);
    const after = await app.inject({
      method: "GET",
      url: `/v1/webhook-endpoints/${endpoint.id}`,
      headers: shop.auth,
    });
    expect(after.statusCode).toBe(404);
  });

  it("refuses bad input whole, with a path for each problem", async () => {
    const before = await db.query("select id from webhook_endpoints");
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ url: "ftp://example.com/x", events: ["*"] }, "/url", "INVALID_URL"],
      [{ url: "http://example.com/x", events: ["*"] }, "/url", "EGRESS_REFUSED"],
      [
        { url: "https://example.com/x", events: ["message.exploded"] },
        "/events/0",
        "UNKNOWN_EVENT_TYPE",
      ],
      [
        { url: "https://example.com/x", events: ["*", "message.sent"] },
        "/events",
        "CONFLICTING_FIELDS",
      ],
      [
        { url: "https://example.com/x", events: ["message.sent", "message.sent"] },
        "/events/1",
        "DUPLICATE",
      ],
    ];
    for (const [payload, path, code] of cases) {
      const res = await create(shop, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.details).toContainEqual(expect.objectContaining({ path, code }));
    }
    const empty = await create(shop, { url: "https://example.com/x", events: [] });
    expect(empty.statusCode).toBe(400);
    const after = await db.query("select id from webhook_endpoints");
    expect(after.rows.length).toBe(before.rows.length);
  });

  it("refuses loopback, private and privately resolving URLs when they are saved", async () => {
    for (const target of [
      "https://127.0.0.1/hooks",
      "https://10.1.2.3/hooks",
      "https://169.254.169.254/latest",
      "https://inside.test/hooks",
      `https://localhost:${receiver.port}/hooks`,
    ]) {
      const res = await create(shop, { url: target, events: ["*"] });
      expect(res.statusCode, target).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ path: "/url", code: "EGRESS_REFUSED" });
    }
    const fine = await create(shop, { url: "https://public.test/hooks", events: ["*"] });
    expect(fine.statusCode).toBe(201);
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${fine.json().id}`,
      headers: shop.auth,
    });
  });

  it("checks the address again at delivery: a name that now points inside is not called", async () => {
    const made = (await create(shop, { url: "https://public.test/hooks", events: ["*"] })).json();
    dns.set("public.test", "127.0.0.1");
    await testEvent(made.id);
    await deliver();
    const [delivery] = await deliveriesOf(shop, made.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null });
    expect(delivery!.lastError).toMatch(/refused: .*loopback/);
    expect(receiver.received).toHaveLength(0);
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
  });

  it("POSTs a signed { type, timestamp, data } to a real receiver, and logs it", async () => {
    const made = (await create(shop, { url, events: ["import.completed"] })).json();
    const queued = await testEvent(made.id);
    expect(queued).toMatchObject({ status: "pending", eventId: expect.stringMatching(/^evt_/) });
    const round = await deliver();
    expect(round.delivered).toBeGreaterThanOrEqual(1);

    const got = receiver.received.find((r) => r.headers["webhook-id"] === queued.eventId)!;
    expect(got.path).toBe("/hooks");
    const payload = new Webhook(made.secret).verify(
      got.body,
      got.headers as Record<string, string>,
    ) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({ type: "webhook.test", data: { endpointId: made.id } });
    expect(Number.isNaN(Date.parse(payload.timestamp))).toBe(false);

    const [logged] = await deliveriesOf(shop, made.id);
    expect(logged).toMatchObject({
      id: queued.id,
      status: "delivered",
      attempts: 1,
      lastStatusCode: 200,
      eventType: "webhook.test",
      nextAttemptAt: null,
    });
    expect(logged!.lastAttemptAt).toBeTruthy();
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
  });

  it("writes an event only for the endpoints whose filter takes it", async () => {
    const low = (await create(shop, { url, events: ["credits.low"] })).json();
    const imports = (await create(shop, { url, events: ["import.completed"] })).json();
    const all = (await create(shop, { url, events: ["*"] })).json();
    const id = await db.tx((q) =>
      emitEvent(q, { orgId: shop.orgId, type: "import.completed", data: { id: "imp_1" } }),
    );
    expect(id).toMatch(/^evt_/);
    const r = await db.query<{ endpoint: string }>(
      "select endpoint_id as endpoint from webhook_deliveries where event_id = $1 order by endpoint_id",
      [id],
    );
    expect(r.rows.map((row) => row.endpoint)).toEqual([imports.id, all.id].sort());

    // Nobody subscribed (another organization): no event at all.
    const none = await db.tx((q) =>
      emitEvent(q, { orgId: other.orgId, type: "import.completed", data: { id: "imp_2" } }),
    );
    expect(none).toBeNull();
    for (const e of [low, imports, all]) {
      await app.inject({
        method: "DELETE",
        url: `/v1/webhook-endpoints/${e.id}`,
        headers: shop.auth,
      });
    }
  });

  it("retries 5xx with backoff, honours Retry-After, and delivers once the receiver answers", async () => {
    const made = (await create(shop, { url, events: ["*"] })).json();
    receiver.answer(() => ({ status: 503 }));
    await testEvent(made.id);
    const start = Date.now();
    await deliver();
    let [d] = await deliveriesOf(shop, made.id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 503 });
    // The first retry after about 5 s (the jitter is pinned to the middle here).
    const first = Date.parse(d!.nextAttemptAt as string) - start;
    expect(first).toBeGreaterThanOrEqual(4_000);
    expect(first).toBeLessThan(7_000);
    // Not due yet: nothing is sent.
    await deliver();
    expect(receiver.received).toHaveLength(1);

    receiver.answer(() => ({ status: 429, headers: { "retry-after": "120" } }));
    await deliver(7_000);
    [d] = await deliveriesOf(shop, made.id);
    expect(d).toMatchObject({ status: "pending", attempts: 2, lastStatusCode: 429 });
    expect(Date.parse(d!.nextAttemptAt as string) - start).toBeGreaterThanOrEqual(127_000);
    await deliver(60_000);
    expect(receiver.received).toHaveLength(2);

    receiver.answer(() => ({ status: 200 }));
    await deliver(130_000);
    [d] = await deliveriesOf(shop, made.id);
    expect(d).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200 });
    // Every attempt carried the event's id.
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
  });

  it("gives up after retrying for 24 hours", async () => {
    const made = (await create(shop, { url, events: ["*"] })).json();
    receiver.answer(() => ({ status: 500 }));
    const queued = await testEvent(made.id);
    await db.query(
      "update webhook_deliveries set created_at = now() - interval '24 hours 1 minute' where id = $1",
      [queued.id],
    );
    await deliver();
    const [d] = await deliveriesOf(shop, made.id);
    expect(d).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 500 });
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
  });

  it("does not follow a redirect", async () => {
    const made = (await create(shop, { url, events: ["*"] })).json();
    receiver.answer((r) =>
      r.path === "/hooks" ? { status: 302, headers: { location: "/elsewhere" } } : { status: 200 },
    );
    await testEvent(made.id);
    await deliver();
    expect(receiver.received.map((r) => r.path)).toEqual(["/hooks"]);
    const [d] = await deliveriesOf(shop, made.id);
    expect(d).toMatchObject({ status: "pending", lastStatusCode: 302 });
    expect(d!.lastError).toMatch(/redirect, not followed/);
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
  });

  it("disables the endpoint on 410 and gives up its backlog", async () => {
    const made = (await create(shop, { url, events: ["*"] })).json();
    receiver.answer(() => ({ status: 410 }));
    await testEvent(made.id);
    await deliver();
    // Another event, written before it knew: given up, not sent.
    await db.query(
      `insert into webhook_deliveries (org_id, event_id, endpoint_id, next_attempt_at)
       select org_id, event_id, endpoint_id, now() + interval '1 hour' from webhook_deliveries
       where endpoint_id = $1`,
      [made.id],
    );
    const read = await app.inject({
      method: "GET",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
    expect(read.json()).toMatchObject({ status: "disabled" });
    expect(read.json().disabledReason).toMatch(/410/);
    // The endpoint is disabled: a new event is not written for it, nor is a test accepted.
    expect(
      await db.tx((q) => emitEvent(q, { orgId: shop.orgId, type: "credits.low", data: {} })),
    ).toBeNull();
    const test = await app.inject({
      method: "POST",
      url: `/v1/webhook-endpoints/${made.id}/test`,
      headers: shop.auth,
    });
    expect(test.statusCode).toBe(409);
    // Enabled again, it gets events again.
    const enabled = await app.inject({
      method: "PATCH",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
      payload: { status: "active" },
    });
    expect(enabled.json()).toMatchObject({ status: "active", disabledReason: null });
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
  });

  it("replays a delivery with the same webhook-id, and hides everything from other tenants", async () => {
    const made = (await create(shop, { url, events: ["*"] })).json();
    const queued = await testEvent(made.id);
    await deliver();
    const replay = await app.inject({
      method: "POST",
      url: `/v1/webhook-deliveries/${queued.id}/replay`,
      headers: shop.auth,
    });
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toMatchObject({ eventId: queued.eventId, status: "pending" });
    expect(replay.json().id).not.toBe(queued.id);
    await deliver();
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([
      queued.eventId,
      queued.eventId,
    ]);
    expect((await deliveriesOf(shop, made.id)).map((d) => d.status)).toEqual([
      "delivered",
      "delivered",
    ]);

    for (const [method, path] of [
      ["GET", `/v1/webhook-endpoints/${made.id}`],
      ["PATCH", `/v1/webhook-endpoints/${made.id}`],
      ["DELETE", `/v1/webhook-endpoints/${made.id}`],
      ["POST", `/v1/webhook-endpoints/${made.id}/test`],
      ["POST", `/v1/webhook-endpoints/${made.id}/rotate-secret`],
      ["GET", `/v1/webhook-endpoints/${made.id}/deliveries`],
      ["POST", `/v1/webhook-deliveries/${queued.id}/replay`],
    ] as const) {
      const res = await app.inject({
        method,
        url: path,
        headers: other.auth,
        ...(method === "PATCH" ? { payload: { description: "x" } } : {}),
      });
      expect(res.statusCode, `${method} ${path}`).toBe(404);
    }
    const theirs = await app.inject({
      method: "GET",
      url: "/v1/webhook-endpoints",
      headers: other.auth,
    });
    expect(theirs.json().data).toEqual([]);
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
  });

  it("writes no event for a change that is rolled back", async () => {
    const made = (await create(shop, { url, events: ["credits.low", "import.completed"] })).json();
    const before = await db.query("select id from webhook_events where org_id = $1", [shop.orgId]);
    await expect(
      db.tx(async (q) => {
        await emitEvent(q, { orgId: shop.orgId, type: "import.completed", data: { id: "imp_x" } });
        // A wallet falling below its threshold, in the same transaction.
        await q.query("update wallets set low_balance_threshold = balance + 1 where org_id = $1", [
          shop.orgId,
        ]);
        throw new Error("the change fails");
      }),
    ).rejects.toThrow("the change fails");
    const after = await db.query("select id from webhook_events where org_id = $1", [shop.orgId]);
    expect(after.rows.length).toBe(before.rows.length);
    const alerts = await db.query("select org_id from wallet_low_alerts where org_id = $1", [
      shop.orgId,
    ]);
    expect(alerts.rows).toEqual([]);
    await app.inject({
      method: "DELETE",
      url: `/v1/webhook-endpoints/${made.id}`,
      headers: shop.auth,
    });
  });

  it("writes import.completed with what the commit stored, in the commit's transaction", async () => {
    await create(shop, { url, events: ["import.completed"] });
    const staged = await uploadImport(db, {
      orgId: shop.orgId,
      fileName: "contacts.csv",
      data: Buffer.from("휴대폰,이름\n010-7000-0001,가\n010-7000-0002,나\n"),
      groupId: null,
      mapping: null,
      idempotencyKey: undefined,
      limits: DEFAULT_IMPORT_LIMITS,
      now: new Date(),
    });
    const drain = async () => {
      const worker = { db, logger: pino({ level: "silent" }), now: () => new Date() };
      while (await runNextImport(worker)) {}
    };
    await drain();
    const commit = await app.inject({
      method: "POST",
      url: `/v1/imports/${staged.body.id}/commit`,
      headers: shop.auth,
      payload: {},
    });
    expect(commit.statusCode, commit.body).toBe(202);
    await drain();
    const events = await db.query<{ payload: Record<string, unknown> }>(
      "select payload from webhook_events where org_id = $1 and type = 'import.completed'",
      [shop.orgId],
    );
    expect(events.rows.map((r) => r.payload)).toEqual([
      expect.objectContaining({ id: staged.body.id, created: 2, updated: 0 }),
    ]);
  });

  it("reports credits.low once per crossing of the threshold, re-armed above it", async () => {
    const org = await createSendingOrg(db, { name: "Low", credits: 1000 });
    await create(org, { url, events: ["credits.low"] });
    const C = 1_000_000n;
    const setAvailable = (credits: bigint) =>
      db.query("update wallets set held = balance - $2::bigint where org_id = $1", [
        org.orgId,
        credits * C,
      ]);
    await db.query("update wallets set low_balance_threshold = $2::bigint where org_id = $1", [
      org.orgId,
      500n * C,
    ]);
    const lows = async () =>
      (
        await db.query<{ payload: Record<string, string> }>(
          "select payload from webhook_events where org_id = $1 and type = 'credits.low' order by seq",
          [org.orgId],
        )
      ).rows.map((r) => r.payload);

    expect(await lows()).toEqual([]);
    await setAvailable(400n);
    await setAvailable(300n);
    await setAvailable(450n);
    expect(await lows()).toEqual([
      {
        orgId: org.orgId,
        available: "400.00",
        balance: "1000.00",
        held: "600.00",
        threshold: "500.00",
      },
    ]);
    await setAvailable(500n);
    await setAvailable(200n);
    expect((await lows()).map((p) => p.available)).toEqual(["400.00", "200.00"]);
  });
});

describe(`events of the delivery pipeline on ${engine}`, async () => {
  const pipeline = await startPipeline({ delayMs: 20 });
  const { app, db } = pipeline;
  const shop = await createSendingOrg(db, { credits: 1000 });
  // Written straight to the table: its address is never called (the guard refuses loopback).
  await db.query(
    `insert into webhook_endpoints (id, org_id, url, events, secret_enc)
     values ('whe_pipeline', $1, 'https://127.0.0.1:9/hooks',
       '["campaign.completed", "message.sent", "message.delivered"]', $2)`,
    [shop.orgId, pipeline.box.seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")],
  );

  it("writes campaign.completed with its counts, cost and metadata, and each message's events", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        type: "sms",
        text: "웹훅 시험",
        recipients: [{ to: "010-2000-0001" }, { to: "010-2000-0002" }],
        metadata: { orderId: "A-1" },
      },
    });
    expect(res.statusCode).toBe(202);
    const campaignId = res.json().campaignId as string;
    await waitForCompletion(db, campaignId);
    const campaign = await app.inject({
      method: "GET",
      url: `/v1/campaigns/${campaignId}`,
      headers: shop.auth,
    });

    const events = await db.query<{ type: string; payload: Record<string, unknown> }>(
      "select type, payload from webhook_events where org_id = $1 order by seq",
      [shop.orgId],
    );
    const completed = events.rows.filter((e) => e.type === "campaign.completed");
    expect(completed).toHaveLength(1);
    const { clicked: _clicked, ...counts } = campaign.json().counts;
    expect(completed[0]!.payload).toMatchObject({
      id: campaignId,
      status: "completed",
      metadata: { orderId: "A-1" },
      counts,
      cost: campaign.json().cost,
    });
    expect(counts).toMatchObject({ total: 2, delivered: 2 });
    const perMessage = events.rows.filter((e) => e.type.startsWith("message."));
    expect(perMessage.filter((e) => e.type === "message.delivered")).toHaveLength(2);
    expect(perMessage.filter((e) => e.type === "message.sent")).toHaveLength(2);
    expect(perMessage[0]!.payload).toMatchObject({ campaignId, type: "sms" });
    // Each event has its delivery to the one endpoint.
    const d = await db.query<{ n: number }>(
      "select count(*)::int as n from webhook_deliveries where endpoint_id = 'whe_pipeline'",
    );
    expect(d.rows[0]!.n).toBe(events.rows.length);
  });
});
