// Vendor URL overrides through the API and the dispatcher: a URL that is not
// https to a public address is refused when the account is saved, unless the
// operator allows its host, and refused again at every connection, whatever
// was saved; redirects are not followed; a connection test never repeats
// what the remote server said. Every server here is on 127.0.0.1 and the
// names the tests use resolve through the test's own resolver.
// Sandbox accounts get credentials issued by Alimi and are saved before their
// connection test runs: a failed test shows in POST /test, not as a refusal.
// Their settings are checked before anything is saved, like every vendor's.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { Resolver } from "../src/lib/egress.ts";
import { createSecretBox } from "../src/lib/secret-box.ts";
import { replaceRouting } from "../src/modules/routing/queries.ts";
import { insertVendorAccount } from "../src/modules/vendor-accounts/queries.ts";
import { issueSandboxCredentials } from "../src/modules/vendor-accounts/sandbox.ts";
import { createSendingOrg, createTestApp } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";
import { allowedHosts } from "./support/vendor-calls.ts";

/** A server on 127.0.0.1 that records each request and answers as `handle` says. */
async function startFake(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://127.0.0.1:${port}`, received };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

/** The sandbox's balance answer: enough for a sandbox account's connection test. */
const balance = (_req: IncomingMessage, res: ServerResponse) =>
  json(res, 200, { balance: 1000, currency: "KRW" });

/** The test's names, each to loopback: what a hostile DNS answer would do. */
const resolver: Resolver & { asked: string[] } = Object.assign(
  async (hostname: string) => {
    resolver.asked.push(hostname);
    return hostname === "localhost" || hostname.endsWith(".internal.test")
      ? [{ address: "127.0.0.1", family: 4 }]
      : [];
  },
  { asked: [] as string[] },
);

describe(`vendor URLs on a server that allows no host, on ${engine}`, async () => {
  const { app, db } = await createTestApp({
    vendorCalls: { allowedHosts: [], maxTimeoutMs: 10_000, resolve: resolver },
  });
  const shop = await createSendingOrg(db, { credits: 1000 });
  const fake = await startFake(balance);

  // The sandbox issues its own: a sandbox account names none.
  const credentials = {
    sandbox: undefined,
    solapi: { apiKey: "NCSKEY", apiSecret: "secret" },
    nhn: { smsAppKey: "app", smsSecretKey: "secret" },
    aligo: { apiKey: "key", userId: "user" },
  };

  it.each([
    ["sandbox", "baseUrl", `http://127.0.0.1:${fake.port}`, /uses http/],
    ["solapi", "baseUrl", "http://169.254.169.254/", /uses http/],
    ["solapi", "baseUrl", "https://169.254.169.254/latest/meta-data/", /a link-local address/],
    ["nhn", "smsBaseUrl", "https://10.0.0.1/", /a private address/],
    ["nhn", "alimtalkBaseUrl", "https://[::ffff:192.168.0.1]/", /a private address/],
    ["aligo", "kakaoBaseUrl", "file:///etc/passwd", /uses file:/],
    ["aligo", "smsBaseUrl", `https://localhost:${fake.port}/`, /resolves to a loopback address/],
    [
      "sandbox",
      "baseUrl",
      `https://vendor.internal.test:${fake.port}`,
      /resolves to a loopback address/,
    ],
  ] as const)("refuses %s settings.%s = %s", async (vendor, setting, url, reason) => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
      payload: {
        vendor,
        name: "override",
        credentials: credentials[vendor],
        settings: { [setting]: url },
      },
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details).toEqual([
      { path: `/settings/${setting}`, code: "URL_NOT_ALLOWED", message: expect.any(String) },
    ]);
    expect(error.details[0].message).toMatch(reason);
    expect(error.message).toContain(`settings.${setting}`);
    expect(error.message).toContain("ALIMI_VENDOR_ALLOWED_HOSTS");
  });

  it("saved nothing and called nothing", async () => {
    const list = await app.inject({
      method: "GET",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
    });
    expect(list.json().data).toEqual([]);
    expect(fake.received).toEqual([]);
  });
});

describe(`the built-in sandbox on a server that allows no host, on ${engine}`, async () => {
  // As `npm start` runs: the sandbox is this server, at its own loopback address.
  const pipeline = await startPipeline({
    delayMs: 10,
    vendorCalls: { allowedHosts: [], maxTimeoutMs: 10_000 },
  });
  const { app, db } = pipeline;

  it("is called at the server's own URL, which no tenant wrote, and delivers", async () => {
    const shop = await createSendingOrg(db, { credits: 1000 });
    const own = await app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
      payload: { vendor: "sandbox", name: "Own sandbox" },
    });
    expect(own.statusCode).toBe(201);
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: { type: "sms", text: "안내", recipients: [{ to: "010-7400-0001" }] },
    });
    expect(res.statusCode).toBe(202);
    await waitForCompletion(db, res.json().campaignId);
    const status = await db.query<{ status: string }>(
      "select status from messages where campaign_id = $1",
      [res.json().campaignId],
    );
    expect(status.rows).toEqual([{ status: "delivered" }]);
  });

  it("but the same URL written by a tenant is refused like any other", async () => {
    const shop = await createSendingOrg(db, { credits: 1000, name: "Writer" });
    const res = await app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
      payload: {
        vendor: "sandbox",
        name: "Written",
        settings: { baseUrl: pipeline.url },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toMatchObject([
      { path: "/settings/baseUrl", code: "URL_NOT_ALLOWED" },
    ]);
  });
});

describe(`vendor URLs on a server that allows 127.0.0.1, on ${engine}`, async () => {
  const secretKey = randomBytes(32);
  const box = createSecretBox(secretKey);
  const pipeline = await startPipeline({
    secretKey,
    delayMs: 10,
    vendorCalls: {
      allowedHosts: allowedHosts("127.0.0.1"),
      maxTimeoutMs: 10_000,
      resolve: resolver,
    },
  });
  const { app, db } = pipeline;
  const shop = await createSendingOrg(db, { credits: 1000 });
  /** A sandbox account unless another vendor (with its credentials) is named. */
  const create = (settings: Record<string, unknown>, vendor = "sandbox", credentials?: object) =>
    app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
      payload: { vendor, name: "override", ...(credentials ? { credentials } : {}), settings },
    });
  /** A saved account's connection test, run again. */
  const retest = (id: string) =>
    app.inject({ method: "POST", url: `/v1/vendor-accounts/${id}/test`, headers: shop.auth });

  it("saves an override whose host is allowed, over http", async () => {
    const fake = await startFake(balance);
    const res = await create({ baseUrl: fake.url });
    expect(res.statusCode).toBe(201);
    // Tested right after saving, at the allowed override.
    expect(res.json().lastTestedAt).not.toBeNull();
    expect(fake.received).toEqual(["GET /sandbox/v1/balance"]);
  });

  it("refuses a timeout over the operator's maximum at save, on create and on change", async () => {
    const refused = await create({ timeoutMs: 60_000 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [
        {
          path: "/settings/timeoutMs",
          code: "TIMEOUT_TOO_LONG",
          message:
            "settings.timeoutMs may be at most 10000 ms on this server (ALIMI_VENDOR_TIMEOUT_MAX), not 60000",
        },
      ],
    });
    const saved = await create({ timeoutMs: 10_000 });
    expect(saved.statusCode).toBe(201);
    const { id, version } = saved.json();
    const changed = await app.inject({
      method: "PATCH",
      url: `/v1/vendor-accounts/${id}`,
      headers: shop.auth,
      payload: { version, settings: { timeoutMs: 4_294_967_295 } },
    });
    expect(changed.statusCode).toBe(400);
    expect(changed.json().error.details[0].path).toBe("/settings/timeoutMs");
    const read = await app.inject({
      method: "GET",
      url: `/v1/vendor-accounts/${id}`,
      headers: shop.auth,
    });
    expect(read.json()).toMatchObject({ version, settings: { timeoutMs: 10_000 } });
  });

  it("refuses a change to a host that is not allowed", async () => {
    const saved = await create({});
    const { id, version } = saved.json();
    const changed = await app.inject({
      method: "PATCH",
      url: `/v1/vendor-accounts/${id}`,
      headers: shop.auth,
      payload: { version, settings: { baseUrl: "https://metadata.internal.test/" } },
    });
    expect(changed.statusCode).toBe(400);
    expect(changed.json().error.details).toMatchObject([
      { path: "/settings/baseUrl", code: "URL_NOT_ALLOWED" },
    ]);
  });

  it("does not follow a redirect from an allowed host to one that is not, at save", async () => {
    const internal = await startFake(balance);
    const redirecting = await startFake((req, res) =>
      res.writeHead(302, { location: `http://localhost:${internal.port}${req.url}` }).end(),
    );
    const res = await create({ baseUrl: redirecting.url }, "solapi", {
      apiKey: "k",
      apiSecret: "s",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      {
        path: "/credentials",
        code: "CREDENTIALS_REJECTED",
        message:
          "SOLAPI answered with a redirect (HTTP 302), which is not followed: check the account's URL settings",
      },
    ]);
    expect(redirecting.received).toEqual(["GET /cash/v1/balance"]);
    expect(internal.received).toEqual([]);
  });

  it("does not follow a redirect in a sandbox account's connection test", async () => {
    const internal = await startFake(balance);
    const redirecting = await startFake((req, res) =>
      res.writeHead(302, { location: `http://localhost:${internal.port}${req.url}` }).end(),
    );
    const saved = await create({ baseUrl: redirecting.url });
    // Saved first, tested right after: the failed test leaves it untested.
    expect(saved.statusCode).toBe(201);
    expect(saved.json().lastTestedAt).toBeNull();
    const test = await retest(saved.json().id);
    expect(test.json()).toMatchObject({
      ok: false,
      message:
        "the sandbox answered with a redirect (HTTP 302), which is not followed: check the account's URL settings",
    });
    expect(redirecting.received).toEqual(["GET /sandbox/v1/balance", "GET /sandbox/v1/balance"]);
    expect(internal.received).toEqual([]);
  });

  describe("connection tests say what happened in their own words", async () => {
    const LEAK = "LEAK-7f3a9c";
    let mode: "ok" | 401 | 500 | 200 = 401;
    // Whatever a remote server might say back, in every field a vendor's error could have.
    const talkative = await startFake((_req, res) => {
      if (mode === "ok") return balance(_req, res);
      json(res, mode, {
        errorCode: LEAK,
        errorMessage: LEAK,
        message: LEAK,
        code: -101,
        result_code: -101,
        header: { isSuccessful: false, resultCode: -1000, resultMessage: LEAK },
        balance: LEAK,
        currency: LEAK,
      });
    });
    const accounts = {
      sandbox: { settings: { baseUrl: talkative.url }, credentials: undefined },
      solapi: {
        settings: { baseUrl: talkative.url },
        credentials: { apiKey: "k", apiSecret: "s" },
      },
      nhn: {
        settings: { smsBaseUrl: talkative.url },
        credentials: { smsAppKey: "a", smsSecretKey: "s" },
      },
      aligo: {
        settings: { smsBaseUrl: talkative.url, kakaoBaseUrl: talkative.url },
        credentials: { apiKey: "k", userId: "u" },
      },
    } as const;

    it.each([401, 500])("on HTTP %s, for every vendor", async (status) => {
      mode = status as 401 | 500;
      for (const [vendor, a] of Object.entries(accounts)) {
        const res = await create(a.settings, vendor, a.credentials);
        expect(res.body, vendor).not.toContain(LEAK);
        if (vendor === "sandbox") {
          // Saved first; its test, run again, says what happened.
          expect(res.statusCode, vendor).toBe(201);
          expect(res.json().lastTestedAt, vendor).toBeNull();
          const test = await retest(res.json().id);
          expect(test.json().ok, vendor).toBe(false);
          expect(test.body, vendor).not.toContain(LEAK);
          expect(test.json().message, vendor).toMatch(/\(HTTP \d{3}\)$/);
          continue;
        }
        expect(res.statusCode, vendor).toBe(400);
        expect(res.json().error.details[0].message, vendor).toMatch(/\(HTTP \d{3}\)$/);
      }
    });

    it("on HTTP 200 with an answer that is not the vendor's, for every vendor", async () => {
      mode = 200;
      for (const [vendor, a] of Object.entries(accounts)) {
        const res = await create(a.settings, vendor, a.credentials);
        // The sandbox takes any JSON object for its balance answer: saved, in its own words.
        expect(res.statusCode, vendor).toBe(vendor === "sandbox" ? 201 : 400);
        expect(res.body, vendor).not.toContain(LEAK);
      }
    });

    it("when run again on a saved account", async () => {
      mode = "ok";
      const saved = await create(accounts.sandbox.settings);
      expect(saved.statusCode).toBe(201);
      mode = 500;
      const test = await retest(saved.json().id);
      expect(test.json()).toMatchObject({
        ok: false,
        message: "the sandbox is unavailable (HTTP 500)",
      });
      expect(test.body).not.toContain(LEAK);
    });
  });

  it("refuses at send time a saved URL whose name resolves to a loopback address", async () => {
    const target = await startFake(balance);
    const org = await createSendingOrg(db, { credits: 1000, name: "Rebound" });
    // Saved behind the API's back (or when the name still pointed elsewhere).
    const id = `vac_${randomBytes(6).toString("hex")}`;
    const account = await insertVendorAccount(db, {
      id,
      orgId: org.orgId,
      vendor: "sandbox",
      name: "rebound",
      settings: { baseUrl: `https://vendor.internal.test:${target.port}` },
      credentialsEnc: box.seal(JSON.stringify(issueSandboxCredentials(id))),
      webhookSecretEnc: box.seal("secret"),
    });
    await replaceRouting(db, org.orgId, [
      { channel: "sms", primaryAccountId: account.id, secondaryAccountId: null },
    ]);
    resolver.asked.length = 0;
    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: org.auth,
      payload: { type: "sms", text: "안내", recipients: [{ to: "010-7300-0001" }] },
    });
    expect(sent.statusCode).toBe(202);
    const deadline = Date.now() + 10_000;
    let row: { status: string; error: string | null; detail: string | null } | undefined;
    for (;;) {
      row = (
        await db.query<{ status: string; error: string | null; detail: string | null }>(
          `select status, error_code as error, error_message as detail
           from messages where campaign_id = $1`,
          [sent.json().campaignId],
        )
      ).rows[0];
      if (row && row.status !== "queued" && row.status !== "sending") break;
      if (row?.error) break;
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(row).toMatchObject({
      status: "queued",
      error: "VENDOR_UNAVAILABLE",
      detail:
        "the sandbox was not called: vendor.internal.test resolves to a loopback address, which may not be called unless its host is allowed (the operator may add the host to ALIMI_VENDOR_ALLOWED_HOSTS)",
    });
    // Resolved for the connection itself; the server behind the name heard nothing.
    expect(resolver.asked).toContain("vendor.internal.test");
    expect(target.received).toEqual([]);
  });
});
