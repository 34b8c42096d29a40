// Charging follows who controls the evidence. An organization that owns the
// vendor account (or whose ancestor does) also holds its delivery reports, so
// what it sends through that account is captured when the vendor accepts it
// and no "failed" report — forged or true — gives the money back; the
// platform's own accounts keep charge-on-delivery and refund-on-failure. The
// vendor is scripted; reports go in through the report service as a webhook
// would bring them.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSendingOrg, type TestOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startScriptedApp } from "../../../test/scripted-app.ts";
import { accept } from "../../../test/support/scripted-vendor.ts";
import type { DeliveryReport } from "../../vendors/vendor.ts";
import { runDoctor } from "../doctor/service.ts";
import { createPoller } from "../reconcile/service.ts";
import { applyPendingReports, ingestReports } from "../reports/service.ts";
import { replaceRouting } from "../routing/queries.ts";
import { insertVendorAccount } from "../vendor-accounts/queries.ts";
import { settleOnce } from "./service.ts";

const C = 1_000_000n;

describe(`charging by who owns the vendor account on ${engine}`, async () => {
  const scripted = await startScriptedApp();
  const { app, db, box, vendor, platformAccount, now } = scripted;
  const dispatcher = scripted.dispatcher();
  vendor.answerAll(accept);

  /** An account `owner` holds (it knows its webhook secret), routed for `channels` of `orgId`. */
  async function ownAccount(
    owner: string,
    options: {
      channels?: ("alimtalk" | "sms")[];
      nativeFallback?: boolean;
      routeOrg?: string;
    } = {},
  ) {
    const account = await insertVendorAccount(db, {
      id: `vac_${randomBytes(6).toString("hex")}`,
      orgId: owner,
      vendor: "sandbox",
      name: "own",
      settings: options.nativeFallback ? { nativeFallback: true } : {},
      credentialsEnc: box.seal(JSON.stringify({ apiKey: "own-key-0123456789" })),
      webhookSecretEnc: box.seal("the owner's secret"),
    });
    await replaceRouting(
      db,
      options.routeOrg ?? owner,
      (options.channels ?? ["alimtalk", "sms"]).map((channel) => ({
        channel,
        primaryAccountId: account.id,
        secondaryAccountId: null,
      })),
    );
    return account.id;
  }
  const send = async (org: TestOrg, payload: Record<string, unknown>) => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: org.auth,
      payload,
    });
    expect(res.statusCode).toBe(202);
    return res.json() as { campaignId: string; cost: { held: string } };
  };
  const sms = (to: string) => ({ type: "sms", text: "주문 안내", recipients: [{ to }] });
  const alimtalk = (to: string) => ({
    template: { code: "WELCOME_001", variables: { shop: "Alimi" } },
    recipients: [{ to, variables: { name: "홍길동" } }],
  });
  const report = (
    vid: string,
    status: DeliveryReport["status"],
    extra: Partial<DeliveryReport> = {},
  ): DeliveryReport => ({
    vendorMessageId: vid,
    messageId: null,
    status,
    type: "sms",
    fallbackOf: null,
    error: status === "failed" ? { code: "UNREACHABLE", rawCode: "X", message: "no" } : null,
    at: now(),
    raw: null,
    ...extra,
  });
  const feed = (accountId: string, reports: DeliveryReport[]) =>
    ingestReports(db, { vendorAccountId: accountId, source: "webhook", reports, now: now() });
  const messagesOf = async (campaignId: string) =>
    (
      await db.query<{
        id: string;
        type: string;
        status: string;
        settled: boolean;
        held: bigint;
        charged: bigint;
        released: bigint;
        error: string | null;
      }>(
        `select id, type, status, settled_at is not null as settled, price_held as held,
           price_charged as charged, price_released as released, error_code as error
         from messages where campaign_id = $1 order by fallback_of nulls first, id`,
        [campaignId],
      )
    ).rows;
  const ledgerOf = async (campaignId: string) =>
    (
      await db.query<{ kind: string; total: bigint }>(
        `select kind, sum(amount)::bigint as total from ledger_entries
         where campaign_id = $1 group by kind order by kind`,
        [campaignId],
      )
    ).rows;
  /** The wallet's figures (its own: these organizations spend their own wallets). */
  const credits = async (org: TestOrg) => {
    const { balance, held, available, walletOrgId } = (
      await app.inject({ method: "GET", url: "/v1/credits", headers: org.auth })
    ).json();
    expect(walletOrgId).toBe(org.orgId);
    return { balance, held, available };
  };
  const doctorIsClean = async () => expect((await runDoctor(db)).violations).toEqual([]);

  it("captures a message sent through the organization's own account when the vendor accepts it; a forged failure refunds nothing", async () => {
    const shop = await createSendingOrg(db, { credits: 100, name: "Own" });
    const account = await ownAccount(shop.orgId);
    const { campaignId } = await send(shop, sms("010-6100-0001"));
    expect((await dispatcher.dispatchOnce()).sent).toBe(1);
    await settleOnce(db, { now: now() });
    const [sent] = await messagesOf(campaignId);
    expect(sent).toMatchObject({ status: "sent", settled: true, charged: 15n * C, released: 0n });
    expect(await credits(shop)).toEqual({ balance: "85.00", held: "0.00", available: "85.00" });

    // The owner holds the webhook secret: it reports "failed" to get its credits back.
    await feed(account, [report(`vid-${sent!.id}`, "failed")]);
    await settleOnce(db, { now: now() });
    const [after] = await messagesOf(campaignId);
    expect(after).toMatchObject({ status: "failed", charged: 15n * C, released: 0n });
    expect(await ledgerOf(campaignId)).toEqual([
      { kind: "capture", total: 15n * C },
      { kind: "hold", total: 15n * C },
    ]);
    expect(await credits(shop)).toEqual({ balance: "85.00", held: "0.00", available: "85.00" });

    const view = (
      await app.inject({ method: "GET", url: `/v1/messages/${sent!.id}`, headers: shop.auth })
    ).json();
    expect(view).toMatchObject({
      status: "failed",
      price: { held: "0.00", charged: "15.00", released: "0.00", chargedOnAcceptance: true },
    });
    const campaign = (
      await app.inject({ method: "GET", url: `/v1/campaigns/${campaignId}`, headers: shop.auth })
    ).json();
    expect(campaign).toMatchObject({
      status: "completed",
      cost: { held: "0.00", charged: "15.00", refunded: "0.00" },
    });
    await doctorIsClean();
  });

  it("still charges when the failure comes before the settler has run", async () => {
    const shop = await createSendingOrg(db, { credits: 100, name: "Fast forger" });
    const account = await ownAccount(shop.orgId);
    const { campaignId } = await send(shop, sms("010-6200-0001"));
    await dispatcher.dispatchOnce();
    const [sent] = await messagesOf(campaignId);
    await feed(account, [report(`vid-${sent!.id}`, "failed")]);
    await settleOnce(db, { now: now() });
    expect((await messagesOf(campaignId))[0]).toMatchObject({
      status: "failed",
      charged: 15n * C,
      released: 0n,
    });
    await doctorIsClean();
  });

  it("charges on acceptance through an ancestor's account too", async () => {
    const hq = await createSendingOrg(db, { credits: 100, name: "HQ" });
    const branch = await createSendingOrg(db, { credits: 100, name: "Branch", parentId: hq.orgId });
    const account = await ownAccount(hq.orgId);
    const { campaignId } = await send(branch, sms("010-6300-0001"));
    await dispatcher.dispatchOnce();
    const [sent] = await messagesOf(campaignId);
    expect(sent?.status).toBe("sent");
    await feed(account, [report(`vid-${sent!.id}`, "failed")]);
    await settleOnce(db, { now: now() });
    expect((await messagesOf(campaignId))[0]).toMatchObject({ charged: 15n * C, released: 0n });
    expect(await credits(branch)).toMatchObject({ balance: "85.00", held: "0.00" });
    await doctorIsClean();
  });

  it("refunds a failure through the platform's account, as before", async () => {
    const shop = await createSendingOrg(db, { credits: 100, name: "Platform" });
    const { campaignId } = await send(shop, sms("010-6400-0001"));
    await dispatcher.dispatchOnce();
    await settleOnce(db, { now: now() });
    const [sent] = await messagesOf(campaignId);
    // Not settled while only sent: the platform's reports decide.
    expect(sent).toMatchObject({ status: "sent", settled: false, held: 15n * C });
    await feed(platformAccount, [report(`vid-${sent!.id}`, "failed")]);
    await settleOnce(db, { now: now() });
    expect((await messagesOf(campaignId))[0]).toMatchObject({
      status: "failed",
      charged: 0n,
      released: 15n * C,
    });
    expect(await ledgerOf(campaignId)).toEqual([
      { kind: "hold", total: 15n * C },
      { kind: "release", total: 15n * C },
    ]);
    expect(await credits(shop)).toEqual({ balance: "100.00", held: "0.00", available: "100.00" });
    const view = (
      await app.inject({ method: "GET", url: `/v1/messages/${sent!.id}`, headers: shop.auth })
    ).json();
    expect(view.price.chargedOnAcceptance).toBe(false);
    await doctorIsClean();
  });

  it("prices own-account sends by the plan's own prices, holding the dearer of the two", async () => {
    const plan = `pln_${randomBytes(4).toString("hex")}`;
    await db.query(
      `insert into plans (id, name, price_alimtalk, price_sms, price_lms, price_mms,
         price_own_sms, price_own_lms)
       values ($1, 'Own vendor', 8000000, 15000000, 45000000, 120000000, 5000000, 50000000)`,
      [plan],
    );
    const cheap = await createSendingOrg(db, { credits: 200, name: "Own prices" });
    await db.query("update orgs set plan_id = $2 where id = $1", [cheap.orgId, plan]);
    await ownAccount(cheap.orgId);
    // SMS: 15.00 through the platform, 5.00 through its own account: 15.00 is held.
    const smsSend = await send(cheap, sms("010-6500-0001"));
    expect(smsSend.cost.held).toBe("15.00");
    // LMS: 45.00 through the platform, 50.00 through its own account: 50.00 is held.
    const lmsSend = await send(cheap, {
      type: "lms",
      subject: "안내",
      text: "긴 안내문",
      recipients: [{ to: "010-6500-0002" }],
    });
    expect(lmsSend.cost.held).toBe("50.00");
    await dispatcher.dispatchOnce();
    await settleOnce(db, { now: now() });
    expect((await messagesOf(smsSend.campaignId))[0]).toMatchObject({
      charged: 5n * C,
      released: 10n * C,
    });
    expect((await messagesOf(lmsSend.campaignId))[0]).toMatchObject({
      charged: 50n * C,
      released: 0n,
    });

    // Through the platform's account the same organization pays the platform's price.
    await replaceRouting(db, cheap.orgId, []);
    const viaPlatform = await send(cheap, {
      type: "lms",
      subject: "안내",
      text: "긴 안내문",
      recipients: [{ to: "010-6500-0003" }],
    });
    await dispatcher.dispatchOnce();
    const [lms] = await messagesOf(viaPlatform.campaignId);
    await feed(platformAccount, [report(`vid-${lms!.id}`, "delivered", { type: "lms" })]);
    await settleOnce(db, { now: now() });
    expect((await messagesOf(viaPlatform.campaignId))[0]).toMatchObject({
      charged: 45n * C,
      released: 5n * C,
    });
    await doctorIsClean();
  });

  it("gives the fallback of an Alimtalk charged on acceptance a hold of its own", async () => {
    const shop = await createSendingOrg(db, { credits: 100, name: "Own Alimtalk" });
    // Alimtalk through its own account; SMS (the fallback) through the platform's.
    const account = await ownAccount(shop.orgId, { channels: ["alimtalk"] });
    const { campaignId, cost } = await send(shop, alimtalk("010-6600-0001"));
    expect(cost.held).toBe("15.00");
    await dispatcher.dispatchOnce();
    await settleOnce(db, { now: now() });
    const [parent] = await messagesOf(campaignId);
    expect(parent).toMatchObject({ type: "alimtalk", charged: 8n * C, released: 7n * C });

    await feed(account, [report(`vid-${parent!.id}`, "failed", { type: "alimtalk" })]);
    const [, fallback] = await messagesOf(campaignId);
    expect(fallback).toMatchObject({ type: "sms", status: "queued", held: 15n * C });
    expect(await credits(shop)).toEqual({ balance: "92.00", held: "15.00", available: "77.00" });

    await dispatcher.dispatchOnce();
    const [, sent] = await messagesOf(campaignId);
    await feed(platformAccount, [report(`vid-${sent!.id}`, "delivered")]);
    await settleOnce(db, { now: now() });
    expect(
      (await messagesOf(campaignId)).map((m) => [m.type, m.status, m.charged, m.released]),
    ).toEqual([
      ["alimtalk", "failed", 8n * C, 7n * C],
      ["sms", "delivered", 15n * C, 0n],
    ]);
    expect(await ledgerOf(campaignId)).toEqual([
      { kind: "capture", total: 23n * C },
      { kind: "hold", total: 30n * C },
      { kind: "release", total: 7n * C },
    ]);
    expect(await credits(shop)).toEqual({ balance: "77.00", held: "0.00", available: "77.00" });
    const list = (
      await app.inject({
        method: "GET",
        url: `/v1/campaigns/${campaignId}/messages`,
        headers: shop.auth,
      })
    ).json().data as { type: string; price: { heldBy: string | null } }[];
    // The Alimtalk's hold did not move: it was captured.
    expect(list.find((m) => m.type === "alimtalk")?.price.heldBy).toBeNull();
    await doctorIsClean();
  });

  it("refuses that fallback when the credits cannot cover it, and moves no money for it", async () => {
    const shop = await createSendingOrg(db, { credits: 15, name: "Short" });
    const account = await ownAccount(shop.orgId, { channels: ["alimtalk"] });
    const { campaignId } = await send(shop, alimtalk("010-6700-0001"));
    await dispatcher.dispatchOnce();
    await settleOnce(db, { now: now() });
    const [parent] = await messagesOf(campaignId);
    await feed(account, [report(`vid-${parent!.id}`, "failed", { type: "alimtalk" })]);
    await settleOnce(db, { now: now() });
    expect(
      (await messagesOf(campaignId)).map((m) => [m.type, m.status, m.error, m.held, m.charged]),
    ).toEqual([
      ["alimtalk", "failed", "UNREACHABLE", 15n * C, 8n * C],
      ["sms", "failed", "INSUFFICIENT_CREDITS", 0n, 0n],
    ]);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    expect(await credits(shop)).toEqual({ balance: "7.00", held: "0.00", available: "7.00" });
    const campaign = (
      await app.inject({ method: "GET", url: `/v1/campaigns/${campaignId}`, headers: shop.auth })
    ).json();
    expect(campaign).toMatchObject({ status: "completed", cost: { charged: "8.00" } });
    await doctorIsClean();
  });

  it("charges a fallback the vendor sent itself through the own account on its acceptance", async () => {
    const shop = await createSendingOrg(db, { credits: 100, name: "Native" });
    const account = await ownAccount(shop.orgId, { nativeFallback: true });
    const { campaignId } = await send(shop, alimtalk("010-6800-0001"));
    await dispatcher.dispatchOnce();
    const [parent] = await messagesOf(campaignId);
    // The vendor sent the SMS in the Alimtalk's place, and says so.
    await feed(account, [
      report("vid-native-sms", "delivered", { fallbackOf: `vid-${parent!.id}` }),
    ]);
    await applyPendingReports(db, { now: now() });
    await settleOnce(db, { now: now() });
    expect(
      (await messagesOf(campaignId)).map((m) => [m.type, m.status, m.charged, m.released]),
    ).toEqual([
      ["alimtalk", "failed", 8n * C, 7n * C],
      ["sms", "delivered", 15n * C, 0n],
    ]);
    expect(await credits(shop)).toEqual({ balance: "77.00", held: "0.00", available: "77.00" });
    await doctorIsClean();
  });

  it("completes the campaign when a message charged on acceptance expires without a report", async () => {
    const shop = await createSendingOrg(db, { credits: 100, name: "Silent" });
    await ownAccount(shop.orgId);
    const { campaignId } = await send(shop, sms("010-6900-0001"));
    await dispatcher.dispatchOnce();
    await settleOnce(db, { now: now() });
    const poller = createPoller({
      db,
      directory: scripted.directory,
      adapters: scripted.adapters,
      schedule: { pollAfterMs: 60_000, expireAfterMs: 120_000 },
    });
    await poller.tick(new Date(scripted.clock.ms + 90_000));
    await poller.idle();
    // (Messages that earlier tests left sent expire too.)
    expect((await poller.tick(new Date(scripted.clock.ms + 130_000))).expired).toBeGreaterThan(0);
    expect((await messagesOf(campaignId))[0]).toMatchObject({
      status: "expired",
      charged: 15n * C,
    });
    const campaign = (
      await app.inject({ method: "GET", url: `/v1/campaigns/${campaignId}`, headers: shop.auth })
    ).json();
    expect(campaign).toMatchObject({ status: "completed", cost: { charged: "15.00" } });
    await doctorIsClean();
  });
});
