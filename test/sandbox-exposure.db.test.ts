// The sandbox as the server serves it is no open relay: /sandbox/v1 answers
// only the keys of Alimi's sandbox accounts, reports only to this server's
// own webhook for the caller's account, and polls answer only about the
// caller's own messages. With ALIMI_SANDBOX=false it is gone: not served, no
// platform sandbox account, none can be made, and one made before routes
// nothing.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../src/db/client.ts";
import type { SecretBox } from "../src/lib/secret-box.ts";
import { createSecretBox } from "../src/lib/secret-box.ts";
import { ensurePlatform } from "../src/modules/orgs/service.ts";
import { ensurePlatformSandbox } from "../src/modules/vendor-accounts/service.ts";
import { createSendingOrg, platformKey } from "./app.ts";
import { createTestDb, engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";

async function keyOf(db: Db, box: SecretBox, accountId: string): Promise<string> {
  const r = await db.query<{ c: string }>(
    "select credentials_enc as c from vendor_accounts where id = $1",
    [accountId],
  );
  return (JSON.parse(box.open(r.rows[0]!.c)) as { apiKey: string }).apiKey;
}

/** A server that counts the requests it gets. */
async function startCounter() {
  const counter = { url: "", hits: 0 };
  const server = createServer((req, res) => {
    counter.hits++;
    req.resume();
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  counter.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/collect`;
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return counter;
}

const sms = (customId: string) => ({ customId, to: "+821012345678", type: "sms", text: "안내" });

describe(`the server's sandbox on ${engine}`, async () => {
  const pipeline = await startPipeline({ delayMs: 10 });
  const { app, db, url } = pipeline;
  const platformKey = await keyOf(db, pipeline.box, pipeline.sandboxAccountId);
  const sandbox = async (
    path: string,
    authorization: string | null,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${url}/sandbox/v1${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        ...(authorization === null ? {} : { authorization }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("answers only the keys of its accounts: none, a wrong one and a made-up one are 401", async () => {
    const madeUp = `sbk_${pipeline.sandboxAccountId}.${"A".repeat(43)}`;
    for (const authorization of [null, "Bearer anything", `Bearer ${madeUp}`]) {
      expect(await sandbox("/balance", authorization)).toEqual({
        status: 401,
        body: { errorCode: "auth.invalid_key", errorMessage: "The API key is invalid." },
      });
      const send = await sandbox("/messages", authorization, { messages: [sms("msg_x_1")] });
      expect(send.status).toBe(401);
    }
    expect(await pipeline.sandbox.seen("msg_x_1")).toBe(0);
    expect((await sandbox("/balance", `Bearer ${platformKey}`)).status).toBe(200);
  });

  it("never reports to a URL the caller names: the send is refused and that URL gets nothing", async () => {
    const elsewhere = await startCounter();
    const refused = await sandbox("/messages", `Bearer ${platformKey}`, {
      webhookUrl: elsewhere.url,
      signingSecret: "chosen-by-the-caller",
      messages: [sms("msg_relay_1")],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errorCode).toBe("request.invalid");
    expect(await pipeline.sandbox.seen("msg_relay_1")).toBe(0);
    // Without a target of its own, the send goes, and its reports come here.
    const own = await sandbox("/messages", `Bearer ${platformKey}`, {
      messages: [sms("msg_relay_2")],
    });
    expect(own.status).toBe(200);
    await pipeline.sandbox.settled();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(elsewhere.hits).toBe(0);
    const stored = await db.query<{ n: number }>(
      "select count(*)::int as n from delivery_reports where vendor_account_id = $1 and raw->>'customId' = 'msg_relay_2'",
      [pipeline.sandboxAccountId],
    );
    expect(stored.rows[0]?.n).toBe(1);
  });

  it("answers an account's polls only about its own messages", async () => {
    const shop = await createSendingOrg(db, { credits: 100 });
    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: { type: "sms", text: "조회 확인", recipients: [{ to: "010-4444-0001" }] },
    });
    await waitForCompletion(db, sent.json().campaignId);
    const message = await db.query<{ vendorId: string }>(
      `select vendor_message_id as "vendorId" from messages where campaign_id = $1`,
      [sent.json().campaignId],
    );
    const vendorId = message.rows[0]!.vendorId;
    // Another organization's sandbox account, with its own key.
    const other = await createSendingOrg(db, { credits: 100, name: "Other" });
    const created = await app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: other.auth,
      payload: { vendor: "sandbox", name: "Other's sandbox" },
    });
    expect(created.statusCode).toBe(201);
    const otherKey = await keyOf(db, pipeline.box, created.json().id);

    const theirs = await sandbox("/messages/status", `Bearer ${otherKey}`, {
      messageIds: [vendorId],
    });
    expect(theirs).toEqual({ status: 200, body: { results: [], unknown: [vendorId] } });
    const mine = await sandbox("/messages/status", `Bearer ${platformKey}`, {
      messageIds: [vendorId],
    });
    expect(mine.body).toMatchObject({
      results: [{ messageId: vendorId, status: "DELIVERED" }],
      unknown: [],
    });
  });
});

describe(`ALIMI_SANDBOX=false on ${engine}`, async () => {
  const pipeline = await startPipeline({ sandbox: false });
  const { app, db } = pipeline;
  const shop = await createSendingOrg(db, { credits: 100 });

  /** The message's error once the dispatcher has tried to route it. */
  const routeErrorOf = async (database: Db, campaignId: string) => {
    for (let i = 0; i < 200; i++) {
      const r = await database.query<{ status: string; code: string | null; text: string | null }>(
        "select status, error_code as code, error_message as text from messages where campaign_id = $1",
        [campaignId],
      );
      if (r.rows[0]?.code) return r.rows[0];
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect.fail("the message was never routed");
  };

  it("serves no /sandbox/v1 and makes no platform sandbox account", async () => {
    for (const path of ["/sandbox/v1/balance", "/sandbox/v1/messages"]) {
      const res = await app.inject({
        method: path.endsWith("balance") ? "GET" : "POST",
        url: path,
        headers: { authorization: "Bearer anything" },
        ...(path.endsWith("balance") ? {} : { payload: { messages: [] } }),
      });
      expect(res.statusCode).toBe(404);
    }
    const accounts = await db.query("select id from vendor_accounts where vendor = 'sandbox'");
    expect(accounts.rows).toEqual([]);
  });

  it("refuses to create a sandbox account, saying why", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
      payload: { vendor: "sandbox", name: "Mine" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      expect.objectContaining({ path: "/vendor", code: "VENDOR_DISABLED" }),
    ]);
  });

  it("shows a channel nobody routes as routed nowhere, and sends nothing through it", async () => {
    const routing = await app.inject({
      method: "GET",
      url: `/v1/orgs/${shop.orgId}/routing`,
      headers: shop.auth,
    });
    expect(routing.statusCode).toBe(200);
    expect(routing.json().sms).toEqual({
      primary: null,
      secondary: null,
      source: { kind: "platform-default" },
    });
    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: { type: "sms", text: "경로 없음", recipients: [{ to: "010-4444-0002" }] },
    });
    expect(sent.statusCode).toBe(202);
    expect(await routeErrorOf(db, sent.json().campaignId)).toMatchObject({
      status: "queued",
      code: "NO_ROUTE",
      text: expect.stringMatching(/^no vendor account routes sms/),
    });
  });

  it("leaves a platform sandbox account made before in place, routing nothing through it", async () => {
    const secretKey = randomBytes(32);
    const earlier = await createTestDb();
    await ensurePlatform(earlier);
    const accountId = await ensurePlatformSandbox(earlier, createSecretBox(secretKey));
    const off = await startPipeline({ db: earlier, sandbox: false, secretKey });
    const org = await createSendingOrg(earlier, { credits: 100 });
    const sent = await off.app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: org.auth,
      payload: { type: "sms", text: "샌드박스 꺼짐", recipients: [{ to: "010-4444-0003" }] },
    });
    expect(sent.statusCode).toBe(202);
    const error = await routeErrorOf(earlier, sent.json().campaignId);
    expect(error).toMatchObject({ status: "queued", code: "NO_ROUTE" });
    expect(error.text).toContain(accountId);
    expect(error.text).toContain("ALIMI_SANDBOX=false");
    expect(await off.sandbox.seen((await messageIdOf(earlier, sent.json().campaignId))!)).toBe(0);

    // Nor can routing be pointed at it again.
    const platform = await platformKey(earlier);
    const routed = await off.app.inject({
      method: "PUT",
      url: `/v1/orgs/${org.orgId}/routing`,
      headers: platform.auth,
      payload: { sms: { primary: accountId } },
    });
    expect(routed.statusCode).toBe(400);
    expect(routed.json().error.details).toEqual([
      expect.objectContaining({ path: "/sms/primary", code: "VENDOR_DISABLED" }),
    ]);
  });
});

async function messageIdOf(db: Db, campaignId: string): Promise<string | undefined> {
  const r = await db.query<{ id: string }>("select id from messages where campaign_id = $1", [
    campaignId,
  ]);
  return r.rows[0]?.id;
}
