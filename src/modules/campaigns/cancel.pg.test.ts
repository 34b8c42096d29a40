// A cancel racing the dispatcher's retry, on a real server: whichever takes
// the campaign's row first, the message ends canceled and is never claimed
// again. The interleavings are forced with open transactions: each side holds
// its lock until the test lets it commit.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb } from "../../../test/db.ts";
import type { Queryable } from "../../db/client.ts";
import { createSecretBox } from "../../lib/secret-box.ts";
import { acceptSend } from "../messages/service.ts";
import { claimMessages, markRetry } from "../messages/transitions.ts";
import { findOrg } from "../orgs/queries.ts";
import { ensurePlatform } from "../orgs/service.ts";
import { ensurePlatformSandbox } from "../vendor-accounts/service.ts";
import { cancelCampaign } from "./service.ts";

const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
};
const settledWithin = async (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), ms)),
  ]);

describe("cancel against a concurrent retry (PostgreSQL)", async () => {
  const db = await createTestDb({ poolSize: 10 });
  await ensurePlatform(db);
  await ensurePlatformSandbox(db, createSecretBox(randomBytes(32)));

  /** One SMS, claimed as a dispatcher would: `sending` under claim `c`. */
  async function claimedMessage(name: string) {
    const shop = await createSendingOrg(db, { credits: 100, name });
    const now = new Date();
    const accepted = await acceptSend(db, {
      orgId: shop.orgId,
      input: { type: "sms", text: "안내", recipients: [{ to: "010-9100-0001" }] },
      now,
      idempotency: null,
    });
    const claim = `c-${name}`;
    const claimed = await claimMessages(db, {
      claim,
      now,
      leaseUntil: new Date(now.getTime() + 60_000),
      limit: 1000,
    });
    const mine = claimed.filter((m) => m.campaignId === accepted.body.campaignId);
    expect(mine).toHaveLength(1);
    const org = await findOrg(db, shop.orgId);
    return { id: mine[0]!.id, campaignId: accepted.body.campaignId, claim, path: org!.path };
  }
  const retry = (q: Queryable, m: { id: string; claim: string }) =>
    markRetry(q, [
      {
        id: m.id,
        claim: m.claim,
        called: true,
        runAt: new Date(),
        code: "VENDOR_UNAVAILABLE",
        message: "try again",
        vendorAccountId: null,
      },
    ]);
  const statusOf = async (id: string) =>
    (await db.query<{ status: string }>("select status from messages where id = $1", [id])).rows[0]
      ?.status;
  const claimAgain = async (campaignId: string) =>
    (
      await claimMessages(db, {
        claim: "later",
        now: new Date(Date.now() + 3_600_000),
        leaseUntil: new Date(Date.now() + 7_200_000),
        limit: 1000,
      })
    ).filter((m) => m.campaignId === campaignId);

  it("a cancel that comes while the retry is being recorded waits for it, then cancels the message", async () => {
    const m = await claimedMessage("retry-first");
    const g = gate();
    const retrying = db.tx(async (q) => {
      await retry(q, m);
      await g.opened;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const canceling = cancelCampaign(db, { id: m.campaignId, scopePath: m.path, now: new Date() });
    expect(await settledWithin(canceling, 300)).toBe(false);
    g.open();
    await retrying;
    const view = await canceling;
    expect(view.counts).toMatchObject({ canceled: 1, queued: 0, sending: 0 });
    expect(await statusOf(m.id)).toBe("canceled");
    expect(await claimAgain(m.campaignId)).toEqual([]);
  });

  it("a retry that comes while the cancel is being committed waits for it, then cancels the message", async () => {
    const m = await claimedMessage("cancel-first");
    const g = gate();
    // The cancel's transaction: the campaign row taken and marked, not yet committed.
    const canceling = db.tx(async (q) => {
      await q.query("select id from campaigns where id = $1 for update", [m.campaignId]);
      await q.query("update campaigns set status = 'canceled', canceled_at = now() where id = $1", [
        m.campaignId,
      ]);
      await g.opened;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const retrying = retry(db, m);
    expect(await settledWithin(retrying, 300)).toBe(false);
    g.open();
    await canceling;
    expect(await retrying).toBe(1);
    expect(await statusOf(m.id)).toBe("canceled");
    expect(await claimAgain(m.campaignId)).toEqual([]);
  });
});
