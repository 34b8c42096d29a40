// 50 concurrent senders on one wallet: no overdraft, and every accepted hold
// is accounted for exactly. A deliberately broken read-then-write hold runs
// through the same assertion to show that it would be caught.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb } from "../../../test/db.ts";
import type { Db } from "../../db/client.ts";
import { AppError } from "../../lib/errors.ts";
import { runDoctor } from "../doctor/service.ts";
import { acceptSend } from "../messages/service.ts";
import { findWallet } from "./queries.ts";

const C = 1_000_000n;
const FUNDING = 1_000n * C;
const SENDERS = 50;
const SMS = 15n * C;

/** The money assertion both variants must pass: holds = F − available, never below zero. */
async function moneyProblems(db: Db, orgId: string, acceptedHolds: bigint[]): Promise<string[]> {
  const w = await findWallet(db, orgId);
  if (!w) return ["wallet missing"];
  const available = w.balance - w.held;
  const accepted = acceptedHolds.reduce((a, b) => a + b, 0n);
  const problems: string[] = [];
  if (available < 0n) problems.push(`overdraft: available ${available}`);
  if (w.balance !== FUNDING) problems.push(`balance ${w.balance} ≠ funding ${FUNDING}`);
  if (accepted !== FUNDING - available) {
    problems.push(`accepted holds ${accepted} ≠ F − available ${FUNDING - available}`);
  }
  return problems;
}

/** Sender i asks for 1–7 SMS recipients: Σ demand is about 2.4 × the funding. */
const recipientsFor = (i: number) =>
  Array.from({ length: (i % 7) + 1 }, (_, k) => ({
    to: `010-${String(5000 + i).padStart(4, "0")}-${String(1000 + k).padStart(4, "0")}`,
  }));

describe("holds under concurrency (PostgreSQL)", async () => {
  const db = await createTestDb({ poolSize: 25 });

  it("50 concurrent sends never overdraw and account for every accepted hold", async () => {
    const { orgId } = await createSendingOrg(db, { credits: Number(FUNDING / C) });
    const results = await Promise.allSettled(
      Array.from({ length: SENDERS }, (_, i) =>
        acceptSend(db, {
          orgId,
          input: { type: "sms", text: `주문 ${i} 안내`, recipients: recipientsFor(i) },
          now: new Date(),
          idempotency: null,
        }),
      ),
    );
    const accepted: bigint[] = [];
    let refused = 0;
    for (const r of results) {
      if (r.status === "fulfilled") accepted.push(BigInt(r.value.body.accepted) * SMS);
      else if (r.reason instanceof AppError && r.reason.code === "INSUFFICIENT_CREDITS") refused++;
      else throw r.reason;
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(await moneyProblems(db, orgId, accepted)).toEqual([]);
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("the same assertion catches a read-then-write hold (lost updates)", async () => {
    const { orgId } = await createSendingOrg(db, { credits: Number(FUNDING / C), name: "Broken" });
    // Reads the wallet, decides in the application, writes the new absolute value.
    const brokenHold = (amount: bigint) =>
      db.tx(async (q) => {
        const w = (
          await q.query<{ balance: bigint; held: bigint }>(
            "select balance, held from wallets where org_id = $1",
            [orgId],
          )
        ).rows[0]!;
        if (w.balance - w.held < amount) return false;
        await q.query("select pg_sleep(0.005)");
        await q.query("update wallets set held = $2 where org_id = $1", [orgId, w.held + amount]);
        return true;
      });
    const amounts = Array.from({ length: SENDERS }, (_, i) => BigInt((i % 7) + 1) * SMS);
    const outcomes = await Promise.all(amounts.map((a) => brokenHold(a)));
    const accepted = amounts.filter((_, i) => outcomes[i]);
    expect(await moneyProblems(db, orgId, accepted)).toEqual([
      expect.stringMatching(/^accepted holds \d+ ≠ F − available \d+$/),
    ]);
  });
});
