// The named movements own their keys: a repeated movement never moves money
// twice, and no caller's key can collide with another movement's.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb, engine } from "../../../test/db.ts";
import { cancelCampaign } from "../campaigns/service.ts";
import { runDoctor } from "../doctor/service.ts";
import { acceptSend } from "../messages/service.ts";
import { createOrg } from "../orgs/service.ts";
import { grantCredits, holdForCampaign, releaseCanceled } from "./movements.ts";
import { findWallet } from "./queries.ts";

const C = 1_000_000n;

describe(`named credit movements on ${engine}`, async () => {
  const db = await createTestDb();
  const ledgerOf = async (campaignId: string) =>
    (
      await db.query<{ kind: string; amount: bigint }>(
        "select kind, amount from ledger_entries where campaign_id = $1 order by id",
        [campaignId],
      )
    ).rows;

  it("releases a canceled campaign's holds once, however often it is asked", async () => {
    const { org } = await createOrg(db, { name: "Cancel twice", credits: 100n * C });
    const hold = await db.tx((q) =>
      holdForCampaign(q, {
        walletOrgId: org.id,
        orgId: org.id,
        campaignId: "cmp_twice",
        amount: 30n * C,
      }),
    );
    expect(hold).toMatchObject({ kind: "hold", heldAfter: 30n * C });
    const release = () =>
      db.tx((q) =>
        releaseCanceled(q, {
          walletOrgId: org.id,
          orgId: org.id,
          campaignId: "cmp_twice",
          amount: 30n * C,
          messages: 2,
        }),
      );
    const first = await release();
    const again = await release();
    expect(again?.id).toBe(first?.id);
    expect(await findWallet(db, org.id)).toMatchObject({ balance: 100n * C, held: 0n });
    expect(await ledgerOf("cmp_twice")).toEqual([
      { kind: "hold", amount: 30n * C },
      { kind: "release", amount: 30n * C },
    ]);
  });

  it("a repeated cancel of a campaign succeeds and releases nothing more", async () => {
    const shop = await createSendingOrg(db, { credits: 100, name: "Cancels" });
    const accepted = await acceptSend(db, {
      orgId: shop.orgId,
      input: {
        type: "sms",
        text: "취소 확인",
        recipients: [{ to: "010-4100-0001" }, { to: "010-4100-0002" }],
        sendAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      now: new Date(),
      idempotency: null,
    });
    const id = accepted.body.campaignId as string;
    const cancel = () => cancelCampaign(db, { id, scopePath: "", now: new Date() });
    const first = await cancel();
    const again = await cancel();
    expect(again).toEqual(first);
    expect(first).toMatchObject({
      status: "canceled",
      counts: { canceled: 2 },
      cost: { held: "0.00", refunded: "30.00" },
    });
    expect(await ledgerOf(id)).toEqual([
      { kind: "hold", amount: 30n * C },
      { kind: "release", amount: 30n * C },
    ]);
    const doctor = await runDoctor(db);
    expect(doctor.violations.filter((v) => v.orgId === shop.orgId)).toEqual([]);
  });

  it("a caller's grant key cannot take another movement's key", async () => {
    const { org } = await createOrg(db, { name: "Keys", credits: 10n * C });
    // Once, a grant keyed "hold:cmp_x" would have made that campaign's hold fail.
    await grantCredits(db, { orgId: org.id, amount: 5n * C, idempotencyKey: "hold:cmp_keys" });
    const hold = await db.tx((q) =>
      holdForCampaign(q, {
        walletOrgId: org.id,
        orgId: org.id,
        campaignId: "cmp_keys",
        amount: 3n * C,
      }),
    );
    expect(hold).toMatchObject({ kind: "hold", heldAfter: 3n * C });
    expect(await findWallet(db, org.id)).toMatchObject({ balance: 15n * C, held: 3n * C });
  });

  it("a grant key is the organization's own: another organization's grant with it is its own grant", async () => {
    const { org: a } = await createOrg(db, { name: "Grant A", credits: 0n });
    const { org: b } = await createOrg(db, { name: "Grant B", credits: 0n });
    const first = await grantCredits(db, { orgId: a.id, amount: 7n * C, idempotencyKey: "k-1" });
    const again = await grantCredits(db, { orgId: a.id, amount: 7n * C, idempotencyKey: "k-1" });
    expect(again.id).toBe(first.id);
    const other = await grantCredits(db, { orgId: b.id, amount: 9n * C, idempotencyKey: "k-1" });
    expect(other).toMatchObject({ orgId: b.id, balanceDelta: 9n * C });
    expect(await findWallet(db, a.id)).toMatchObject({ balance: 7n * C });
    expect(await findWallet(db, b.id)).toMatchObject({ balance: 9n * C });
  });

  it("refuses a reused grant key with another amount, and moves nothing", async () => {
    const { org } = await createOrg(db, { name: "Grant twice", credits: 0n });
    await grantCredits(db, { orgId: org.id, amount: 5n * C, idempotencyKey: "k-2" });
    await expect(
      grantCredits(db, { orgId: org.id, amount: 50n * C, idempotencyKey: "k-2" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: "idempotency key k-2 was used for a grant of 5.00 credits to this organization",
    });
    expect(await findWallet(db, org.id)).toMatchObject({ balance: 5n * C });
  });
});
