// Money down the tree: a headquarters › distributor › agency › branch, each
// parent marking up its child's prices, the agency and the branch spending
// the distributor's wallet. A branch's campaign is held and charged at the
// branch's price on the distributor's wallet, under the branch's name, and
// every ancestor is credited its margin at settlement — exactly.
import { describe, expect, it } from "vitest";
import { runDoctor } from "../src/modules/doctor/service.ts";
import { createSendingOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";

describe(`money down the tree on ${engine}`, async () => {
  const pipeline = await startPipeline({ delayMs: 0 });
  const { app, db } = pipeline;
  const hq = await createSendingOrg(db, { credits: 1000, name: "본사" });
  const dist = await createSendingOrg(db, { credits: 0, name: "총판", parentId: hq.orgId });
  const agency = await createSendingOrg(db, { credits: 0, name: "대리점", parentId: dist.orgId });
  const branch = await createSendingOrg(db, { credits: 0, name: "지점", parentId: agency.orgId });

  type Auth = { authorization: string };
  const call = (auth: Auth, method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
    app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const as = (auth: Auth, orgId: string) => ({ ...auth, "x-alimi-org": orgId });
  const wallet = async (orgId: string) =>
    (
      await db.query<{ balance: bigint; held: bigint }>(
        "select balance, held from wallets where org_id = $1",
        [orgId],
      )
    ).rows[0]!;
  const C = (credits: string) => BigInt(Math.round(Number(credits) * 100)) * 10_000n;

  it("sets markups and wallet modes from above only", async () => {
    expect(
      (await call(hq.auth, "PUT", `/v1/orgs/${dist.orgId}/pricing`, { markupPercent: 10 }))
        .statusCode,
    ).toBe(200);
    // The distributor sets its agency's, the headquarters acting for it too.
    const byDist = await call(dist.auth, "PUT", `/v1/orgs/${agency.orgId}/pricing`, {
      markupPercent: "5.00",
    });
    expect(byDist.json()).toMatchObject({ orgId: agency.orgId, markupPercent: 5 });
    const acting = await call(
      as(hq.auth, agency.orgId),
      "PUT",
      `/v1/orgs/${branch.orgId}/pricing`,
      {
        markupPercent: 20,
      },
    );
    expect(acting.statusCode).toBe(200);

    const own = await call(branch.auth, "PUT", `/v1/orgs/${branch.orgId}/pricing`, {
      markupPercent: 0,
    });
    expect(own.statusCode).toBe(403);
    const up = await call(branch.auth, "PUT", `/v1/orgs/${agency.orgId}/pricing`, {
      markupPercent: 0,
    });
    expect(up.statusCode).toBe(404);
    const top = await call(hq.auth, "PUT", `/v1/orgs/${hq.orgId}/pricing`, { markupPercent: 1 });
    expect(top.statusCode).toBe(403);
    for (const markupPercent of [1000.01, -1, "12.345", "x"]) {
      const bad = await call(hq.auth, "PUT", `/v1/orgs/${dist.orgId}/pricing`, { markupPercent });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0].path).toBe("/markupPercent");
    }

    for (const org of [agency, branch]) {
      const set = await call(hq.auth, "PUT", `/v1/orgs/${org.orgId}/wallet`, { mode: "parent" });
      expect(set.json()).toMatchObject({ id: org.orgId, walletMode: "parent" });
    }
    const self = await call(dist.auth, "PUT", `/v1/orgs/${dist.orgId}/wallet`, { mode: "parent" });
    expect(self.statusCode).toBe(403);
    // Credits moved to an organization that spends its parent's wallet would be stranded.
    const stranded = await call(hq.auth, "POST", "/v1/credits/transfers", {
      toOrgId: branch.orgId,
      amount: "10.00",
    });
    expect(stranded.statusCode).toBe(409);
    const funded = await call(hq.auth, "POST", "/v1/credits/transfers", {
      toOrgId: dist.orgId,
      amount: "500.00",
    });
    expect(funded.statusCode).toBe(201);
  });

  it("shows the branch's effective prices and the chain that made them", async () => {
    const res = await call(branch.auth, "GET", `/v1/orgs/${branch.orgId}/pricing`);
    expect(res.statusCode).toBe(200);
    const pricing = res.json();
    // sms 15 → 16.50 → 17.325 → 17.33 → 20.796 → 20.80
    expect(pricing).toMatchObject({
      orgId: branch.orgId,
      markupPercent: 20,
      walletMode: "parent",
      walletOrgId: dist.orgId,
      prices: { sms: "20.80", alimtalk: "11.09" },
    });
    expect(
      pricing.chain.map((l: { orgId: string; markupPercent: number; prices: { sms: string } }) => [
        l.orgId,
        l.markupPercent,
        l.prices.sms,
      ]),
    ).toEqual([
      [hq.orgId, 0, "15.00"],
      [dist.orgId, 10, "16.50"],
      [agency.orgId, 5, "17.33"],
      [branch.orgId, 20, "20.80"],
    ]);
    expect(pricing.chain[0].plan).toMatchObject({ name: "Default" });
    const credits = (await call(branch.auth, "GET", "/v1/credits")).json();
    expect(credits).toMatchObject({
      walletMode: "parent",
      walletOrgId: dist.orgId,
      available: "500.00",
    });
  });

  it("charges the branch's price on the distributor's wallet and books each margin once", async () => {
    const sent = await call(branch.auth, "POST", "/v1/messages", {
      type: "sms",
      text: "지점 12월 안내",
      recipients: [{ to: "010-6100-0001" }, { to: "010-6100-0002" }, { to: "010-6100-0003" }],
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.json().cost).toEqual({ held: "62.40" });
    const campaignId = sent.json().campaignId as string;
    await waitForCompletion(db, campaignId);

    // distributor: 500 − 3 × 20.80 + its margin 3 × (17.33 − 16.50) + the agency's
    // (spending the distributor's wallet) 3 × (20.80 − 17.33)
    expect(await wallet(dist.orgId)).toEqual({ balance: C("450.50"), held: 0n });
    // headquarters: 1000 − 500 + 3 × (16.50 − 15.00)
    expect(await wallet(hq.orgId)).toEqual({ balance: C("504.50"), held: 0n });
    expect(await wallet(agency.orgId)).toEqual({ balance: 0n, held: 0n });
    expect(await wallet(branch.orgId)).toEqual({ balance: 0n, held: 0n });

    // The branch's ledger shows its own movements, on the distributor's wallet.
    const ledger = (await call(branch.auth, "GET", "/v1/credits/ledger")).json().data;
    // Settlement may capture the three in one batch or several, as their reports come.
    const sum = (kind: string) =>
      ledger
        .filter((e: { kind: string }) => e.kind === kind)
        .reduce((t: number, e: { amount: string }) => t + Math.round(Number(e.amount) * 100), 0);
    expect([sum("hold"), sum("capture")]).toEqual([6240, 6240]);
    expect(new Set(ledger.map((e: { kind: string }) => e.kind))).toEqual(
      new Set(["hold", "capture"]),
    );
    for (const e of ledger)
      expect(e).toMatchObject({ orgId: branch.orgId, walletOrgId: dist.orgId });
    const agencyLedger = (await call(agency.auth, "GET", "/v1/credits/ledger")).json().data;
    for (const e of agencyLedger) {
      expect(e).toMatchObject({
        kind: "margin",
        orgId: agency.orgId,
        walletOrgId: dist.orgId,
        campaignId,
      });
    }
    const agencyMargin = agencyLedger.reduce(
      (t: number, e: { amount: string }) => t + Math.round(Number(e.amount) * 100),
      0,
    );
    expect(agencyMargin).toBe(1041);

    const report = async (auth: Auth) => (await call(auth, "GET", "/v1/reports/margins")).json();
    expect((await report(hq.auth)).children).toEqual([
      {
        orgId: dist.orgId,
        name: "총판",
        kind: "distributor",
        messages: 3,
        charged: "49.50",
        margin: "4.50",
      },
    ]);
    expect((await report(dist.auth)).total).toEqual({
      messages: 3,
      charged: "51.99",
      margin: "2.49",
    });
    expect((await report(agency.auth)).children).toEqual([
      {
        orgId: branch.orgId,
        name: "지점",
        kind: "branch",
        messages: 3,
        charged: "62.40",
        margin: "10.41",
      },
    ]);
    expect((await report(branch.auth)).children).toEqual([]);

    const doctor = await runDoctor(db);
    expect(doctor.violations).toEqual([]);
  });

  it("keeps a draft's prices for its later parts when a markup changes between them", async () => {
    const draft = (
      await call(branch.auth, "POST", "/v1/campaigns", { type: "sms", text: "부분 발송" })
    ).json();
    const part = (to: string) =>
      call(branch.auth, "POST", `/v1/campaigns/${draft.id}/recipients`, { recipients: [{ to }] });
    expect((await part("010-6200-0001")).json().cost).toEqual({ held: "20.80" });
    await call(as(hq.auth, agency.orgId), "PUT", `/v1/orgs/${branch.orgId}/pricing`, {
      markupPercent: 50,
    });
    expect((await part("010-6200-0002")).json().cost).toEqual({ held: "20.80" });
    // A new campaign is priced as the branch is now: 17.33 × 1.5 = 25.995 → 26.00.
    const estimate = await call(branch.auth, "POST", "/v1/messages/estimate", {
      type: "sms",
      text: "새 가격",
      recipients: [{ to: "010-6200-0003" }],
    });
    expect(estimate.json().cost.held).toBe("26.00");
  });

  it("the doctor finds a capture that was not the platform's price plus the margins", async () => {
    const [row] = (
      await db.query<{ id: string }>(
        `select m.id from messages m join campaigns c on c.id = m.campaign_id
         where c.org_id = $1 and m.price_charged > 0 limit 1`,
        [branch.orgId],
      )
    ).rows;
    await db.query("update messages set price_charged = price_charged - 10000 where id = $1", [
      row!.id,
    ]);
    try {
      const doctor = await runDoctor(db);
      expect(doctor.violations.map((v) => v.problem)).toContainEqual(
        expect.stringContaining("not the platform's 45.00 + margins booked 17.40"),
      );
    } finally {
      await db.query("update messages set price_charged = price_charged + 10000 where id = $1", [
        row!.id,
      ]);
    }
  });
});
