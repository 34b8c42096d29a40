// The vendor took the batch but its answer never came back: we send the
// batch again under the same message ids, and the sandbox (deduplicating by
// our id) answers with the same vendor ids without sending anything twice.
import { describe, expect, it } from "vitest";
import { runDoctor } from "../src/modules/doctor/service.ts";
import { createSendingOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";

describe(`a lost vendor answer on ${engine}`, async () => {
  // One dispatcher, so the three messages go in one request: the one whose answer is lost.
  const pipeline = await startPipeline({ delayMs: 20, dispatchConcurrency: 1 });
  const { app, db, sandbox } = pipeline;
  // Give up on a silent vendor quickly.
  await db.query("update vendor_accounts set settings = $2 where id = $1", [
    pipeline.sandboxAccountId,
    JSON.stringify({ timeoutMs: 300 }),
  ]);
  const shop = await createSendingOrg(db, { credits: 1000 });

  it("is sent again with the same ids, and the vendor sends each message once", async () => {
    sandbox.failNext(1, "lost-response");
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        type: "sms",
        text: "재발송 확인",
        recipients: [{ to: "010-4444-0001" }, { to: "010-4444-0002" }, { to: "010-4444-0003" }],
      },
    });
    expect(res.statusCode).toBe(202);
    const campaignId = res.json().campaignId as string;
    await waitForCompletion(db, campaignId);

    const messages = await db.query<{ id: string; attempts: number; status: string }>(
      "select id, attempts, status from messages where campaign_id = $1",
      [campaignId],
    );
    expect(messages.rows).toHaveLength(3);
    for (const m of messages.rows) {
      expect(m).toMatchObject({ attempts: 2, status: "delivered" });
      expect(await sandbox.seen(m.id)).toBe(2);
      expect(await sandbox.received(m.id)).toBe(1);
    }
    expect((await runDoctor(db)).violations).toEqual([]);
  });
});
