// The primary vendor starts failing mid-campaign: its circuit opens, the rest
// goes through the secondary, no message is sent twice, each message's trace
// says which account sent it and why, and the primary is used again once it
// answers.
import { describe, expect, it } from "vitest";
import { sandboxAccountsOf } from "../src/modules/vendor-accounts/sandbox.ts";
import { startSandboxServer } from "../src/vendors/sandbox/server.ts";
import { createSendingOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";

describe(`failover to the secondary vendor on ${engine}`, async () => {
  const pipeline = await startPipeline({
    delayMs: 10,
    claimSize: 50,
    // Open for longer than the first retry's backoff (1 s ± 20%), so that the
    // messages that met the outage come back while the primary is still out.
    breakerPolicy: { failureThreshold: 2, windowMs: 10_000, openMs: 4_000, trialMs: 5_000 },
  });
  const { app, db } = pipeline;
  // The primary is a vendor of its own: a second sandbox server, with the same customers.
  const primaryVendor = await startSandboxServer({
    delayMs: 10,
    accounts: sandboxAccountsOf({ db, box: pipeline.box, publicUrl: () => pipeline.url }),
  });
  const shop = await createSendingOrg(db, { credits: 100_000 });
  const create = async (name: string, settings: Record<string, unknown>) => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: shop.auth,
      payload: { vendor: "sandbox", name, settings },
    });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };
  const primary = await create("primary", { baseUrl: primaryVendor.url });
  const secondary = await create("secondary", {});
  const routing = await app.inject({
    method: "PUT",
    url: `/v1/orgs/${shop.orgId}/routing`,
    headers: shop.auth,
    payload: { sms: { primary, secondary } },
  });
  expect(routing.statusCode).toBe(200);

  const send = async (count: number, offset: number) => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        type: "sms",
        text: "장애 전환 확인",
        recipients: Array.from({ length: count }, (_, i) => ({
          to: `010-6${String(offset).padStart(3, "0")}-${String(i).padStart(4, "0")}`,
        })),
      },
    });
    expect(res.statusCode).toBe(202);
    return res.json().campaignId as string;
  };
  const routes = async (campaignId: string) =>
    (
      await db.query<{
        id: string;
        account: string;
        route: string;
        status: string;
        attempts: number;
      }>(
        `select id, vendor_account_id as account, route_reason as route, status, attempts
         from messages where campaign_id = $1`,
        [campaignId],
      )
    ).rows;

  it("moves new sends to the secondary while the primary fails, sending nothing twice", async () => {
    const campaignId = await send(600, 1);
    for (;;) {
      const sent = await db.query<{ n: number }>(
        "select count(*)::int as n from messages where campaign_id = $1 and status in ('sent', 'delivered')",
        [campaignId],
      );
      if ((sent.rows[0]?.n ?? 0) >= 100) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    primaryVendor.sandbox.failNext(4, "5xx");
    await waitForCompletion(db, campaignId);

    const rows = await routes(campaignId);
    expect(rows.every((m) => m.status === "delivered")).toBe(true);
    for (const m of rows) {
      // Once in all, at one vendor or the other.
      const atPrimary = await primaryVendor.sandbox.received(m.id);
      expect(atPrimary + (await pipeline.sandbox.received(m.id))).toBe(1);
      const at = atPrimary === 1 ? primary : secondary;
      expect(m.account).toBe(at);
    }
    const viaSecondary = rows.filter((m) => m.account === secondary);
    expect(
      rows.filter((m) => m.account === primary && m.route === "primary").length,
    ).toBeGreaterThanOrEqual(100);
    expect(viaSecondary.length).toBeGreaterThan(0);
    for (const m of viaSecondary) {
      expect(m.route).toMatch(
        new RegExp(
          `^secondary: primary ${primary} unavailable \\(circuit (open|half-open): VENDOR_UNAVAILABLE\\)$`,
        ),
      );
    }
    // The messages that met the outage were tried again, at the secondary.
    expect(rows.some((m) => m.attempts > 1 && m.account === secondary)).toBe(true);
  });

  it("goes back to the primary once it answers again", async () => {
    let back = false;
    for (let round = 0; round < 40 && !back; round++) {
      await new Promise((resolve) => setTimeout(resolve, 350));
      const campaignId = await send(20, 100 + round);
      await waitForCompletion(db, campaignId);
      back = (await routes(campaignId)).every(
        (m) => m.account === primary && m.route === "primary",
      );
    }
    expect(back).toBe(true);
    await primaryVendor.close();
  });
});

// One tenant's routed account disappears mid-campaign (behind the API's back:
// the API refuses to disable a routed account). Another tenant's sends, in the
// same claims, are delivered as if nothing happened; the first tenant's
// waiting messages go back to the queue, then fail NO_ROUTE and are released,
// while what it had sent is still delivered and charged.
describe(`a tenant without a route stalls nobody on ${engine}`, async () => {
  const pipeline = await startPipeline({ delayMs: 10, claimSize: 40 });
  const { app, db } = pipeline;
  const a = await createSendingOrg(db, { credits: 100_000, name: "A" });
  const b = await createSendingOrg(db, { credits: 100_000, name: "B" });
  const created = await app.inject({
    method: "POST",
    url: "/v1/vendor-accounts",
    headers: a.auth,
    payload: { vendor: "sandbox", name: "A's own" },
  });
  const accountA = created.json().id as string;
  const routed = await app.inject({
    method: "PUT",
    url: `/v1/orgs/${a.orgId}/routing`,
    headers: a.auth,
    payload: { sms: { primary: accountA } },
  });
  expect(routed.statusCode).toBe(200);
  const send = async (org: { auth: { authorization: string } }, count: number, prefix: string) => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: org.auth,
      payload: {
        type: "sms",
        text: "경로 확인",
        recipients: Array.from({ length: count }, (_, i) => ({
          to: `010-${prefix}-${String(i).padStart(4, "0")}`,
        })),
      },
    });
    expect(res.statusCode).toBe(202);
    return res.json().campaignId as string;
  };

  it("delivers the other tenant's sends and fails the orphaned ones NO_ROUTE", async () => {
    const campaignA = await send(a, 400, "8100");
    for (;;) {
      const r = await db.query<{ n: number }>(
        // Some of A's messages have gone out (the vendor has them), most have not.
        "select count(*)::int as n from messages where campaign_id = $1 and status in ('sent', 'delivered')",
        [campaignA],
      );
      if ((r.rows[0]?.n ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await db.query("update vendor_accounts set status = 'disabled' where id = $1", [accountA]);
    const campaignB = await send(b, 100, "8200");
    await waitForCompletion(db, campaignB);
    const ofB = await db.query<{ status: string; n: number }>(
      "select status, count(*)::int as n from messages where campaign_id = $1 group by status",
      [campaignB],
    );
    expect(ofB.rows).toEqual([{ status: "delivered", n: 100 }]);

    // A's messages that had not gone out wait for a route, then fail NO_ROUTE; those it
    // had sent are delivered: the reports of a disabled account are still its own.
    await waitForCompletion(db, campaignA, 45_000);
    const ofA = await db.query<{
      status: string;
      error: string | null;
      attempts: number;
      released: boolean;
    }>(
      `select status, error_code as error, max(attempts)::int as attempts,
         bool_and(price_released = price_held) as released
       from messages where campaign_id = $1 group by status, error_code order by status`,
      [campaignA],
    );
    expect(ofA.rows).toEqual([
      { status: "delivered", error: null, attempts: 1, released: false },
      { status: "failed", error: "NO_ROUTE", attempts: 0, released: true },
    ]);
  });
});
