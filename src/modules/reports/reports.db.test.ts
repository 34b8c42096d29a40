// Reports in any order, any number of times, even before the acceptance they
// are about is recorded: the same final states and the same ledger.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb, engine } from "../../../test/db.ts";
import { createSecretBox } from "../../lib/secret-box.ts";
import type { DeliveryReport } from "../../vendors/vendor.ts";
import { runDoctor } from "../doctor/service.ts";
import { acceptSend } from "../messages/service.ts";
import { markSent } from "../messages/transitions.ts";
import { ensurePlatform } from "../orgs/service.ts";
import { settleOnce } from "../settlement/service.ts";
import { ensurePlatformSandbox } from "../vendor-accounts/service.ts";
import { applyPendingReports, ingestReports } from "./service.ts";

const N = 30;

function report(
  vid: string,
  status: DeliveryReport["status"],
  type: DeliveryReport["type"] = "sms",
): DeliveryReport {
  return {
    vendorMessageId: vid,
    messageId: null,
    status,
    type,
    fallbackOf: null,
    error:
      status === "failed" ? { code: "UNREACHABLE", rawCode: "X1", message: "unreachable" } : null,
    at: new Date(),
    raw: { vid, status },
  };
}

/** Deterministic shuffle, so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe(`report order and repetition on ${engine}`, async () => {
  const db = await createTestDb();
  await ensurePlatform(db);
  const accountId = await ensurePlatformSandbox(db, createSecretBox(randomBytes(32)));

  /** Sends N SMS, delivers every third as failed, feeds the reports as `arrange` says. */
  async function scenario(
    name: string,
    arrange: (reports: DeliveryReport[]) => DeliveryReport[],
    options: { reportsFirst?: boolean } = {},
  ) {
    const org = await createSendingOrg(db, { credits: 1000, name });
    const accepted = await acceptSend(db, {
      orgId: org.orgId,
      input: {
        type: "sms",
        text: "배송 안내",
        recipients: Array.from({ length: N }, (_, i) => ({
          to: `010-7000-${String(i).padStart(4, "0")}`,
        })),
      },
      now: new Date(),
      idempotency: null,
    });
    const campaignId = accepted.body.campaignId;
    const ids = (
      await db.query<{ id: string; i: number }>(
        "select id, recipient_index as i from messages where campaign_id = $1 order by recipient_index",
        [campaignId],
      )
    ).rows;
    const vid = (id: string) => `v-${id}`;
    const inOrder = ids.flatMap(({ id, i }) => [
      report(vid(id), "sent"),
      report(vid(id), i % 3 === 0 ? "failed" : "delivered"),
    ]);
    const record = () =>
      markSent(
        db,
        ids.map(({ id }) => ({
          id,
          vendorAccountId: accountId,
          vendorMessageId: vid(id),
          nativeFallback: false,
          routeReason: "primary",
        })),
        new Date(),
      );
    if (!options.reportsFirst) await record();
    // Reports arrive in several deliveries, as a vendor posts them.
    const arranged = arrange(inOrder);
    for (let start = 0; start < arranged.length; start += 7) {
      await ingestReports(db, {
        vendorAccountId: accountId,
        source: "webhook",
        reports: arranged.slice(start, start + 7),
        now: new Date(),
      });
    }
    if (options.reportsFirst) {
      const before = await db.query(
        "select 1 from delivery_reports r join messages m on m.id = r.message_id where m.campaign_id = $1",
        [campaignId],
      );
      expect(before.rows).toHaveLength(0);
      await record();
      // Deferred reports are tried again once their wait is over.
      await applyPendingReports(db, { now: new Date(Date.now() + 60_000) });
    }
    await settleOnce(db, { now: new Date() });

    const states = await db.query<{ i: number; status: string; charged: bigint; released: bigint }>(
      `select recipient_index as i, status, price_charged as charged, price_released as released
       from messages where campaign_id = $1 order by recipient_index`,
      [campaignId],
    );
    const ledger = await db.query<{ kind: string; total: bigint }>(
      `select kind, sum(amount)::bigint as total from ledger_entries
       where campaign_id = $1 group by kind order by kind`,
      [campaignId],
    );
    const wallet = await db.query<{ balance: bigint; held: bigint }>(
      "select balance, held from wallets where org_id = $1",
      [org.orgId],
    );
    return { states: states.rows, ledger: ledger.rows, wallet: wallet.rows[0] };
  }

  it("every report twice, shuffled, delivered before sent, or before acceptance: one outcome", async () => {
    const baseline = await scenario("in order", (r) => r);
    const C = 1_000_000n;
    expect(baseline.ledger).toEqual([
      { kind: "capture", total: 20n * 15n * C },
      { kind: "hold", total: 30n * 15n * C },
      { kind: "release", total: 10n * 15n * C },
    ]);
    expect(baseline.wallet).toEqual({ balance: 700n * C, held: 0n });
    expect(baseline.states.filter((s) => s.status === "delivered")).toHaveLength(20);
    expect(baseline.states.filter((s) => s.status === "failed")).toHaveLength(10);

    const twice = await scenario("twice", (r) => shuffle([...r, ...r], 7));
    const reversed = await scenario("final before sent", (r) => [...r].reverse());
    const early = await scenario("before acceptance", (r) => shuffle(r, 3), { reportsFirst: true });
    for (const other of [twice, reversed, early]) {
      expect(other.states).toEqual(baseline.states);
      expect(other.ledger).toEqual(baseline.ledger);
      expect(other.wallet).toEqual(baseline.wallet);
    }
    const stored = await db.query<{ n: number }>("select count(*)::int as n from delivery_reports");
    // Each (vendor id, status) once, whatever was received.
    expect(stored.rows[0]?.n).toBe(4 * 2 * N);
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("doctor catches a message settled without accounting for its whole hold", async () => {
    const victim = await db.query<{ id: string }>(
      "select id from messages where status = 'failed' and price_released > 0 limit 1",
    );
    const id = victim.rows[0]!.id;
    await db.query("update messages set price_released = price_released - 1 where id = $1", [id]);
    const { violations } = await runDoctor(db);
    expect(violations).toContainEqual({
      messageId: id,
      problem: "settled without accounting for its whole hold",
    });
  });
});
