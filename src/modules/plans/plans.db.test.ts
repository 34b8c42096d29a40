// Plans are the platform operator's: it makes them, changes them and puts
// organizations on them; what an organization is charged follows its plan.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";

describe(`plans on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const operator = await platformKey(db);
  const shop = await createSendingOrg(db, { credits: 1000, name: "Plan shop" });
  const call = (
    auth: Record<string, string>,
    method: "GET" | "POST" | "PATCH" | "PUT",
    url: string,
    payload?: Record<string, unknown>,
  ) => app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const estimate = async () =>
    (
      await call(shop.auth, "POST", "/v1/messages/estimate", {
        type: "sms",
        text: "안내",
        recipients: [{ to: "010-1234-5678" }],
      })
    ).json().cost.held as string;

  it("makes a plan, puts an organization on it, and prices its sends by it", async () => {
    expect(await estimate()).toBe("15.00");
    const made = await call(operator.auth, "POST", "/v1/plans", {
      name: "대리점 요금제",
      prices: { alimtalk: "7.50", sms: "13.00", lms: "40.00", mms: "110.00", bot: "5.00" },
      purchase: { creditsPerKrw: "1", bonusTiers: [{ minKrw: 100000, bonusPercent: 5 }] },
    });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({
      name: "대리점 요금제",
      prices: { sms: "13.00", bot: "5.00" },
      isDefault: false,
    });
    const put = await call(operator.auth, "PUT", `/v1/orgs/${shop.orgId}/plan`, {
      planId: made.json().id,
    });
    expect(put.statusCode).toBe(200);
    expect(await estimate()).toBe("13.00");
    const changed = await call(operator.auth, "PATCH", `/v1/plans/${made.json().id}`, {
      prices: { sms: "12.50" },
    });
    expect(changed.json().prices).toMatchObject({ sms: "12.50", lms: "40.00" });
    expect(await estimate()).toBe("12.50");
    const all = (await call(operator.auth, "GET", "/v1/plans")).json().data as {
      id: string;
      isDefault: boolean;
    }[];
    expect(all.filter((p) => p.isDefault)).toHaveLength(1);
    expect(all.map((p) => p.id)).toContain(made.json().id);
  });

  it("is the platform operator's alone", async () => {
    expect((await call(shop.auth, "GET", "/v1/plans")).statusCode).toBe(403);
    expect(
      (
        await call(shop.auth, "POST", "/v1/plans", {
          name: "x",
          prices: { alimtalk: "1", sms: "1", lms: "1", mms: "1", bot: "1" },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await call(shop.auth, "PUT", `/v1/orgs/${shop.orgId}/plan`, { planId: "pln_x" })).statusCode,
    ).toBe(403);
    const bad = await call(operator.auth, "PUT", `/v1/orgs/${shop.orgId}/plan`, {
      planId: "pln_missing",
    });
    expect(bad.json().error.details[0]).toMatchObject({ path: "/planId" });
  });
});
