// Reports about messages we do not know (yet) are bounded: they wait for
// their message for a window and are applied the moment its acceptance is
// recorded; past the window they are dropped and counted; one account may
// park only so many, the rest dropped and counted while the vendor still gets
// its 200; and a waiting report is not rewritten every tick while it waits.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startScriptedApp } from "../../../test/scripted-app.ts";
import type { ScriptedReport } from "../../../test/support/scripted-vendor.ts";
import { runDoctor } from "../doctor/service.ts";
import { acceptSend } from "../messages/service.ts";
import { markSent } from "../messages/transitions.ts";
import { applyPendingReports, ingestReports } from "./service.ts";

const WINDOW_MS = 60_000;
const LIMIT = 5;

describe(`reports for unknown messages on ${engine}`, async () => {
  const scripted = await startScriptedApp({ reportParking: { windowMs: WINDOW_MS, limit: LIMIT } });
  const { app, db, box, platformAccount } = scripted;
  const parking = { windowMs: WINDOW_MS, limit: LIMIT };
  const at = () => scripted.now();
  const tick = (ms: number) => {
    scripted.clock.ms += ms;
  };
  const secret = box.open(
    (
      await db.query<{ enc: string }>(
        "select webhook_secret_enc as enc from vendor_accounts where id = $1",
        [platformAccount],
      )
    ).rows[0]!.enc,
  );
  const post = (reports: ScriptedReport[]) =>
    app.inject({
      method: "POST",
      url: `/webhooks/vendors/${platformAccount}/${secret}`,
      headers: { "content-type": "application/json" },
      payload: JSON.stringify(reports),
    });
  const parked = async () =>
    (
      await db.query<{ vid: string; checks: number; version: string }>(
        `select vendor_message_id as vid, checks, xmin::text as version
         from delivery_reports where applied_at is null order by id`,
      )
    ).rows;
  const dropped = async () =>
    (
      await db.query<{ reason: string; count: bigint }>(
        "select reason, count from report_drops where vendor_account_id = $1 order by reason",
        [platformAccount],
      )
    ).rows;
  const deleteParked = () => db.query("delete from delivery_reports where applied_at is null");
  const sendOne = async (to: string) => {
    const shop = await createSendingOrg(db, { credits: 100, name: to });
    const accepted = await acceptSend(db, {
      orgId: shop.orgId,
      input: { type: "sms", text: "안내", recipients: [{ to }] },
      now: at(),
      idempotency: null,
    });
    const id = (
      await db.query<{ id: string }>("select id from messages where campaign_id = $1", [
        accepted.body.campaignId,
      ])
    ).rows[0]!.id;
    return { id, campaignId: accepted.body.campaignId };
  };

  it("applies a parked report as soon as its message's acceptance is recorded", async () => {
    const { id } = await sendOne("010-8100-0001");
    expect((await post([{ vendorMessageId: "early-1", status: "delivered" }])).statusCode).toBe(
      200,
    );
    // The applier looked once already: the report waits for its next check.
    expect(await applyPendingReports(db, { now: at(), parking })).toMatchObject({ deferred: 1 });

    await markSent(
      db,
      [
        {
          id,
          vendorAccountId: platformAccount,
          vendorMessageId: "early-1",
          nativeFallback: false,
          routeReason: "primary",
        },
      ],
      at(),
    );
    // Not a second later: the acceptance made it due.
    expect(await applyPendingReports(db, { now: at(), parking })).toMatchObject({ applied: 1 });
    const m = await db.query<{ status: string }>("select status from messages where id = $1", [id]);
    expect(m.rows[0]?.status).toBe("delivered");
    expect(await parked()).toEqual([]);
  });

  it("drops a report whose message never appears within the window, counted, and rewrites it only at its backoff checks", async () => {
    await deleteParked();
    await post([{ vendorMessageId: "never-1", status: "failed" }]);
    const versions = new Set<string>();
    // The applier runs every second of the window and beyond.
    for (let s = 0; s <= WINDOW_MS / 1000 + 5; s++) {
      await applyPendingReports(db, { now: at(), parking });
      for (const row of await parked()) versions.add(row.version);
      tick(1_000);
    }
    // 1 s, 2 s, 4 s … apart: a handful of writes over the minute, not sixty.
    expect(versions.size).toBeGreaterThan(1);
    expect(versions.size).toBeLessThanOrEqual(8);
    expect(await parked()).toEqual([]);
    expect(await dropped()).toEqual([{ reason: "expired", count: 1n }]);
    expect((await runDoctor(db)).reports).toMatchObject({
      parked: 0,
      dropped: { expired: 1 },
    });
  });

  it("applies a parked report whose message appears late within the window", async () => {
    await deleteParked();
    const { id } = await sendOne("010-8100-0002");
    await post([{ vendorMessageId: "late-1", status: "delivered" }]);
    for (let s = 0; s < 40; s++) {
      await applyPendingReports(db, { now: at(), parking });
      tick(1_000);
    }
    // 40 s in, the vendor's acceptance is finally recorded (a slow worker).
    await markSent(
      db,
      [
        {
          id,
          vendorAccountId: platformAccount,
          vendorMessageId: "late-1",
          nativeFallback: false,
          routeReason: "primary",
        },
      ],
      at(),
    );
    await applyPendingReports(db, { now: at(), parking });
    const m = await db.query<{ status: string }>("select status from messages where id = $1", [id]);
    expect(m.rows[0]?.status).toBe("delivered");
  });

  it("parks at most the account's limit; the rest are dropped and counted, and the vendor still gets 200", async () => {
    await deleteParked();
    await db.query("delete from report_drops");
    const first = await post(
      Array.from({ length: 8 }, (_, i) => ({
        vendorMessageId: `flood-${i}`,
        status: "delivered" as const,
      })),
    );
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: 8, stored: LIMIT, dropped: 3 });
    const again = await post([{ vendorMessageId: "flood-more", status: "failed" }]);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ received: 1, stored: 0, dropped: 1 });
    expect(await parked()).toHaveLength(LIMIT);
    expect(await dropped()).toEqual([{ reason: "over_limit", count: 4n }]);

    // Reports about known messages are never turned away by a full parking.
    const { id } = await sendOne("010-8100-0003");
    await markSent(
      db,
      [
        {
          id,
          vendorAccountId: platformAccount,
          vendorMessageId: "known-1",
          nativeFallback: false,
          routeReason: "primary",
        },
      ],
      at(),
    );
    const known = await post([{ vendorMessageId: "known-1", status: "delivered" }]);
    expect(known.json()).toEqual({ received: 1, stored: 1, dropped: 0 });
    expect((await runDoctor(db)).reports).toMatchObject({
      parked: LIMIT,
      dropped: { overLimit: 4 },
    });

    // Once the window has passed and they are dropped, there is room again.
    tick(WINDOW_MS);
    await applyPendingReports(db, { now: at(), parking });
    expect(await parked()).toEqual([]);
    expect(
      (
        await ingestReports(db, {
          vendorAccountId: platformAccount,
          source: "webhook",
          reports: [
            {
              vendorMessageId: "after",
              messageId: null,
              status: "sent",
              type: "sms",
              fallbackOf: null,
              error: null,
              at: at(),
              raw: null,
            },
          ],
          now: at(),
          parking,
        })
      ).stored,
    ).toBe(1);
  });
});
