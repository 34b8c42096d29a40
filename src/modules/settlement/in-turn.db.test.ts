// The settler serves organizations in turn, as the dispatcher's claim does:
// one tenant with more final messages than a batch never keeps another's
// single message, older or newer, waiting for a later round.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startScriptedApp } from "../../../test/scripted-app.ts";
import { accept } from "../../../test/support/scripted-vendor.ts";
import type { DeliveryReport } from "../../vendors/vendor.ts";
import { runDoctor } from "../doctor/service.ts";
import { applyPendingReports, ingestReports } from "../reports/service.ts";
import { settleOnce } from "./service.ts";

describe(`settlement in turn on ${engine}`, async () => {
  const scripted = await startScriptedApp();
  const { app, db, vendor, platformAccount, now } = scripted;
  const dispatcher = scripted.dispatcher({ claimSize: 1000 });
  vendor.answerAll(accept);

  it("settles the other tenant's single message in the first round", async () => {
    const big = await createSendingOrg(db, { credits: 10_000, name: "Big" });
    const small = await createSendingOrg(db, { credits: 100, name: "Small" });
    const send = async (auth: Record<string, string>, recipients: number, base: number) => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/messages",
        headers: auth,
        payload: {
          type: "sms",
          text: "안내",
          recipients: Array.from({ length: recipients }, (_, i) => ({
            to: `010-${base}-${String(i).padStart(4, "0")}`,
          })),
        },
      });
      expect(res.statusCode).toBe(202);
      return res.json().campaignId as string;
    };
    const bulk = await send(big.auth, 60, 7100);
    const single = await send(small.auth, 1, 7200);

    while ((await dispatcher.dispatchOnce()).claimed > 0);
    // Every message delivered, the bulk's first: 61 final messages to settle.
    const sent = await db.query<{ vid: string; campaign: string }>(
      `select vendor_message_id as vid, campaign_id as campaign from messages
       where campaign_id = any($1::text[]) order by campaign_id = $2, id`,
      [[bulk, single], single],
    );
    expect(sent.rows).toHaveLength(61);
    const reports: DeliveryReport[] = sent.rows.map((r) => ({
      vendorMessageId: r.vid,
      messageId: null,
      status: "delivered",
      type: "sms",
      fallbackOf: null,
      error: null,
      at: now(),
      raw: null,
    }));
    await ingestReports(db, {
      vendorAccountId: platformAccount,
      source: "webhook",
      reports,
      now: now(),
    });
    await applyPendingReports(db, { now: now(), limit: 1000 });

    // A batch of 20, shared by the two: the single message is in the first
    // one, whatever its age (the bulk's were delivered first).
    const first = await settleOnce(db, { now: now(), limit: 20 });
    expect(first.messages).toBe(11);
    expect(first.completed).toEqual([single]);
    const settled = await db.query<{ campaign: string; n: number }>(
      `select campaign_id as campaign, count(*)::int as n from messages
       where settled_at is not null and campaign_id = any($1::text[]) group by campaign_id`,
      [[bulk, single]],
    );
    expect(Object.fromEntries(settled.rows.map((r) => [r.campaign, r.n]))).toEqual({
      [bulk]: 10,
      [single]: 1,
    });

    // The rest follow, each message settled once.
    while ((await settleOnce(db, { now: now(), limit: 20 })).messages > 0);
    expect((await runDoctor(db)).violations).toEqual([]);
  });
});
