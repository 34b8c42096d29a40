// Creating a vendor account: the NHN webhook signature the customer must
// paste into NHN's console is shown in full once, in the creation answer
// (generated when they chose none), and masked on every later read; the
// creation honours Idempotency-Key, and a replay shows the same answer while
// the database keeps it only sealed.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import {
  FAKE_ALIMTALK,
  FAKE_SMS,
  startFakeServer,
} from "../../../test/support/vendors/nhn/fake-server.ts";

describe(`creating an NHN account on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 10 });
  const nhn = await startFakeServer({});
  const credentials = {
    smsAppKey: FAKE_SMS.appKey,
    smsSecretKey: FAKE_SMS.secretKey,
    alimtalkAppKey: FAKE_ALIMTALK.appKey,
    alimtalkSecretKey: FAKE_ALIMTALK.secretKey,
  };
  const create = (payload: object, key?: string) =>
    app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: { ...shop.auth, ...(key ? { "idempotency-key": key } : {}) },
      payload,
    });
  const body = (extra: Record<string, string> = {}) => ({
    vendor: "nhn",
    name: "NHN",
    credentials: { ...credentials, ...extra },
    settings: { smsBaseUrl: nhn.url, alimtalkBaseUrl: nhn.url, senderKey: "nhn-sender-key-01" },
  });
  const read = async (id: string) =>
    (
      await app.inject({ method: "GET", url: `/v1/vendor-accounts/${id}`, headers: shop.auth })
    ).json();

  it("without a signature of theirs, a generated one is shown once, then masked", async () => {
    const created = await create(body());
    expect(created.statusCode).toBe(201);
    const signature = created.json().webhookSignature as string;
    expect(signature).toMatch(/^[\w-]{32}$/);

    // It is the one NHN's hooks must carry.
    const hook = await fetchHook(app, created.json().id, signature);
    expect(hook).toBe(200);
    expect(await fetchHook(app, created.json().id, "something-else")).toBe(401);

    const later = await read(created.json().id);
    expect(later.webhookSignature).toBe(`••••${signature.slice(-4)}`);
    const list = await app.inject({
      method: "GET",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
    });
    expect(list.body).not.toContain(signature);
  });

  it("with their own webhookSignatureKey, that one is shown once", async () => {
    const created = await create(body({ webhookSignatureKey: "their-own-signature-123" }));
    expect(created.statusCode).toBe(201);
    expect(created.json().webhookSignature).toBe("their-own-signature-123");
    expect((await read(created.json().id)).webhookSignature).toBe("••••-123");
  });

  it("other vendors have no signature to paste", async () => {
    const operator = await platformKey(db);
    const own = await app.inject({
      method: "GET",
      url: "/v1/vendor-accounts",
      headers: operator.auth,
    });
    expect(own.json().data).toEqual([
      expect.objectContaining({ vendor: "sandbox", webhookSignature: null }),
    ]);
  });

  it("a retry with the same Idempotency-Key creates nothing and shows the same answer", async () => {
    const count = async () =>
      (await db.query("select 1 from vendor_accounts where org_id = $1", [shop.orgId])).rows.length;
    const before = await count();
    const first = await create(body(), "connect-nhn-1");
    expect(first.statusCode).toBe(201);
    const again = await create(body(), "connect-nhn-1");
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await count()).toBe(before + 1);
    // The stored answer holds the signature sealed, never in the clear.
    const stored = await db.query<{ response: unknown }>(
      "select response from idempotency_keys where key = 'connect-nhn-1'",
    );
    expect(JSON.stringify(stored.rows)).not.toContain(first.json().webhookSignature);

    const conflict = await create(body({ smsSecretKey: "another" }), "connect-nhn-1");
    expect(conflict.statusCode).toBe(409);
    await nhn.close();
  });
});

/** Posts an (empty) NHN hook to the account's webhook with the given signature; the status. */
async function fetchHook(
  app: Awaited<ReturnType<typeof createTestApp>>["app"],
  accountId: string,
  signature: string,
) {
  const res = await app.inject({
    method: "POST",
    url: `/webhooks/vendors/${accountId}`,
    headers: { "content-type": "application/json", "x-toast-webhook-signature": signature },
    payload: JSON.stringify({ appKey: FAKE_SMS.appKey, event: "OTHER", hooks: [] }),
  });
  return res.statusCode;
}
