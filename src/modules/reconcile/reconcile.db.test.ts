// Polling with a passed clock: a sent message whose report was lost is asked
// of its vendor at ALIMI_POLL_AFTER, again with backoff while the vendor says
// it is pending, resolved when the vendor knows, and expired only at
// ALIMI_EXPIRE_AFTER.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb, engine } from "../../../test/db.ts";
import { testTransports } from "../../../test/support/vendor-calls.ts";
import { createSecretBox } from "../../lib/secret-box.ts";
import type { DeliveryReport, VendorAdapter } from "../../vendors/vendor.ts";
import { acceptSend } from "../messages/service.ts";
import { markSent } from "../messages/transitions.ts";
import { ensurePlatform } from "../orgs/service.ts";
import { createVendorDirectory, ensurePlatformSandbox } from "../vendor-accounts/service.ts";
import { createPoller, reconcileOnce } from "./service.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const schedule = { pollAfterMs: 2 * MIN, expireAfterMs: 72 * HOUR };

/** A vendor whose answers the test sets: what it knows, and whether it can be reached. */
function fakeVendor() {
  const known = new Map<string, DeliveryReport["status"]>();
  const calls: string[][] = [];
  let down = false;
  const adapter: VendorAdapter = {
    vendor: "sandbox",
    batchSize: 2,
    canPoll: true,
    send: async () => [],
    parseReports: () => ({ ok: false, status: 400, message: "not used" }),
    async poll(_account, messages) {
      calls.push(messages.map((m) => m.vendorMessageId));
      if (down) throw new Error("vendor unreachable");
      const reports: DeliveryReport[] = [];
      for (const m of messages) {
        const status = known.get(m.vendorMessageId);
        if (status === undefined) continue;
        reports.push({
          vendorMessageId: m.vendorMessageId,
          messageId: m.id,
          status,
          type: "sms",
          fallbackOf: null,
          error:
            status === "failed"
              ? { code: "UNREACHABLE", rawCode: "x", message: "unreachable" }
              : null,
          at: new Date(0),
          raw: {},
        });
      }
      return { reports };
    },
    checkCredentials: async () => ({ ok: true, message: "" }),
  };
  return {
    adapter,
    known,
    calls,
    setDown: (value: boolean) => {
      down = value;
    },
  };
}

describe(`polling for lost reports on ${engine}`, async () => {
  const db = await createTestDb();
  const box = createSecretBox(randomBytes(32));
  await ensurePlatform(db);
  const accountId = await ensurePlatformSandbox(db, box);
  const directory = createVendorDirectory({
    db,
    box,
    transports: testTransports,
    publicUrl: () => "http://127.0.0.1:9",
  });

  /** Four SMS sent to the vendor at `sentAt`, with vendor ids v1…v4. */
  async function sentMessages(sentAt: Date, prefix: number) {
    const org = await createSendingOrg(db, { credits: 1000 });
    const accepted = await acceptSend(db, {
      orgId: org.orgId,
      input: {
        type: "sms",
        text: "안내",
        recipients: [1, 2, 3, 4].map((i) => ({ to: `010-${prefix}-000${i}` })),
      },
      now: sentAt,
      idempotency: null,
    });
    const rows = await db.query<{ id: string }>(
      "select id from messages where campaign_id = $1 order by recipient",
      [accepted.body.campaignId],
    );
    const ids = rows.rows.map((r) => r.id);
    await db.query("update messages set status = 'sending' where id = any($1::text[])", [ids]);
    const vids = ids.map((_, i) => `v${prefix}-${i + 1}`);
    await markSent(
      db,
      ids.map((id, i) => ({
        id,
        vendorAccountId: accountId,
        vendorMessageId: vids[i]!,
        nativeFallback: false,
        routeReason: "primary",
      })),
      sentAt,
    );
    return { ids, vids };
  }

  async function states(ids: string[]) {
    const r = await db.query<{ status: string; polls: number }>(
      "select status, polls from messages where id = any($1::text[]) order by recipient",
      [ids],
    );
    return r.rows.map((row) => `${row.status}/${row.polls}`);
  }

  it("polls at POLL_AFTER in vendor batches, backs off while pending, resolves what the vendor knows, expires at EXPIRE_AFTER", async () => {
    const vendor = fakeVendor();
    const sentAt = new Date("2026-12-01T00:00:00Z");
    const at = (ms: number) => new Date(sentAt.getTime() + ms);
    const { ids, vids } = await sentMessages(sentAt, 5100);
    const poller = createPoller({
      db,
      directory,
      adapters: { sandbox: vendor.adapter } as never,
      schedule,
    });
    const round = (ms: number) =>
      reconcileOnce({ db, directory, adapters: {} as never, schedule, poller, now: at(ms) });

    // Before ALIMI_POLL_AFTER nobody is asked.
    expect(await round(2 * MIN - 1)).toMatchObject({ claimed: 0, polled: 0, expired: 0 });
    expect(vendor.calls).toEqual([]);

    // At ALIMI_POLL_AFTER: all four, two per call (the adapter's batch size); v1's result is known.
    vendor.known.set(vids[0]!, "delivered");
    expect(await round(2 * MIN)).toMatchObject({
      claimed: 4,
      polled: 4,
      resolved: 1,
      rescheduled: 3,
    });
    expect(vendor.calls.map((c) => c.length)).toEqual([2, 2]);
    expect(vendor.calls.flat().sort()).toEqual([...vids].sort());
    expect(await states(ids)).toEqual(["delivered/0", "sent/1", "sent/1", "sent/1"]);

    // Pending: asked again 4 minutes later (backoff), not before.
    vendor.calls.length = 0;
    expect(await round(6 * MIN - 1)).toMatchObject({ claimed: 0 });
    vendor.known.set(vids[1]!, "failed");
    expect(await round(6 * MIN)).toMatchObject({ claimed: 3, resolved: 1, rescheduled: 2 });
    expect(vendor.calls.flat().sort()).toEqual(vids.slice(1).sort());
    expect(await states(ids)).toEqual(["delivered/0", "failed/1", "sent/2", "sent/2"]);

    // Then 8 minutes; a vendor that cannot be asked changes nothing but the schedule.
    expect(await round(14 * MIN - 1)).toMatchObject({ claimed: 0 });
    vendor.setDown(true);
    expect(await round(14 * MIN)).toMatchObject({ claimed: 2, resolved: 0, expired: 0 });
    expect(await states(ids)).toEqual(["delivered/0", "failed/1", "sent/3", "sent/3"]);
    vendor.setDown(false);

    // Still pending a day later: polled (at most an hour apart), never expired before 72 h.
    expect(await round(24 * HOUR)).toMatchObject({ claimed: 2, expired: 0 });
    expect(await round(72 * HOUR - 1)).toMatchObject({ claimed: 2, expired: 0 });
    expect(await states(ids)).toEqual(["delivered/0", "failed/1", "sent/5", "sent/5"]);

    // At ALIMI_EXPIRE_AFTER: expired, to be released by the settler.
    expect(await round(72 * HOUR)).toMatchObject({ expired: 2 });
    expect((await states(ids)).map((s) => s.split("/")[0])).toEqual([
      "delivered",
      "failed",
      "expired",
      "expired",
    ]);
  });

  it("does not wait for a slow vendor: tick() returns while the poll is in flight", async () => {
    const vendor = fakeVendor();
    let released = false;
    const waiting: (() => void)[] = [];
    const release = () => {
      released = true;
      for (const resolve of waiting) resolve();
    };
    const slow: VendorAdapter = {
      ...vendor.adapter,
      async poll(account, messages) {
        if (!released) await new Promise<void>((resolve) => waiting.push(resolve));
        return vendor.adapter.poll(account, messages);
      },
    };
    const sentAt = new Date("2026-12-02T00:00:00Z");
    await sentMessages(sentAt, 5200);
    const poller = createPoller({ db, directory, adapters: { sandbox: slow } as never, schedule });
    const tick = await poller.tick(new Date(sentAt.getTime() + 2 * MIN));
    expect(tick.claimed).toBeGreaterThan(0);
    // The account is busy: the next tick claims nothing of it, and does not wait either.
    expect(await poller.tick(new Date(sentAt.getTime() + 3 * MIN))).toMatchObject({ claimed: 0 });
    release();
    await poller.idle();
    expect(poller.totals().polled).toBeGreaterThan(0);
  });
});
