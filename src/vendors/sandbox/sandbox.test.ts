// The sandbox end to end: a real sandbox server on a random port, our adapter
// talking to it over HTTP, and a real webhook server that verifies the
// signature of every report POST it receives.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import { testImage } from "../../../test/support/vendors/images.ts";
import type { MessageType } from "../../domain/message-content.ts";
import { AppError } from "../../lib/errors.ts";
import type { DeliveryReport, OutboundMessage, SendOutcome, VendorAccount } from "../vendor.ts";
import { sandboxAdapter, toWireMessage } from "./client.ts";
import {
  createSandbox,
  type FixedSandboxAccount,
  fixedSandboxAccounts,
  registerSandboxRoutes,
  type SandboxServer,
  startSandboxServer,
} from "./server.ts";

const SECRET = "whsec_sandbox_test";
const API_KEY = "sk_test_1";
const N = {
  notKakao: "+821000000001",
  unreachable: "+821000000002",
  flaky: "+821000000003",
  silent: "+821000000004",
  chatty: "+821000000005",
  other: "+821012345678",
} as const;

interface Post {
  status: number;
  batchId: string;
  size: number;
  body: string;
}

interface Webhook {
  url: string;
  posts: Post[];
  /** Reports of the POSTs answered 200, in arrival order, with the index of their POST. */
  reports: (DeliveryReport & { post: number })[];
  /** Statuses to answer the next POSTs with (then 200). */
  script: number[];
  /** POSTs whose signature or body did not verify. */
  invalid: number;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

async function startWebhook(): Promise<Webhook> {
  const hook: Webhook = {
    url: "",
    posts: [],
    reports: [],
    script: [],
    invalid: 0,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const parsed = sandboxAdapter.parseReports(account(""), {
        headers: req.headers,
        rawBody,
        pathToken: null,
      });
      const status = parsed.ok ? (hook.script.shift() ?? 200) : parsed.status;
      if (!parsed.ok) hook.invalid++;
      const body = rawBody.toString("utf8");
      const batchId = parsed.ok ? (JSON.parse(body) as { batchId: string }).batchId : "";
      hook.posts.push({ status, batchId, size: parsed.ok ? parsed.reports.length : 0, body });
      if (parsed.ok && status === 200) {
        const post = hook.posts.length - 1;
        for (const report of parsed.reports) hook.reports.push({ ...report, post });
      }
      res.writeHead(status).end();
    });
  });
  hook.url = `${await listen(server)}/webhooks/vendors/vac_test`;
  hook.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  cleanups.push(hook.close);
  return hook;
}

let webhookUrl = "";
let sandboxUrl = "";

function account(
  baseUrl = sandboxUrl,
  options: { settings?: Record<string, unknown>; apiKey?: string } = {},
): VendorAccount {
  return {
    id: "vac_test",
    vendor: "sandbox",
    settings: { baseUrl, ...options.settings },
    credentials: { apiKey: options.apiKey ?? API_KEY },
    webhookSecret: SECRET,
    webhookUrl,
    transport: testTransport,
  };
}

/** The sandbox's customer behind account(): reports to `url`, signed with `secret`. */
const customer = (url: string, secret = SECRET): FixedSandboxAccount => ({
  id: "vac_test",
  apiKey: API_KEY,
  webhookUrl: url,
  signingSecret: secret,
});

const nativeAccount = () => account(sandboxUrl, { settings: { nativeFallback: true } });

async function setup(
  options: {
    delayMs?: number;
    webhookRetry?: { baseMs: number; maxMs: number; attempts?: number };
    /** The key the sandbox signs this account's reports with (default: the webhook's). */
    signingSecret?: string;
    /** More customers besides account()'s. */
    others?: FixedSandboxAccount[];
  } = {},
) {
  const hook = await startWebhook();
  const server: SandboxServer = await startSandboxServer({
    delayMs: options.delayMs ?? 20,
    webhookRetry: options.webhookRetry ?? { baseMs: 20, maxMs: 200 },
    accounts: fixedSandboxAccounts([
      customer(hook.url, options.signingSecret),
      ...(options.others ?? []),
    ]),
  });
  cleanups.push(server.close);
  webhookUrl = hook.url;
  sandboxUrl = server.url;
  return { hook, server, sandbox: server.sandbox };
}

let sequence = 0;
function message(
  to: string,
  type: MessageType,
  options: { id?: string; fallback?: "sms" | "lms" | null; attempt?: number } = {},
): OutboundMessage {
  const alimtalk = type === "alimtalk";
  return {
    id: options.id ?? `msg_test_${++sequence}`,
    to,
    from: "0212345678",
    type,
    text: "안녕하세요",
    subject: type === "lms" || type === "mms" ? "제목" : null,
    alimtalk: alimtalk ? { templateCode: "WELCOME_001", buttons: [] } : null,
    nativeFallback:
      alimtalk && options.fallback
        ? { type: options.fallback, text: "안녕하세요", subject: null }
        : null,
    images: type === "mms" ? [testImage()] : [],
    attempt: options.attempt ?? 1,
  };
}

/** What arrived for one of our messages, in arrival order: "type:status[:ERROR][<fallbackOf]". */
function arrived(hook: Webhook, ourId: string, vendorIds: Map<string, string>) {
  return hook.reports
    .filter((r) => r.messageId === ourId)
    .map(
      (r) =>
        `${r.type}:${r.status}${r.error ? `:${r.error.code}` : ""}` +
        (r.fallbackOf === null ? "" : r.fallbackOf === vendorIds.get(ourId) ? "<own" : "<?"),
    );
}

function vendorIdsOf(outcomes: SendOutcome[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const o of outcomes) if (o.outcome === "accepted") ids.set(o.id, o.vendorMessageId);
  return ids;
}

const summary = (outcomes: SendOutcome[]) =>
  outcomes.map((o) => (o.outcome === "accepted" ? "accepted" : `${o.outcome}:${o.error.code}`));

describe("the magic numbers over HTTP", () => {
  it("plain mode: reports exactly as DESIGN §6 says, on every channel", async () => {
    const { hook, sandbox } = await setup();
    const messages = Object.values(N).flatMap((to) => [
      // Carries a fallback, but the account does not use native fallback: ignored.
      message(to, "alimtalk", { fallback: "sms" }),
      message(to, "sms"),
      message(to, "lms"),
    ]);
    const first = await sandboxAdapter.send(account(), messages);
    expect(summary(first)).toEqual(
      Object.values(N).flatMap((to) =>
        Array(3).fill(to === N.flaky ? "retry:VENDOR_UNAVAILABLE" : "accepted"),
      ),
    );
    const flaky = messages.filter((m) => m.to === N.flaky);
    expect(await Promise.all(flaky.map((m) => sandbox.received(m.id)))).toEqual([0, 0, 0]);
    const second = await sandboxAdapter.send(
      account(),
      flaky.map((m) => ({ ...m, attempt: 2 })),
    );
    expect(summary(second)).toEqual(["accepted", "accepted", "accepted"]);
    await sandbox.settled();

    const vendorIds = vendorIdsOf([...first, ...second]);
    for (const id of vendorIds.values()) expect(id).toMatch(/^sbx_/);
    expect(new Set(vendorIds.values()).size).toBe(messages.length);
    const got = (to: string, type: MessageType) => {
      const m = messages.find((x) => x.to === to && x.type === type)!;
      return arrived(hook, m.id, vendorIds);
    };
    expect(got(N.notKakao, "alimtalk")).toEqual(["alimtalk:failed:NOT_KAKAO_USER"]);
    expect(got(N.notKakao, "sms")).toEqual(["sms:delivered"]);
    expect(got(N.notKakao, "lms")).toEqual(["lms:delivered"]);
    expect(got(N.unreachable, "alimtalk")).toEqual(["alimtalk:failed:UNREACHABLE"]);
    expect(got(N.unreachable, "sms")).toEqual(["sms:failed:UNREACHABLE"]);
    expect(got(N.unreachable, "lms")).toEqual(["lms:failed:UNREACHABLE"]);
    expect(got(N.flaky, "alimtalk")).toEqual(["alimtalk:delivered"]);
    expect(got(N.flaky, "sms")).toEqual(["sms:delivered"]);
    expect(got(N.silent, "alimtalk")).toEqual(["alimtalk:sent"]);
    expect(got(N.silent, "lms")).toEqual(["lms:sent"]);
    for (const type of ["alimtalk", "sms", "lms"] as const) {
      expect(got(N.chatty, type)).toEqual([
        `${type}:delivered`,
        `${type}:sent`,
        `${type}:delivered`,
        `${type}:sent`,
      ]);
      expect(got(N.other, type)).toEqual([`${type}:delivered`]);
    }
    // Every report names the sandbox id that the send answered for that message.
    for (const r of hook.reports) expect(r.vendorMessageId).toBe(vendorIds.get(r.messageId!));
    expect(hook.invalid).toBe(0);
  });

  it("010-0000-0005: the replay comes in a later POST, and 'sent' happened before 'delivered'", async () => {
    // A delay long enough that a busy machine does not fire both waves in one tick.
    const { hook, sandbox } = await setup({ delayMs: 150 });
    const m = message(N.chatty, "sms");
    await sandboxAdapter.send(account(), [m]);
    await sandbox.settled();
    const reports = hook.reports.filter((r) => r.messageId === m.id);
    expect(reports.map((r) => r.status)).toEqual(["delivered", "sent", "delivered", "sent"]);
    expect(reports[0]!.post).toBe(reports[1]!.post);
    expect(reports[2]!.post).toBeGreaterThan(reports[1]!.post);
    expect(reports[1]!.at.getTime()).toBeLessThan(reports[0]!.at.getTime());
    expect(reports[2]).toMatchObject({ status: "delivered", at: reports[0]!.at });
  });

  it("native fallback: the sandbox sends the SMS/LMS itself and reports both", async () => {
    const { hook, sandbox } = await setup();
    const messages = Object.values(N).map((to) =>
      message(to, "alimtalk", { fallback: to === N.unreachable ? "lms" : "sms" }),
    );
    // No fallback on this one: nothing to fall back to even in native mode.
    const bare = message(N.notKakao, "alimtalk");
    const first = await sandboxAdapter.send(nativeAccount(), [...messages, bare]);
    const flaky = messages.find((m) => m.to === N.flaky)!;
    expect(first.find((o) => o.id === flaky.id)).toMatchObject({
      outcome: "retry",
      error: { code: "VENDOR_UNAVAILABLE", rawCode: "server.unavailable" },
    });
    const second = await sandboxAdapter.send(nativeAccount(), [{ ...flaky, attempt: 2 }]);
    await sandbox.settled();

    const vendorIds = vendorIdsOf([...first, ...second]);
    const got = (to: string) => arrived(hook, messages.find((m) => m.to === to)!.id, vendorIds);
    expect(got(N.notKakao)).toEqual(["alimtalk:failed:NOT_KAKAO_USER", "sms:delivered<own"]);
    expect(got(N.unreachable)).toEqual([
      "alimtalk:failed:UNREACHABLE",
      "lms:failed:UNREACHABLE<own",
    ]);
    expect(got(N.flaky)).toEqual(["alimtalk:delivered"]);
    expect(got(N.silent)).toEqual(["alimtalk:sent"]);
    expect(got(N.chatty)).toEqual([
      "alimtalk:delivered",
      "alimtalk:sent",
      "alimtalk:delivered",
      "alimtalk:sent",
    ]);
    expect(got(N.other)).toEqual(["alimtalk:delivered"]);
    expect(arrived(hook, bare.id, vendorIds)).toEqual(["alimtalk:failed:NOT_KAKAO_USER"]);

    // The fallback has its own sandbox id, distinct from the Alimtalk message's.
    const fallback = hook.reports.find((r) => r.fallbackOf !== null && r.type === "sms")!;
    expect(fallback.vendorMessageId).toMatch(/^sbx_/);
    expect(fallback.vendorMessageId).not.toBe(fallback.fallbackOf);
    expect(hook.invalid).toBe(0);
  });
});

describe("deduplication by our message id", () => {
  it("answers a resent batch with the same sandbox ids and sends nothing twice", async () => {
    const { hook, sandbox } = await setup();
    const batch = [
      message(N.other, "sms"),
      message(N.notKakao, "alimtalk"),
      message(N.chatty, "lms"),
    ];
    const first = await sandboxAdapter.send(account(), batch);
    const again = await sandboxAdapter.send(
      account(),
      batch.map((m) => ({ ...m, attempt: 2 })),
    );
    expect(again).toEqual(first);
    expect(summary(first)).toEqual(["accepted", "accepted", "accepted"]);
    for (const m of batch) {
      expect(await sandbox.received(m.id)).toBe(1);
      expect(await sandbox.seen(m.id)).toBe(2);
    }
    await sandbox.settled();
    // 1 + 1 + 4 (0005 reports twice over): the second request added nothing.
    expect(hook.reports).toHaveLength(6);
    expect(sandbox.stats()).toMatchObject({ requests: 2, messages: 6, accepted: 3, duplicates: 3 });
  });

  it("after a lost answer, resending gets the message's first id and it is still sent once", async () => {
    const { hook, sandbox } = await setup();
    const batch = [message(N.other, "sms"), message(N.other, "alimtalk")];
    sandbox.failNext(1, "lost-response");
    const lost = await sandboxAdapter.send(
      account(sandboxUrl, { settings: { timeoutMs: 300 } }),
      batch,
    );
    expect(summary(lost)).toEqual(["retry:TIMEOUT", "retry:TIMEOUT"]);
    // The sandbox did take them: the answer was lost, not the messages.
    expect(await Promise.all(batch.map((m) => sandbox.received(m.id)))).toEqual([1, 1]);

    const resent = await sandboxAdapter.send(account(), batch);
    expect(summary(resent)).toEqual(["accepted", "accepted"]);
    await sandbox.settled();
    const vendorIds = vendorIdsOf(resent);
    expect(hook.reports.map((r) => [r.messageId, r.vendorMessageId, r.status])).toEqual(
      batch.map((m) => [m.id, vendorIds.get(m.id), "delivered"]),
    );
    expect(await Promise.all(batch.map((m) => sandbox.seen(m.id)))).toEqual([2, 2]);
  });

  it("a duplicate inside one batch gets the first one's id", async () => {
    const { sandbox } = await setup();
    const m = message(N.other, "sms");
    const outcomes = await sandboxAdapter.send(account(), [m, m]);
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(await sandbox.received(m.id)).toBe(1);
    expect(await sandbox.seen(m.id)).toBe(2);
  });
});

describe("report delivery", () => {
  it("sends reports in batches of at most 1,000 per POST", async () => {
    const { hook, sandbox } = await setup({ delayMs: 50 });
    const messages = Array.from({ length: 2500 }, (_, i) =>
      message(`+8210${String(20_000_000 + i)}`, i % 2 ? "sms" : "alimtalk"),
    );
    for (let i = 0; i < messages.length; i += sandboxAdapter.batchSize) {
      const outcomes = await sandboxAdapter.send(account(), messages.slice(i, i + 1000));
      expect(outcomes.every((o) => o.outcome === "accepted")).toBe(true);
    }
    await sandbox.settled();
    expect(hook.posts.length).toBeGreaterThanOrEqual(3);
    for (const post of hook.posts) {
      expect(post.status).toBe(200);
      expect(post.size).toBeGreaterThan(0);
      expect(post.size).toBeLessThanOrEqual(1000);
    }
    expect(hook.reports).toHaveLength(2500);
    expect(new Set(hook.reports.map((r) => r.messageId)).size).toBe(2500);
    expect(hook.reports.every((r) => r.status === "delivered")).toBe(true);
    expect(hook.invalid).toBe(0);
  });

  it("retries a webhook that answers 500 until it takes the batch, delivering each report once", async () => {
    const { hook, sandbox } = await setup({ delayMs: 0 });
    hook.script.push(500, 500);
    const messages = [
      message(N.other, "sms"),
      message(N.notKakao, "alimtalk"),
      message(N.silent, "lms"),
    ];
    await sandboxAdapter.send(account(), messages);
    await sandbox.settled();
    expect(hook.posts.map((p) => p.status)).toEqual([500, 500, 200]);
    // The same batch each time, unchanged (re-signed with a fresh timestamp).
    expect(new Set(hook.posts.map((p) => p.batchId)).size).toBe(1);
    expect(new Set(hook.posts.map((p) => p.body)).size).toBe(1);
    expect(hook.reports.map((r) => r.messageId)).toEqual(messages.map((m) => m.id));
    expect(sandbox.stats().reports).toMatchObject({
      scheduled: 3,
      delivered: 3,
      pending: 0,
      posts: 3,
      failedPosts: 2,
    });
  });

  it("retries after network errors too", async () => {
    const hook = await startWebhook();
    webhookUrl = hook.url;
    let calls = 0;
    const flakyFetch: typeof fetch = (input, init) => {
      calls++;
      return calls <= 2 ? Promise.reject(new TypeError("fetch failed")) : fetch(input, init);
    };
    const server = await startSandboxServer({
      delayMs: 0,
      fetch: flakyFetch,
      webhookRetry: { baseMs: 10, maxMs: 50 },
      accounts: fixedSandboxAccounts([customer(hook.url)]),
    });
    cleanups.push(server.close);
    sandboxUrl = server.url;
    const m = message(N.other, "sms");
    await sandboxAdapter.send(account(), [m]);
    await server.sandbox.settled();
    expect(calls).toBe(3);
    expect(hook.reports.map((r) => r.messageId)).toEqual([m.id]);
  });

  it("keeps reports of different accounts apart, each at its own webhook", async () => {
    const other = await startWebhook();
    const { hook, sandbox } = await setup({
      delayMs: 0,
      others: [{ ...customer(other.url), id: "vac_other", apiKey: "sk_test_2" }],
    });
    const m1 = message(N.other, "sms");
    const m2 = message(N.other, "sms");
    await sandboxAdapter.send(account(), [m1]);
    await sandboxAdapter.send(account(sandboxUrl, { apiKey: "sk_test_2" }), [m2]);
    await sandbox.settled();
    expect(hook.reports.map((r) => r.messageId)).toEqual([m1.id]);
    expect(other.reports.map((r) => r.messageId)).toEqual([m2.id]);
  });

  it("hands over the reports already due when closed, and drops those not due yet", async () => {
    const hook = await startWebhook();
    const checked = (to: string) => {
      const m = toWireMessage(message(to, "sms"), false);
      return { ok: true as const, message: m };
    };
    const accounts = fixedSandboxAccounts([customer(hook.url)]);
    const now = createSandbox({ delayMs: 0, logger: Fastify().log, accounts });
    const due = checked(N.other);
    await now.send("vac_test", { messages: [due] });
    // Closed before its timer could fire: the report goes out anyway.
    await now.close();
    expect(hook.reports.map((r) => r.messageId)).toEqual([due.message.customId]);
    expect(now.stats().reports).toMatchObject({ delivered: 1, pending: 0 });

    const later = createSandbox({ delayMs: 60_000, logger: Fastify().log, accounts });
    await later.send("vac_test", { messages: [checked(N.other)] });
    await later.close();
    expect(hook.reports).toHaveLength(1);
    expect(later.stats().reports).toMatchObject({ delivered: 0, pending: 1 });
  });

  it("gives a refused batch one more attempt when closed, then gives up", async () => {
    const { hook, sandbox, server } = await setup({
      delayMs: 0,
      webhookRetry: { baseMs: 60_000, maxMs: 60_000 },
    });
    hook.script.push(500, 500);
    await sandboxAdapter.send(account(), [message(N.other, "sms")]);
    await expect.poll(() => hook.posts.length).toBe(1);
    await server.close();
    expect(hook.posts.map((p) => p.status)).toEqual([500, 500]);
    expect(sandbox.stats().reports).toMatchObject({ delivered: 0, pending: 1 });
    // Closed: new requests are refused as an outage.
    expect(summary(await sandboxAdapter.send(account(), [message(N.other, "sms")]))).toEqual([
      "retry:VENDOR_UNAVAILABLE",
    ]);
  });

  it("signs with the account's secret: a webhook with another secret refuses every POST", async () => {
    const { hook, sandbox } = await setup({
      delayMs: 0,
      signingSecret: "not-ours",
      webhookRetry: { baseMs: 5, maxMs: 20, attempts: 4 },
    });
    await sandboxAdapter.send(account(), [message(N.other, "sms")]);
    await sandbox.settled();
    expect(hook.invalid).toBe(4);
    expect(hook.reports).toEqual([]);
    expect(sandbox.stats().reports).toMatchObject({ delivered: 0, gaveUp: 1, pending: 0 });
  });
});

describe("polling", () => {
  it("answers final results once known, with the native fallback, and nothing for 010-0000-0004", async () => {
    const { sandbox } = await setup({ delayMs: 0 });
    const messages = [
      message(N.silent, "sms"),
      message(N.notKakao, "alimtalk", { fallback: "lms" }),
      message(N.unreachable, "sms"),
      message(N.other, "mms"),
    ];
    const outcomes = await sandboxAdapter.send(nativeAccount(), messages);
    await sandbox.settled();
    const ids = vendorIdsOf(outcomes);
    const asked = messages.map((m) => ({ id: m.id, vendorMessageId: ids.get(m.id)! }));
    const { reports } = await sandboxAdapter.poll(nativeAccount(), asked);
    const alimtalkId = ids.get(messages[1]!.id);
    expect(
      reports.map((r) => [r.messageId, r.type, r.status, r.error?.code ?? null, r.fallbackOf]),
    ).toEqual([
      [messages[1]!.id, "alimtalk", "failed", "NOT_KAKAO_USER", null],
      [messages[1]!.id, "lms", "delivered", null, alimtalkId],
      [messages[2]!.id, "sms", "failed", "UNREACHABLE", null],
      [messages[3]!.id, "mms", "delivered", null, null],
    ]);
  });

  it("says PENDING for 010-0000-0004 and lists ids it never issued as unknown", async () => {
    const { sandbox } = await setup({ delayMs: 0 });
    const m = message(N.silent, "sms");
    const [outcome] = await sandboxAdapter.send(account(), [m]);
    await sandbox.settled();
    const vendorId = (outcome as { vendorMessageId: string }).vendorMessageId;
    const response = await fetch(`${sandboxUrl}/sandbox/v1/messages/status`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ messageIds: [vendorId, "sbx_nope"] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      results: [
        {
          messageId: vendorId,
          customId: m.id,
          type: "sms",
          status: "PENDING",
          errorCode: null,
          errorMessage: null,
          fallbackOf: null,
          occurredAt: null,
          fallback: null,
        },
      ],
      unknown: ["sbx_nope"],
    });
  });

  it("knows no result before it is due", async () => {
    const { sandbox } = await setup({ delayMs: 60_000 });
    const m = message(N.other, "sms");
    const outcomes = await sandboxAdapter.send(account(), [m]);
    const vendorMessageId = vendorIdsOf(outcomes).get(m.id)!;
    expect(await sandboxAdapter.poll(account(), [{ id: m.id, vendorMessageId }])).toEqual({
      reports: [],
    });
    expect(sandbox.stats().reports.pending).toBe(1);
  });

  it("throws a retryable error when the sandbox cannot be asked", async () => {
    const { sandbox } = await setup();
    sandbox.failNext(1, "5xx");
    const poll = sandboxAdapter.poll(account(), [{ id: "msg_x", vendorMessageId: "sbx_x" }]);
    await expect(poll).rejects.toBeInstanceOf(AppError);
    await expect(
      sandboxAdapter.poll(account(await closedPortUrl()), [
        { id: "msg_x", vendorMessageId: "sbx_x" },
      ]),
    ).rejects.toMatchObject({ code: "UNAVAILABLE", retryable: true });
  });
});

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe("the adapter when the sandbox misbehaves", () => {
  it("maps a server that is down to retry for each message", async () => {
    await setup();
    const messages = [message(N.other, "sms"), message(N.other, "alimtalk")];
    const outcomes = await sandboxAdapter.send(account(await closedPortUrl()), messages);
    expect(outcomes).toEqual(
      messages.map((m) => ({
        id: m.id,
        outcome: "retry",
        error: expect.objectContaining({ code: "VENDOR_UNAVAILABLE", rawCode: "ECONNREFUSED" }),
      })),
    );
  });

  it("maps 401 to rejected AUTH_FAILED for each message, and nothing is sent", async () => {
    const { sandbox } = await setup();
    const messages = [message(N.other, "sms"), message(N.other, "lms")];
    const outcomes = await sandboxAdapter.send(
      account(sandboxUrl, { apiKey: "invalid" }),
      messages,
    );
    expect(outcomes).toEqual(
      messages.map((m) => ({
        id: m.id,
        outcome: "rejected",
        error: {
          code: "AUTH_FAILED",
          rawCode: "auth.invalid_key",
          message: "The API key is invalid.",
        },
      })),
    );
    expect(await sandbox.seen(messages[0]!.id)).toBe(0);
  });

  it("maps an injected 5xx and an injected timeout to retry, without recording anything", async () => {
    const { sandbox } = await setup();
    const m = message(N.flaky, "sms");
    sandbox.failNext(1, "5xx");
    sandbox.failNext(1, "timeout");
    const quick = account(sandboxUrl, { settings: { timeoutMs: 200 } });
    expect(summary(await sandboxAdapter.send(quick, [m]))).toEqual(["retry:VENDOR_UNAVAILABLE"]);
    expect(summary(await sandboxAdapter.send(quick, [m]))).toEqual(["retry:TIMEOUT"]);
    expect(await sandbox.seen(m.id)).toBe(0);
    // The outage is over: 010-0000-0003 now refuses its first real sight, then accepts.
    expect(summary(await sandboxAdapter.send(quick, [m]))).toEqual(["retry:VENDOR_UNAVAILABLE"]);
    expect(summary(await sandboxAdapter.send(quick, [m]))).toEqual(["accepted"]);
    expect(sandbox.stats()).toMatchObject({ requests: 2, refused: 1, accepted: 1 });
  });

  it("rejects malformed messages one by one and keeps the others", async () => {
    await setup();
    const noTemplate = { ...message(N.other, "alimtalk"), alimtalk: null };
    const badNumber = message("01012345678", "sms");
    const good = message(N.other, "sms");
    const outcomes = await sandboxAdapter.send(account(), [noTemplate, badNumber, good]);
    expect(summary(outcomes)).toEqual([
      "rejected:TEMPLATE_MISMATCH",
      "rejected:INVALID_NUMBER",
      "accepted",
    ]);
  });

  it("rejects a batch over 1,000 messages as a whole (our bug, not worth retrying)", async () => {
    await setup();
    const messages = Array.from({ length: 1001 }, () => message(N.other, "sms"));
    const outcomes = await sandboxAdapter.send(account(), messages);
    expect(new Set(summary(outcomes))).toEqual(new Set(["rejected:UNKNOWN"]));
    expect(outcomes[0]).toMatchObject({ error: { rawCode: "request.too_many_messages" } });
  });

  it("rejects every message of an account without a baseUrl", async () => {
    const outcomes = await sandboxAdapter.send({ ...account(), settings: {} }, [
      message(N.other, "sms"),
    ]);
    expect(summary(outcomes)).toEqual(["rejected:UNKNOWN"]);
  });

  it("checks credentials with the balance endpoint", async () => {
    await setup();
    expect(await sandboxAdapter.checkCredentials(account())).toEqual({
      ok: true,
      message: "connected to the sandbox (HTTP 200)",
    });
    expect(
      await sandboxAdapter.checkCredentials(account(sandboxUrl, { apiKey: "invalid" })),
    ).toEqual({
      ok: false,
      message: "the sandbox refused the credentials (HTTP 401)",
    });
    expect(
      await sandboxAdapter.checkCredentials(account(sandboxUrl, { apiKey: "" })),
    ).toMatchObject({
      ok: false,
    });
    const down = await sandboxAdapter.checkCredentials(account(await closedPortUrl()));
    expect(down.ok).toBe(false);
    expect(down.message).toContain("cannot reach the sandbox");
  });
});

describe("mounted on another Fastify app (embedded mode)", () => {
  it("answers in the sandbox's own error format even under the host's error handler", async () => {
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    app.setErrorHandler((_err, _request, reply) => reply.status(418).send({ error: "host" }));
    const sandbox = createSandbox({
      delayMs: 0,
      logger: app.log,
      accounts: fixedSandboxAccounts([{ ...customer("http://127.0.0.1:1/hook"), apiKey: "k" }]),
    });
    registerSandboxRoutes(app, sandbox);
    cleanups.push(async () => {
      await sandbox.close();
      await app.close();
    });
    const malformed = await app.inject({
      method: "POST",
      url: "/sandbox/v1/messages",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ errorCode: "request.invalid" });
    const balance = await app.inject({
      method: "GET",
      url: "/sandbox/v1/balance",
      headers: { authorization: "Bearer k" },
    });
    expect(balance.json()).toEqual({ balance: 1_000_000, currency: "KRW" });
    const anonymous = await app.inject({ method: "GET", url: "/sandbox/v1/balance" });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("volume", () => {
  it("takes 100,000 messages and reports every one exactly once", async () => {
    const { hook, sandbox } = await setup({ delayMs: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const batch = Array.from({ length: 1000 }, (_, j) => {
        const m = message(`+8210${String(30_000_000 + i * 1000 + j)}`, "sms");
        ids.push(m.id);
        return m;
      });
      const outcomes = await sandboxAdapter.send(account(), batch);
      expect(outcomes.filter((o) => o.outcome === "accepted")).toHaveLength(1000);
    }
    await sandbox.settled();
    expect(hook.reports).toHaveLength(100_000);
    expect(new Set(hook.reports.map((r) => r.messageId))).toEqual(new Set(ids));
    expect(hook.posts.every((p) => p.status === 200 && p.size <= 1000)).toBe(true);
  }, 60_000);
});
