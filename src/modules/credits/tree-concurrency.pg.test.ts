// 50 senders over a four-level tree (headquarters › distributor › agencies ›
// branches), every one below the headquarters spending the headquarters'
// wallet and marked up by its parent, sending at once; then four settlers
// settle their deliveries at once while the headquarters transfers credits
// to a branch with a wallet of its own. No overdraft anywhere, every margin
// exact to the hundredth, and the headquarters' wallet ends at what the
// platform's prices say.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb } from "../../../test/db.ts";
import { type Captured, marginsOf, priceChain } from "../../domain/pricing.ts";
import { AppError } from "../../lib/errors.ts";
import { runDoctor } from "../doctor/service.ts";
import { acceptSend } from "../messages/service.ts";
import { setMarkup, setWalletMode } from "../orgs/index.ts";
import { DEFAULT_PRICES } from "../plans/queries.ts";
import { settleOnce } from "../settlement/service.ts";
import { transferCredits } from "./movements.ts";
import { findWallet } from "./queries.ts";

const C = 1_000_000n;
const FUNDING = 2_000n * C;
const TRANSFERS = 20;
const TRANSFER = 5n * C;

describe("money down a tree under concurrency (PostgreSQL)", async () => {
  const db = await createTestDb({ poolSize: 25 });

  it("50 senders spending one wallet through markups: no overdraft, margins exact", async () => {
    const hq = await createSendingOrg(db, { credits: Number(FUNDING / C), name: "본사" });
    const markups = new Map<string, number>();
    const parentOf = new Map<string, string>();
    const below = async (parentId: string, name: string, markupBp: number) => {
      const org = await createSendingOrg(db, { credits: 0, name, parentId });
      await setMarkup(db, org.orgId, markupBp);
      await setWalletMode(db, org.orgId, "parent");
      markups.set(org.orgId, markupBp);
      parentOf.set(org.orgId, parentId);
      return org.orgId;
    };
    const dist = await below(hq.orgId, "총판", 1000);
    const agencies = [await below(dist, "대리점 1", 500), await below(dist, "대리점 2", 1250)];
    const senders = [dist, ...agencies];
    for (let i = 0; senders.length < 50; i++) {
      senders.push(await below(agencies[i % 2]!, `지점 ${i}`, (i % 5) * 333));
    }
    const own = await createSendingOrg(db, { credits: 0, name: "독립 지점", parentId: dist });

    /** The chain of an organization's prices, as the pricing rules make it. */
    const chainOf = (orgId: string) => {
      const path: string[] = [];
      for (let at: string | undefined = orgId; at && at !== hq.orgId; at = parentOf.get(at)) {
        path.unshift(at);
      }
      const plan = { platform: DEFAULT_PRICES, own: DEFAULT_PRICES, bot: 10n * C };
      return priceChain(
        { orgId: hq.orgId, plan },
        path.map((id) => ({ orgId: id, markupBp: markups.get(id)! })),
      );
    };

    // Each asks for 1–6 SMS: Σ demand is well above the funding.
    const results = await Promise.allSettled(
      senders.map((orgId, i) =>
        acceptSend(db, {
          orgId,
          input: {
            type: "sms",
            text: `안내 ${i}`,
            recipients: Array.from({ length: (i % 6) + 1 }, (_, k) => ({
              to: `010-${String(6000 + i).padStart(4, "0")}-${String(1000 + k).padStart(4, "0")}`,
            })),
          },
          now: new Date(),
          idempotency: null,
        }),
      ),
    );
    const accepted: { orgId: string; count: number; held: bigint }[] = [];
    let refused = 0;
    results.forEach((r, i) => {
      if (r.status === "fulfilled") {
        const held = BigInt(Math.round(Number(r.value.body.cost.held) * 100)) * 10_000n;
        accepted.push({ orgId: senders[i]!, count: r.value.body.accepted, held });
      } else if (r.reason instanceof AppError && r.reason.code === "INSUFFICIENT_CREDITS")
        refused++;
      else throw r.reason;
    });
    expect(accepted.length).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(0);
    const held = accepted.reduce((s, a) => s + a.held, 0n);
    const afterHolds = await findWallet(db, hq.orgId);
    expect(afterHolds).toEqual({ orgId: hq.orgId, balance: FUNDING, held });
    for (const a of accepted) {
      expect(a.held).toBe(BigInt(a.count) * chainOf(a.orgId)[0]!.platform.sms);
    }
    const refusedWallets = await db.query<{ n: number }>(
      "select count(*)::int as n from wallets where balance < 0 or held > balance",
    );
    expect(refusedWallets.rows[0]!.n).toBe(0);

    // Everything accepted is delivered; four settlers and twenty transfers run at once.
    await db.query(
      `update messages set status = 'delivered', sent_at = now(), delivered_at = now()
       where org_id = any($1::text[]) and status = 'queued'`,
      [senders],
    );
    const settler = async () => {
      for (;;) {
        const round = await settleOnce(db, { now: new Date(), limit: 7 });
        if (round.messages === 0) return;
      }
    };
    // The wallet is all but fully held: a transfer passes only once margins free some credits.
    const transfers = Array.from({ length: TRANSFERS }, () =>
      db
        .tx((q) =>
          transferCredits(q, {
            fromOrgId: hq.orgId,
            toOrgId: own.orgId,
            amount: TRANSFER,
            memo: null,
          }),
        )
        .then(
          () => 1,
          (err: unknown) => {
            if (err instanceof AppError && err.code === "INSUFFICIENT_CREDITS") return 0;
            throw err;
          },
        ),
    );
    const [, , , , ...moved] = await Promise.all([
      settler(),
      settler(),
      settler(),
      settler(),
      ...transfers,
    ]);
    const transferred = BigInt(moved.reduce((n: number, m) => n + (m ?? 0), 0)) * TRANSFER;

    // Margins: per ancestor, exactly what the price chains say.
    const expected = new Map<string, bigint>();
    let platform = 0n;
    for (const a of accepted) {
      const chain = chainOf(a.orgId);
      const captured: Captured[] = [{ type: "sms", own: false, count: a.count }];
      for (const m of marginsOf(chain, captured)) {
        expected.set(m.orgId, (expected.get(m.orgId) ?? 0n) + m.margin);
      }
      platform += BigInt(a.count) * DEFAULT_PRICES.sms;
    }
    const booked = await db.query<{ orgId: string; margin: bigint }>(
      `select org_id as "orgId", sum(margin)::bigint as margin from margin_bookings
       where sender_org_id = any($1::text[]) group by org_id`,
      [senders],
    );
    expect(new Map(booked.rows.map((r) => [r.orgId, r.margin]))).toEqual(expected);
    const credited = await db.query<{ orgId: string; margin: bigint }>(
      `select coalesce(for_org_id, org_id) as "orgId", sum(amount)::bigint as margin
       from ledger_entries where kind = 'margin' and org_id = $1 group by 1`,
      [hq.orgId],
    );
    expect(new Map(credited.rows.map((r) => [r.orgId, r.margin]))).toEqual(
      new Map([...expected].filter(([, m]) => m > 0n)),
    );

    // Every margin above the senders landed in the headquarters' wallet (they all spend
    // it), so it paid the platform's price for each message and nothing else.
    const end = await findWallet(db, hq.orgId);
    expect(end).toEqual({
      orgId: hq.orgId,
      balance: FUNDING - platform - transferred,
      held: 0n,
    });
    expect(await findWallet(db, own.orgId)).toMatchObject({
      balance: transferred,
    });
    expect((await runDoctor(db)).violations).toEqual([]);
  });
});
