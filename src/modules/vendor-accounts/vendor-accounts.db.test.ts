// Vendor accounts and routing through the API: tested credentials, masking,
// optimistic locking, inheritance, the audit trail, and secrets that never
// leave: not in responses, not in logs, not in the audit, not in clear at rest.
// The sandbox issues its accounts' keys; SOLAPI (a fake) is the vendor whose
// connection test refuses what it does not know.
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createSendingOrg, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startPipeline, waitForCompletion } from "../../../test/pipeline.ts";
import { FAKE_API_KEY, startFakeServer } from "../../../test/support/vendors/solapi/fake-server.ts";
import { createOrg } from "../orgs/service.ts";

describe(`vendor accounts and routing on ${engine}`, async () => {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const pipeline = await startPipeline({ logger: pino({ level: "trace" }, sink) });
  const { app, db } = pipeline;
  const shop = await createSendingOrg(db, { credits: 1000, name: "Shop" });
  const other = await createSendingOrg(db, { credits: 1000, name: "Other" });
  const operator = await platformKey(db);
  const solapi = await startFakeServer();
  afterAll(() => solapi.close());
  /** A SOLAPI account that the fake refuses: the secret is not the one it knows. */
  const refusedSolapi = {
    vendor: "solapi",
    name: "Broken",
    credentials: { apiKey: FAKE_API_KEY, apiSecret: "not-the-secret-0123456789" },
    settings: { baseUrl: solapi.url },
  };
  const responses: string[] = [];
  const call = async (
    method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
    url: string,
    auth: { authorization: string },
    payload?: object,
  ) => {
    const res = await app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    responses.push(res.body);
    return res;
  };

  let accountId = "";
  let issuedKey = "";

  it("saves an account only after its credentials pass the connection test", async () => {
    const refused = await call("POST", "/v1/vendor-accounts", shop.auth, refusedSolapi);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([
      expect.objectContaining({ path: "/credentials", code: "CREDENTIALS_REJECTED" }),
    ]);
    const forcedByCustomer = await call("POST", "/v1/vendor-accounts", shop.auth, {
      ...refusedSolapi,
      force: true,
    });
    expect(forcedByCustomer.statusCode).toBe(403);
    expect((await call("GET", "/v1/vendor-accounts", shop.auth)).json().data).toEqual([]);

    // The sandbox issues the key, and tests the account once it is saved.
    const created = await call("POST", "/v1/vendor-accounts", shop.auth, {
      vendor: "sandbox",
      name: "Our sandbox",
      settings: { nativeFallback: false },
    });
    expect(created.statusCode).toBe(201);
    const account = created.json();
    accountId = account.id;
    const stored = await db.query<{ c: string }>(
      "select credentials_enc as c from vendor_accounts where id = $1",
      [accountId],
    );
    issuedKey = (JSON.parse(pipeline.box.open(stored.rows[0]!.c)) as { apiKey: string }).apiKey;
    expect(account).toEqual({
      id: expect.stringMatching(/^vac_/),
      vendor: "sandbox",
      name: "Our sandbox",
      settings: { nativeFallback: false },
      credentials: { apiKey: expect.stringMatching(/^••••[\w-]{4}$/) },
      version: 1,
      status: "active",
      lastTestedAt: expect.any(String),
      webhookUrl: `${pipeline.url}/webhooks/vendors/${account.id}`,
      webhookSignature: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it("lets the platform operator force a save, and the audit says it was forced", async () => {
    const forced = await call("POST", "/v1/vendor-accounts", operator.auth, {
      ...refusedSolapi,
      name: "Forced",
      force: true,
    });
    expect(forced.statusCode).toBe(201);
    const audit = await call("GET", `/v1/audit?targetId=${forced.json().id}`, operator.auth);
    expect(audit.json().data).toEqual([
      expect.objectContaining({
        action: "vendor_account.created",
        details: expect.objectContaining({ connectionTest: "failed", forced: true }),
      }),
    ]);
  });

  it("issues a sandbox account's key itself: credentials named at creation or in a change are refused", async () => {
    const named = await call("POST", "/v1/vendor-accounts", shop.auth, {
      vendor: "sandbox",
      name: "Named key",
      credentials: { apiKey: "chosen-by-the-customer" },
    });
    expect(named.statusCode).toBe(400);
    expect(named.json().error.details).toEqual([
      expect.objectContaining({ path: "/credentials", code: "ISSUED_BY_VENDOR" }),
    ]);
    const patched = await call("PATCH", `/v1/vendor-accounts/${accountId}`, shop.auth, {
      version: 1,
      credentials: { apiKey: "chosen-by-the-customer" },
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.details).toEqual([
      expect.objectContaining({ path: "/credentials", code: "ISSUED_BY_VENDOR" }),
    ]);
    expect((await call("GET", "/v1/vendor-accounts", shop.auth)).json().data).toHaveLength(1);
  });

  it("hides one organization's accounts from another (404)", async () => {
    for (const [method, url] of [
      ["GET", `/v1/vendor-accounts/${accountId}`],
      ["POST", `/v1/vendor-accounts/${accountId}/test`],
      ["DELETE", `/v1/vendor-accounts/${accountId}`],
    ] as const) {
      expect((await call(method, url, other.auth)).statusCode).toBe(404);
    }
    const patch = await call("PATCH", `/v1/vendor-accounts/${accountId}`, other.auth, {
      version: 1,
      name: "x",
    });
    expect(patch.statusCode).toBe(404);
    const routing = await call("PUT", `/v1/orgs/${other.orgId}/routing`, other.auth, {
      sms: { primary: accountId },
    });
    expect(routing.statusCode).toBe(400);
    expect(routing.json().error.details).toEqual([
      expect.objectContaining({ path: "/sms/primary", code: "UNKNOWN_VENDOR_ACCOUNT" }),
    ]);
  });

  it("changes an account only at the version it was read (stale → 409)", async () => {
    const renamed = await call("PATCH", `/v1/vendor-accounts/${accountId}`, shop.auth, {
      version: 1,
      name: "Our sandbox (renamed)",
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ version: 2, name: "Our sandbox (renamed)" });
    const stale = await call("PATCH", `/v1/vendor-accounts/${accountId}`, shop.auth, {
      version: 1,
      name: "Lost update",
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe("CONFLICT");
    const tested = await call("POST", `/v1/vendor-accounts/${accountId}/test`, shop.auth);
    expect(tested.json()).toEqual({
      ok: true,
      message: expect.any(String),
      latencyMs: expect.any(Number),
    });
  });

  it("routes an organization and its subtree, showing where each part comes from", async () => {
    const branch = await createOrg(db, { name: "Branch", parentId: shop.orgId });
    const set = await call("PUT", `/v1/orgs/${shop.orgId}/routing`, shop.auth, {
      sms: { primary: accountId },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json().sms).toEqual({
      primary: { id: accountId, vendor: "sandbox", name: "Our sandbox (renamed)" },
      secondary: null,
      source: { kind: "own" },
    });
    expect(set.json().alimtalk.source).toEqual({ kind: "platform-default" });
    const inherited = await call("GET", `/v1/orgs/${branch.org.id}/routing`, shop.auth);
    expect(inherited.json().sms.source).toEqual({ kind: "inherited", fromOrgId: shop.orgId });
    expect((await call("GET", `/v1/orgs/${shop.orgId}/routing`, other.auth)).statusCode).toBe(404);

    // The next SMS goes through the organization's own account, and says so.
    const sent = await call("POST", "/v1/messages", shop.auth, {
      type: "sms",
      text: "라우팅 확인",
      recipients: [{ to: "010-5555-0001" }],
    });
    await waitForCompletion(db, sent.json().campaignId);
    const list = await call("GET", `/v1/campaigns/${sent.json().campaignId}/messages`, shop.auth);
    expect(list.json().data[0]).toMatchObject({
      status: "delivered",
      vendor: "sandbox",
      vendorAccountId: accountId,
      route: "primary",
    });

    const busy = await call("DELETE", `/v1/vendor-accounts/${accountId}`, shop.auth);
    expect(busy.statusCode).toBe(409);
    expect(
      (await call("PUT", `/v1/orgs/${shop.orgId}/routing`, shop.auth, {})).json().sms.source,
    ).toEqual({
      kind: "platform-default",
    });
    expect((await call("DELETE", `/v1/vendor-accounts/${accountId}`, shop.auth)).statusCode).toBe(
      204,
    );
  });

  it("keeps an audit trail of every change, without secret values", async () => {
    const audit = (await call("GET", `/v1/audit?targetId=${accountId}`, shop.auth)).json().data;
    expect(audit.map((e: { action: string }) => e.action)).toEqual([
      "vendor_account.deleted",
      "vendor_account.tested",
      "vendor_account.updated",
      "vendor_account.tested",
      "vendor_account.created",
    ]);
    const routing = (await call("GET", `/v1/audit?targetId=${shop.orgId}`, shop.auth)).json().data;
    expect(routing.map((e: { action: string }) => e.action)).toEqual([
      "routing.updated",
      "routing.updated",
    ]);
    // The other organization sees none of it.
    expect((await call("GET", `/v1/audit?targetId=${accountId}`, other.auth)).json().data).toEqual(
      [],
    );
  });

  it("never lets the credentials out: responses, logs, audit rows, storage", async () => {
    // The sandbox account's issued key, which the adapter sent on every call to the sandbox.
    const SECRET = issuedKey;
    expect(SECRET).toMatch(/^sbk_vac_/);
    expect(logs.length).toBeGreaterThan(10);
    expect(logs.filter((line) => line.includes(SECRET))).toEqual([]);
    expect(responses.filter((body) => body.includes(SECRET))).toEqual([]);
    const audit = await db.query<{ details: unknown }>("select details from audit_entries");
    expect(JSON.stringify(audit.rows)).not.toContain(SECRET);
    const stored = await db.query<{ c: string }>(
      "select credentials_enc as c from vendor_accounts",
    );
    expect(stored.rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored.rows)).not.toContain(SECRET);
  });
});
