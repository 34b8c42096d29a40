import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb, engine } from "../../../test/db.ts";
import { acceptSend } from "../messages/service.ts";
import { claimMessages, requeueExpiredLeases } from "../messages/transitions.ts";

const recipients = (n: number, prefix: number) =>
  Array.from({ length: n }, (_, i) => ({ to: `010-${prefix}-${String(i).padStart(4, "0")}` }));

describe(`claiming the queue on ${engine}`, async () => {
  const db = await createTestDb();
  const send = (orgId: string, n: number, prefix: number) =>
    acceptSend(db, {
      orgId,
      input: { type: "sms", text: "안내", recipients: recipients(n, prefix) },
      now: new Date(),
      idempotency: null,
    });

  it("gives each organization its share: one message of B goes out beside A's bulk", async () => {
    const a = await createSendingOrg(db, { credits: 100_000, name: "A" });
    const b = await createSendingOrg(db, { credits: 100, name: "B" });
    await send(a.orgId, 3000, 3100);
    await send(b.orgId, 1, 3200);
    const now = new Date();
    const claimed = await claimMessages(db, {
      claim: "w1",
      now,
      leaseUntil: new Date(now.getTime() + 60_000),
      limit: 100,
    });
    const byOrg = (orgId: string) => claimed.filter((m) => m.orgId === orgId).length;
    expect(byOrg(b.orgId)).toBe(1);
    expect(byOrg(a.orgId)).toBe(50);
    // A claim is not an attempt: only a vendor call counts.
    expect(claimed.every((m) => m.attempts === 0)).toBe(true);
    // A second worker never gets what the first holds.
    const second = await claimMessages(db, {
      claim: "w2",
      now,
      leaseUntil: new Date(now.getTime() + 60_000),
      limit: 100,
    });
    const ids = new Set(claimed.map((m) => m.id));
    expect(second.some((m) => ids.has(m.id))).toBe(false);
    expect(second).toHaveLength(100);
  });

  it("puts a single send before bulk work of the same organization", async () => {
    const c = await createSendingOrg(db, { credits: 100_000, name: "C" });
    await send(c.orgId, 500, 3300);
    const single = await send(c.orgId, 1, 3400);
    const now = new Date();
    const claimed = await claimMessages(db, {
      claim: "w3",
      now,
      leaseUntil: new Date(now.getTime() + 60_000),
      limit: 10,
    });
    const mine = claimed.filter((m) => m.orgId === c.orgId);
    // A and C have due work: C's share is 5 of its 501, and the single send is among them.
    expect(mine).toHaveLength(5);
    expect(mine.map((m) => m.campaignId)).toContain(single.body.campaignId);
  });

  it("the express lane claims single sends and fallbacks only", async () => {
    const e = await createSendingOrg(db, { credits: 100_000, name: "E" });
    const f = await createSendingOrg(db, { credits: 100, name: "F" });
    await send(e.orgId, 2000, 3600);
    const single = await send(f.orgId, 1, 3700);
    const now = new Date();
    const claimed = await claimMessages(db, {
      claim: "express",
      now,
      leaseUntil: new Date(now.getTime() + 60_000),
      limit: 100,
      expressOnly: true,
    });
    expect(claimed.map((m) => m.campaignId)).toEqual([single.body.campaignId]);
  });

  it("hands a dead worker's batch back once its lease has expired", async () => {
    await db.query("update messages set status = 'queued', locked_by = null, locked_until = null");
    const d = await createSendingOrg(db, { credits: 1000, name: "D" });
    await send(d.orgId, 3, 3500);
    const now = new Date();
    const claimed = await claimMessages(db, {
      claim: "dead",
      now,
      leaseUntil: new Date(now.getTime() + 1000),
      limit: 100_000,
    });
    expect(claimed.length).toBeGreaterThan(3);
    expect(await requeueExpiredLeases(db, new Date(now.getTime() + 500))).toBe(0);
    expect(await requeueExpiredLeases(db, new Date(now.getTime() + 1500))).toBe(claimed.length);
    const again = await claimMessages(db, {
      claim: "alive",
      now: new Date(now.getTime() + 1500),
      leaseUntil: new Date(now.getTime() + 60_000),
      limit: 100_000,
    });
    expect(again.map((m) => m.id).sort()).toEqual(claimed.map((m) => m.id).sort());
    expect(again.every((m) => m.attempts === claimed.find((c) => c.id === m.id)!.attempts)).toBe(
      true,
    );
    // The second claim holds them under its own token, not the dead worker's.
    const holders = await db.query<{ by: string }>(
      "select distinct locked_by as by from messages where id = any($1::text[])",
      [claimed.map((m) => m.id)],
    );
    expect(holders.rows).toEqual([{ by: "alive" }]);
  });
});
