import { describe, expect, it } from "vitest";
import { createTestDb, engine } from "../../../test/db.ts";
import { newId } from "../../lib/ids.ts";
import { runDoctor } from "../doctor/service.ts";
import { createOrg } from "../orgs/service.ts";
import { applyMovement, findWallet } from "./queries.ts";
import { grantCredits } from "./service.ts";

const C = 1_000_000n;

describe(`credits on ${engine}`, async () => {
  const db = await createTestDb();

  it("a grant is applied once per idempotency key", async () => {
    const { org } = await createOrg(db, { name: "A" });
    const first = await grantCredits(db, { orgId: org.id, amount: 50n * C, idempotencyKey: "g-1" });
    const again = await grantCredits(db, { orgId: org.id, amount: 50n * C, idempotencyKey: "g-1" });
    expect(again.id).toBe(first.id);
    expect(await findWallet(db, org.id)).toMatchObject({ balance: 50n * C, held: 0n });
    expect(first).toMatchObject({ kind: "grant", amount: 50n * C, balanceAfter: 50n * C });
  });

  it("a hold larger than the available credits moves nothing", async () => {
    const { org } = await createOrg(db, { name: "B", credits: 10n * C });
    const hold = (amount: bigint) =>
      db.tx((q) =>
        applyMovement(q, {
          id: newId("led"),
          orgId: org.id,
          kind: "hold",
          balanceDelta: 0n,
          heldDelta: amount,
          idempotencyKey: newId("led"),
        }),
      );
    expect(await hold(6n * C)).toMatchObject({ heldAfter: 6n * C, balanceAfter: 10n * C });
    expect(await hold(5n * C)).toBeNull();
    expect(await hold(4n * C)).toMatchObject({ heldAfter: 10n * C });
    expect(await findWallet(db, org.id)).toMatchObject({ balance: 10n * C, held: 10n * C });
  });

  it("the database refuses an overdraft even from a statement that skips the check", async () => {
    const { org } = await createOrg(db, { name: "C", credits: 1n * C });
    await expect(
      db.query("update wallets set held = balance + 1 where org_id = $1", [org.id]),
    ).rejects.toThrow(/wallets_held_check/);
  });

  it("doctor reports a wallet that disagrees with its ledger and with its messages", async () => {
    const { org } = await createOrg(db, { name: "D", credits: 5n * C });
    // Wallets of the earlier tests carry holds that no message backs: set them apart.
    const before = await runDoctor(db);
    const mine = () => before.violations.filter((v) => v.orgId === org.id);
    expect(mine()).toEqual([]);

    await db.query("update wallets set balance = balance + 1000000 where org_id = $1", [org.id]);
    const after = await runDoctor(db);
    const problems = after.violations.filter((v) => v.orgId === org.id).map((v) => v.problem);
    expect(problems).toEqual([expect.stringMatching(/differs from the ledger's sum 5.00/)]);

    await db.query("update wallets set held = 1000000 where org_id = $1", [org.id]);
    const held = (await runDoctor(db)).violations.filter((v) => v.orgId === org.id);
    expect(held.map((v) => v.problem)).toEqual(
      expect.arrayContaining([expect.stringMatching(/unsettled holds of its messages 0.00/)]),
    );
  });
});
