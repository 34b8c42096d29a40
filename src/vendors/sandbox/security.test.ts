// The sandbox is no open relay: it answers only callers with one of its
// accounts' API keys, reports only to that account's own webhook, issues ids
// that say nothing about one another, answers polls only about the caller's
// own messages, and gives up on a webhook that keeps failing. A real sandbox
// server on a random port, real webhook servers that count what they get.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import type { OutboundMessage, VendorAccount } from "../vendor.ts";
import { sandboxAdapter } from "./client.ts";
import { SANDBOX_MESSAGE_ID } from "./ids.ts";
import { fixedSandboxAccounts, type SandboxServer, startSandboxServer } from "./server.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A webhook that answers every POST with `status` and counts them. */
async function startReceiver(status = 200) {
  const receiver = { url: "", hits: 0, bodies: [] as string[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      receiver.hits++;
      receiver.bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/vendors/vac_a`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return receiver;
}

const A = { id: "vac_a", apiKey: "sbk_vac_a.key-of-account-a", signingSecret: "whsec_a" };
const B = { id: "vac_b", apiKey: "sbk_vac_b.key-of-account-b", signingSecret: "whsec_b" };

async function start(
  hooks: { a: string; b?: string },
  options: { retry?: { baseMs: number; maxMs: number; attempts: number }; logs?: string[] } = {},
): Promise<SandboxServer> {
  const sink = new Writable({
    write(chunk, _enc, done) {
      options.logs?.push(String(chunk));
      done();
    },
  });
  const server = await startSandboxServer({
    delayMs: 0,
    webhookRetry: options.retry ?? { baseMs: 5, maxMs: 20, attempts: 8 },
    logger: pino({ level: "warn" }, sink),
    accounts: fixedSandboxAccounts([
      { ...A, webhookUrl: hooks.a },
      { ...B, webhookUrl: hooks.b ?? hooks.a },
    ]),
  });
  cleanups.push(server.close);
  return server;
}

const accountOf = (server: SandboxServer, who: typeof A): VendorAccount => ({
  id: who.id,
  vendor: "sandbox",
  settings: { baseUrl: server.url },
  credentials: { apiKey: who.apiKey },
  transport: testTransport,
  webhookSecret: who.signingSecret,
  webhookUrl: "",
});

let sequence = 0;
const sms = (id = `msg_sec_${++sequence}`): OutboundMessage => ({
  id,
  to: "+821012345678",
  from: "0212345678",
  type: "sms",
  text: "안내",
  subject: null,
  alimtalk: null,
  nativeFallback: null,
  images: [],
  attempt: 1,
});
const wire = (m: OutboundMessage) => ({ customId: m.id, to: m.to, type: "sms", text: m.text });

async function call(
  server: SandboxServer,
  request: { method: "GET" | "POST"; path: string; authorization?: string; body?: unknown },
) {
  const response = await fetch(`${server.url}/sandbox/v1${request.path}`, {
    method: request.method,
    headers: {
      ...(request.authorization === undefined ? {} : { authorization: request.authorization }),
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("who may call the sandbox", () => {
  it("refuses a missing or wrong API key with 401 in its own format, on every route, and records nothing", async () => {
    const hook = await startReceiver();
    const server = await start({ a: hook.url });
    const m = sms();
    const routes = [
      { method: "POST", path: "/messages", body: { messages: [wire(m)] } },
      { method: "POST", path: "/messages/status", body: { messageIds: ["sbx_x"] } },
      { method: "GET", path: "/balance" },
    ] as const;
    const wrong = [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      "Bearer sbk_vac_a.not-the-key",
      `Bearer ${A.apiKey}x`,
      `Basic ${A.apiKey}`,
      `Bearer ${A.apiKey.slice(0, -1)}`,
    ];
    for (const route of routes) {
      for (const authorization of wrong) {
        const answer = await call(server, { ...route, authorization });
        expect([route.path, authorization, answer.status]).toEqual([
          route.path,
          authorization,
          401,
        ]);
        expect(answer.body).toEqual({
          errorCode: "auth.invalid_key",
          errorMessage: "The API key is invalid.",
        });
      }
    }
    expect(await server.sandbox.seen(m.id)).toBe(0);
    expect((await call(server, { ...routes[2], authorization: `Bearer ${A.apiKey}` })).status).toBe(
      200,
    );
  });

  it("reports only to the account's own webhook: a caller-named URL is refused and gets nothing", async () => {
    const own = await startReceiver();
    const elsewhere = await startReceiver();
    const server = await start({ a: own.url });
    const authorization = `Bearer ${A.apiKey}`;
    const named = sms();
    const refused = await call(server, {
      method: "POST",
      path: "/messages",
      authorization,
      body: { webhookUrl: elsewhere.url, signingSecret: "attacker", messages: [wire(named)] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ errorCode: "request.invalid" });
    expect(String(refused.body.errorMessage)).toMatch(/^webhookUrl: /);
    // The account's own URL with another signing key is refused too.
    const otherKey = await call(server, {
      method: "POST",
      path: "/messages",
      authorization,
      body: { webhookUrl: own.url, signingSecret: "attacker", messages: [wire(named)] },
    });
    expect(otherKey.status).toBe(400);
    expect(String(otherKey.body.errorMessage)).toMatch(/^signingSecret: /);
    expect(await server.sandbox.seen(named.id)).toBe(0);

    // Naming its own target is allowed; naming none is the norm (the adapter).
    const asOwn = await call(server, {
      method: "POST",
      path: "/messages",
      authorization,
      body: { webhookUrl: own.url, signingSecret: A.signingSecret, messages: [wire(sms())] },
    });
    expect(asOwn.status).toBe(200);
    const outcomes = await sandboxAdapter.send(accountOf(server, A), [sms(), sms()]);
    expect(outcomes.map((o) => o.outcome)).toEqual(["accepted", "accepted"]);
    await server.sandbox.settled();
    // Give a stray POST time to arrive, if one were on its way.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(elsewhere.hits).toBe(0);
    expect(own.bodies.join("")).not.toContain(named.id);
    expect(own.hits).toBeGreaterThan(0);
  });
});

describe("sandbox message ids", () => {
  it("are 128 random bits: consecutive ids share no structure, every bit varies", async () => {
    const hook = await startReceiver();
    const server = await start({ a: hook.url });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const outcomes = await sandboxAdapter.send(
        accountOf(server, A),
        Array.from({ length: 250 }, () => sms()),
      );
      for (const o of outcomes) if (o.outcome === "accepted") ids.push(o.vendorMessageId);
    }
    expect(ids).toHaveLength(1000);
    for (const id of ids) expect(id).toMatch(SANDBOX_MESSAGE_ID);
    const bits = ids.map((id) => BigInt(`0x${id.slice(4)}`));
    const differing = (a: bigint, b: bigint) => [...(a ^ b).toString(2)].filter((c) => c === "1");
    // Two random 128-bit ids differ in 64 bits on average; a counter's neighbours in a few.
    for (let i = 1; i < bits.length; i++) {
      expect(differing(bits[i - 1]!, bits[i]!).length).toBeGreaterThanOrEqual(32);
    }
    // Each of the 128 bits is set in about half of the ids: none is fixed (an epoch, a prefix).
    for (let bit = 0n; bit < 128n; bit++) {
      const set = bits.filter((b) => (b >> bit) & 1n).length;
      expect(set).toBeGreaterThan(350);
      expect(set).toBeLessThan(650);
    }
  });
});

describe("polls", () => {
  it("answer only about the caller's own messages; another account's ids are unknown", async () => {
    const hook = await startReceiver();
    const server = await start({ a: hook.url });
    const m = sms();
    const [sent] = await sandboxAdapter.send(accountOf(server, A), [m]);
    const vendorId = (sent as { vendorMessageId: string }).vendorMessageId;
    await server.sandbox.settled();

    const mine = await call(server, {
      method: "POST",
      path: "/messages/status",
      authorization: `Bearer ${A.apiKey}`,
      body: { messageIds: [vendorId] },
    });
    expect(mine.body).toMatchObject({
      results: [{ messageId: vendorId, customId: m.id, status: "DELIVERED" }],
      unknown: [],
    });
    const theirs = await call(server, {
      method: "POST",
      path: "/messages/status",
      authorization: `Bearer ${B.apiKey}`,
      body: { messageIds: [vendorId] },
    });
    expect(theirs).toEqual({ status: 200, body: { results: [], unknown: [vendorId] } });
    expect(
      await sandboxAdapter.poll(accountOf(server, B), [{ id: m.id, vendorMessageId: vendorId }]),
    ).toEqual({ reports: [] });

    // The same id of ours from another account is another message: it says nothing of A's.
    const [again] = await sandboxAdapter.send(accountOf(server, B), [m]);
    expect(again).toMatchObject({ outcome: "accepted" });
    expect((again as { vendorMessageId: string }).vendorMessageId).not.toBe(vendorId);
  });
});

describe("report delivery to a webhook that always fails", () => {
  it("stops after the attempt limit, says so in the log, and never POSTs again", async () => {
    const failing = await startReceiver(500);
    const logs: string[] = [];
    const server = await start(
      { a: failing.url },
      { retry: { baseMs: 5, maxMs: 20, attempts: 3 }, logs },
    );
    await sandboxAdapter.send(accountOf(server, A), [sms(), sms()]);
    await server.sandbox.settled();
    expect(failing.hits).toBe(3);
    // Far longer than the backoff: nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failing.hits).toBe(3);
    expect(server.sandbox.stats().reports).toMatchObject({
      scheduled: 2,
      delivered: 0,
      gaveUp: 2,
      pending: 0,
      posts: 3,
      failedPosts: 3,
    });
    const gaveUp = logs.map((l) => JSON.parse(l)).filter((l) => /gave up/.test(l.msg));
    expect(gaveUp).toEqual([
      expect.objectContaining({ accountId: A.id, reports: 2, attempts: 3, reason: "attempts" }),
    ]);
  });
});
