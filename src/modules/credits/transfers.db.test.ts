// Transfers down the tree: a transfer entry on each side in one transaction,
// refused whole when the payer cannot cover it, and never an overdraft when
// many run at once (on PostgreSQL they really do run at once).
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { runDoctor } from "../doctor/service.ts";

describe(`credit transfers on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const hq = await createSendingOrg(db, { credits: 1000, name: "본사" });
  const branch = await createSendingOrg(db, { credits: 0, name: "지점", parentId: hq.orgId });
  const other = await createSendingOrg(db, { credits: 0, name: "남" });
  const transfer = (auth: Record<string, string>, payload: Record<string, unknown>) =>
    app.inject({ method: "POST", url: "/v1/credits/transfers", headers: auth, payload });
  const wallet = async (auth: Record<string, string>) =>
    (await app.inject({ method: "GET", url: "/v1/credits", headers: auth })).json();

  it("moves credits to a descendant with an entry on each side", async () => {
    const res = await transfer(hq.auth, {
      toOrgId: branch.orgId,
      amount: "250.50",
      memo: "12월분",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      fromOrgId: hq.orgId,
      toOrgId: branch.orgId,
      amount: "250.50",
      memo: "12월분",
    });
    expect(await wallet(hq.auth)).toMatchObject({ balance: "749.50" });
    expect(await wallet(branch.auth)).toMatchObject({ balance: "250.50" });
    const last = async (auth: Record<string, string>) =>
      (await app.inject({ method: "GET", url: "/v1/credits/ledger", headers: auth })).json()
        .data[0];
    expect(await last(hq.auth)).toMatchObject({
      kind: "transfer",
      amount: "250.50",
      balanceAfter: "749.50",
    });
    expect(await last(branch.auth)).toMatchObject({
      kind: "transfer",
      amount: "250.50",
      balanceAfter: "250.50",
    });
  });

  it("is refused for an ancestor, a stranger, itself, a bad amount, or more than is available", async () => {
    expect((await transfer(branch.auth, { toOrgId: hq.orgId, amount: "1" })).statusCode).toBe(404);
    expect((await transfer(hq.auth, { toOrgId: other.orgId, amount: "1" })).statusCode).toBe(404);
    expect((await transfer(hq.auth, { toOrgId: hq.orgId, amount: "1" })).statusCode).toBe(400);
    expect((await transfer(hq.auth, { toOrgId: branch.orgId, amount: "0" })).statusCode).toBe(400);
    expect((await transfer(hq.auth, { toOrgId: branch.orgId, amount: "-5" })).statusCode).toBe(400);
    const short = await transfer(hq.auth, { toOrgId: branch.orgId, amount: "100000" });
    expect(short.statusCode).toBe(402);
    expect(short.json().error.details).toEqual([{ required: "100000.00", available: "749.50" }]);
  });

  it("never overdraws under many transfers at once, and the doctor agrees", async () => {
    const before = Number((await wallet(hq.auth)).available);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => transfer(hq.auth, { toOrgId: branch.orgId, amount: "100" })),
    );
    const ok = results.filter((r) => r.statusCode === 201).length;
    expect(ok).toBe(Math.floor(before / 100));
    expect(results.filter((r) => r.statusCode === 402)).toHaveLength(20 - ok);
    expect(Number((await wallet(hq.auth)).available)).toBeCloseTo(before - ok * 100, 2);
    expect((await runDoctor(db)).violations).toEqual([]);
  });
});
