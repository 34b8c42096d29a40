// X-Alimi-Org: a caller acts for any organization below its own, with its
// own role; anything else is 404, as if it did not exist.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "./app.ts";
import { engine } from "./db.ts";

describe(`acting for a descendant on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const hq = await createSendingOrg(db, { credits: 1000, name: "본사" });
  const branch = await createSendingOrg(db, { credits: 50, name: "지점", parentId: hq.orgId });
  const sibling = await createSendingOrg(db, { credits: 70, name: "다른 본사" });
  const as = (caller: { authorization: string }, orgId: string) => ({
    ...caller,
    "x-alimi-org": orgId,
  });

  it("reads and sends as the descendant, with the descendant's money", async () => {
    const credits = await app.inject({
      method: "GET",
      url: "/v1/credits",
      headers: as(hq.auth, branch.orgId),
    });
    expect(credits.json()).toMatchObject({ balance: "50.00" });
    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: as(hq.auth, branch.orgId),
      payload: { type: "sms", text: "지점 안내", recipients: [{ to: "010-3000-0001" }] },
    });
    expect(sent.statusCode).toBe(202);
    const mine = await app.inject({ method: "GET", url: "/v1/credits", headers: branch.auth });
    expect(mine.json()).toMatchObject({ held: "15.00" });
    // The campaign is the branch's: in its list, not in the headquarters'.
    const branchList = await app.inject({
      method: "GET",
      url: "/v1/campaigns",
      headers: branch.auth,
    });
    expect(branchList.json().data.map((c: { id: string }) => c.id)).toEqual([
      sent.json().campaignId,
    ]);
    const hqList = await app.inject({ method: "GET", url: "/v1/campaigns", headers: hq.auth });
    expect(hqList.json().data).toEqual([]);
  });

  it("is 404 for an ancestor, a sibling, or something that is not an id", async () => {
    for (const [caller, target] of [
      [branch.auth, hq.orgId],
      [hq.auth, sibling.orgId],
      [sibling.auth, branch.orgId],
      [hq.auth, "not an id"],
    ] as const) {
      const res = await app.inject({
        method: "GET",
        url: "/v1/credits",
        headers: as(caller, target),
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe("NOT_FOUND");
    }
  });
});
