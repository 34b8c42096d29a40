// The operators' money tools: a month's statement from what the pipeline
// really charged and refunded (JSON and CSV, alone or with the subtree), the
// platform's adjustments and refunds with their reasons in the ledger and the
// audit log, and the ledger read by time and kind.
import { describe, expect, it } from "vitest";
import { createSendingOrg, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startPipeline, waitForCompletion } from "../../../test/pipeline.ts";
import { monthRange } from "./routes.ts";

describe(`statements and adjustments on ${engine}`, async () => {
  const pipeline = await startPipeline({ delayMs: 10 });
  const { app, db } = pipeline;
  const platform = await platformKey(db);
  const shop = await createSendingOrg(db, { credits: 1000, name: "명세 본사" });
  const branch = await createSendingOrg(db, {
    credits: 100,
    name: "명세 지점",
    parentId: shop.orgId,
  });
  const stranger = await createSendingOrg(db, { credits: 100, name: "남의 회사" });
  type Auth = Record<string, string>;
  const call = (method: "GET" | "POST", url: string, auth: Auth, payload?: object) =>
    app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const send = async (auth: Auth, to: string[]) => {
    const res = await call("POST", "/v1/messages", auth, {
      type: "sms",
      text: "12월 명세 안내",
      recipients: to.map((n) => ({ to: n })),
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().campaignId as string;
    await waitForCompletion(db, id);
    return (await call("GET", `/v1/campaigns/${id}`, auth)).json();
  };
  // 010-0000-0002 fails on every channel: its hold comes back.
  const shopCampaign = await send(shop.auth, ["010-6100-0001", "010-6100-0002", "010-0000-0002"]);
  const branchCampaign = await send(branch.auth, ["010-6200-0001"]);
  await send(stranger.auth, ["010-6300-0001"]);
  const month = new Date().toISOString().slice(0, 7);

  describe("the month's statement", () => {
    it("has the organization's own line per type: count, unit price, charged, refunded", async () => {
      const res = await call("GET", `/v1/reports/statements?month=${month}`, shop.auth);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ month, timeZone: "Asia/Seoul" });
      const charged = shopCampaign.cost.charged as string;
      expect(body.lines).toEqual([
        {
          orgId: shop.orgId,
          orgName: "명세 본사",
          type: "sms",
          count: 2,
          unitPrice: (Number(charged) / 2).toFixed(2),
          charged,
          refundedCount: 1,
          refunded: shopCampaign.cost.refunded,
        },
      ]);
      expect(body.totals).toEqual({ charged, refunded: shopCampaign.cost.refunded });
    });

    it("adds a line for each organization below with includeChildren, and none of a stranger's", async () => {
      const res = await call(
        "GET",
        `/v1/reports/statements?month=${month}&includeChildren=true`,
        shop.auth,
      );
      const lines = res.json().lines as { orgId: string; count: number; charged: string }[];
      expect(lines.map((l) => [l.orgId, l.count, l.charged])).toEqual([
        [shop.orgId, 2, shopCampaign.cost.charged],
        [branch.orgId, 1, branchCampaign.cost.charged],
      ]);
    });

    it("is empty for a month without sends, and names a bad month's path", async () => {
      const empty = await call("GET", "/v1/reports/statements?month=2020-01", shop.auth);
      expect(empty.json()).toMatchObject({ lines: [], totals: { charged: "0.00" } });
      const bad = await call("GET", "/v1/reports/statements?month=2026-13", shop.auth);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0]).toMatchObject({ path: "/querystring/month" });
    });

    it("comes as CSV that Excel opens in Korean", async () => {
      const res = await call(
        "GET",
        `/v1/reports/statements.csv?month=${month}&includeChildren=true`,
        shop.auth,
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
      const lines = res.body.split("\r\n");
      expect(lines[0]).toBe("\uFEFF조직,조직 ID,유형,건수,단가,청구,환불 건수,환불");
      expect(lines[1]).toMatch(new RegExp(`^명세 본사,${shop.orgId},SMS,2,`));
      expect(lines[2]).toMatch(new RegExp(`^명세 지점,${branch.orgId},SMS,1,`));
      expect(lines[3]).toBe("");
    });

    it("reads a month in the organization's zone", () => {
      expect(monthRange("2026-12", "Asia/Seoul")).toEqual({
        from: new Date("2026-11-30T15:00:00Z"),
        to: new Date("2026-12-31T15:00:00Z"),
      });
      expect(monthRange("2026-03", "America/New_York")).toEqual({
        from: new Date("2026-03-01T05:00:00Z"),
        to: new Date("2026-04-01T04:00:00Z"),
      });
    });
  });

  describe("adjustments", () => {
    const wallet = async (auth: Auth) => (await call("GET", "/v1/credits", auth)).json();

    it("adds credits with a reason, in the ledger and the audit log", async () => {
      const before = await wallet(stranger.auth);
      const res = await call("POST", "/v1/credits/adjustments", platform.auth, {
        orgId: stranger.orgId,
        amount: "250.00",
        reason: "장애 보상",
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        kind: "adjustment",
        amount: "250.00",
        reason: "장애 보상",
      });
      const after = await wallet(stranger.auth);
      expect(Number(after.balance) - Number(before.balance)).toBe(250);
      const ledger = await call("GET", "/v1/credits/ledger?kind=adjustment&limit=5", stranger.auth);
      expect(ledger.json().data).toEqual([
        expect.objectContaining({
          id: res.json().id,
          kind: "adjustment",
          amount: "250.00",
          balanceChange: "250.00",
          memo: "장애 보상",
        }),
      ]);
      const audit = await db.query<{ action: string; details: { reason: string } }>(
        "select action, details from audit_entries where target_id = $1",
        [res.json().id],
      );
      expect(audit.rows).toEqual([
        { action: "credits.adjusted", details: { amount: "250.00", reason: "장애 보상" } },
      ]);
    });

    it("takes credits back as a refund, never more than are available", async () => {
      const { available } = await wallet(stranger.auth);
      const tooMuch = await call("POST", "/v1/credits/adjustments", platform.auth, {
        orgId: stranger.orgId,
        amount: `-${(Number(available) + 1).toFixed(2)}`,
        reason: "환불",
        kind: "refund",
      });
      expect(tooMuch.statusCode).toBe(402);
      expect(tooMuch.json().error.details[0]).toMatchObject({
        path: "/amount",
        code: "INSUFFICIENT_CREDITS",
      });
      expect((await wallet(stranger.auth)).available).toBe(available);

      const refund = await call("POST", "/v1/credits/adjustments", platform.auth, {
        orgId: stranger.orgId,
        amount: "-100.00",
        reason: "계좌 환불 (영수증 2026-120)",
        kind: "refund",
      });
      expect(refund.statusCode, refund.body).toBe(201);
      const ledger = await call("GET", "/v1/credits/ledger?kind=refund", stranger.auth);
      expect(ledger.json().data[0]).toMatchObject({ amount: "100.00", balanceChange: "-100.00" });
    });

    it("refuses a positive refund, a zero amount, a missing reason, with their paths", async () => {
      const cases: [object, string][] = [
        [{ amount: "10.00", reason: "x", kind: "refund" }, "/amount"],
        [{ amount: "0.00", reason: "x" }, "/amount"],
        [{ amount: "10.00" }, "/reason"],
      ];
      for (const [body, path] of cases) {
        const res = await call("POST", "/v1/credits/adjustments", platform.auth, {
          orgId: stranger.orgId,
          ...body,
        });
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
      }
    });

    it("is the platform's alone: a headquarters cannot make credits for its branch", async () => {
      const res = await call("POST", "/v1/credits/adjustments", shop.auth, {
        orgId: branch.orgId,
        amount: "1000.00",
        reason: "직접 충전",
      });
      expect(res.statusCode).toBe(403);
    });
  });

  describe("the ledger by time and kind", () => {
    it("keeps to the range and the kind", async () => {
      const all = (await call("GET", "/v1/credits/ledger?limit=100", shop.auth)).json().data as {
        kind: string;
        createdAt: string;
      }[];
      expect(new Set(all.map((e) => e.kind))).toEqual(
        new Set(["grant", "hold", "capture", "release"]),
      );
      const holds = (await call("GET", "/v1/credits/ledger?kind=hold", shop.auth)).json().data;
      expect(holds.length).toBeGreaterThan(0);
      expect(holds.every((e: { kind: string }) => e.kind === "hold")).toBe(true);
      const first = all.at(-1)!;
      const later = (
        await call(
          "GET",
          `/v1/credits/ledger?limit=100&from=${encodeURIComponent(new Date(Date.parse(first.createdAt) + 1).toISOString())}`,
          shop.auth,
        )
      ).json().data as { createdAt: string }[];
      expect(later.length).toBeLessThan(all.length);
      expect(later.every((e) => e.createdAt > first.createdAt)).toBe(true);
      const none = await call(
        "GET",
        "/v1/credits/ledger?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z",
        shop.auth,
      );
      expect(none.json().data).toEqual([]);
      const reversed = await call(
        "GET",
        "/v1/credits/ledger?from=2020-02-01T00:00:00Z&to=2020-01-01T00:00:00Z",
        shop.auth,
      );
      expect(reversed.statusCode).toBe(400);
      expect(reversed.json().error.details[0]).toMatchObject({
        path: "/querystring/to",
        code: "INVALID_RANGE",
      });
    });
  });
});
