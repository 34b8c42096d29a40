// A launched draft's messages are queued in batches, in one pass in id order,
// each batch its own transaction; the draft is released after the last.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { releaseLaunchedDraft } from "./draft-queries.ts";

describe(`releasing a launched draft on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000 });
  const post = (url: string, payload: Record<string, unknown>) =>
    app.inject({ method: "POST", url, headers: shop.auth, payload });

  it("queues every message once, a batch at a time, then marks the draft released", async () => {
    const draft = (await post("/v1/campaigns", { type: "sms", text: "안내" })).json();
    for (const from of [0, 3]) {
      await post(`/v1/campaigns/${draft.id}/recipients`, {
        recipients: Array.from({ length: 3 }, (_, i) => ({ to: `010-4000-00${from + i}0` })),
      });
    }
    expect(await db.tx((q) => releaseLaunchedDraft(q, { now: new Date(), limit: 4 }))).toBeNull();
    await post(`/v1/campaigns/${draft.id}/launch`, {});

    const batches: number[] = [];
    for (;;) {
      const round = await db.tx((q) => releaseLaunchedDraft(q, { now: new Date(), limit: 4 }));
      if (!round) break;
      expect(round.campaignId).toBe(draft.id);
      batches.push(round.queued);
    }
    expect(batches).toEqual([4, 2]);
    const states = await db.query<{ status: string; n: number }>(
      "select status, count(*)::int as n from messages where campaign_id = $1 group by status",
      [draft.id],
    );
    expect(states.rows).toEqual([{ status: "queued", n: 6 }]);
    const c = await db.query<{ released: boolean }>(
      "select released_at is not null as released from campaigns where id = $1",
      [draft.id],
    );
    expect(c.rows[0]!.released).toBe(true);
  });
});
