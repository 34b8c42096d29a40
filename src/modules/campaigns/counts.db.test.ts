// A campaign's counts are kept (campaign_counts, appended by triggers on
// messages) rather than counted per read. They must equal a count of the
// messages after any mix of statements, folds included, and the doctor must
// notice when they do not.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb, engine } from "../../../test/db.ts";
import { runDoctor } from "../doctor/service.ts";
import { acceptSend } from "../messages/service.ts";
import { foldCampaignCounts, tallyCampaign } from "./queries.ts";

describe(`kept campaign counts on ${engine}`, async () => {
  const db = await createTestDb({ poolSize: 12 });
  const shop = await createSendingOrg(db, { credits: 100_000 });

  async function campaignOf(n: number): Promise<string> {
    const sent = await acceptSend(db, {
      orgId: shop.orgId,
      input: {
        type: "sms",
        text: "안내",
        recipients: Array.from({ length: n }, (_, i) => ({
          to: `010-6${String(i).padStart(3, "0")}-${String(n).padStart(4, "0")}`,
        })),
      },
      now: new Date(),
      idempotency: null,
    });
    return sent.body.campaignId;
  }

  const counted = async (campaignId: string) =>
    (
      await db.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from messages where campaign_id = $1
         group by status order by status`,
        [campaignId],
      )
    ).rows;

  it("equals a count of the messages after concurrent transitions and folds", async () => {
    const id = await campaignOf(400);
    // Eight writers move disjoint slices of the campaign through statuses, one
    // small statement at a time, while folds run beside them.
    const writer = async (w: number) => {
      for (let step = 0; step < 10; step++) {
        await db.query(
          `update messages set status = case status when 'queued' then 'sending'
                                                      when 'sending' then 'sent'
                                                      else 'delivered' end
           where campaign_id = $1 and recipient_index % 8 = $2 and recipient_index % 10 = $3
             and status in ('queued', 'sending', 'sent')`,
          [id, w, step],
        );
      }
    };
    const folder = async () => {
      for (let i = 0; i < 10; i++) await foldCampaignCounts(db, { threshold: 1, recent: 100_000 });
    };
    await Promise.all([...Array.from({ length: 8 }, (_, w) => writer(w)), folder(), folder()]);
    await foldCampaignCounts(db, { threshold: 1, recent: 100_000 });

    const tally = await tallyCampaign(db, id);
    const byStatus = Object.fromEntries((await counted(id)).map((r) => [r.status, r.n]));
    expect(tally.counts.total).toBe(400);
    for (const status of ["queued", "sending", "sent", "delivered"] as const) {
      expect(tally.counts[status]).toBe(byStatus[status] ?? 0);
    }
    // Folded: one row per status at most.
    const rows = await db.query<{ n: number }>(
      "select count(*)::int as n from campaign_counts where campaign_id = $1",
      [id],
    );
    expect(rows.rows[0]!.n).toBeLessThanOrEqual(4);
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("are found out by the doctor when they drift from the messages", async () => {
    const id = await campaignOf(3);
    await db.query(
      `insert into campaign_counts (org_id, campaign_id, status, messages, fallbacks,
         in_flight_at_cancel, unsettled, held, charged, released)
       values ($2, $1, 'queued', 1, 0, 0, 0, 0, 0, 0)`,
      [id, shop.orgId],
    );
    const { violations } = await runDoctor(db);
    expect(violations).toEqual([
      {
        campaignId: id,
        problem: expect.stringMatching(/kept counts of queued messages .*4 0 0 .*differ.*\(3 0 0 /),
      },
    ]);
    await db.query(
      `delete from campaign_counts where campaign_id = $1 and messages = 1 and held = 0`,
      [id],
    );
  });
});
