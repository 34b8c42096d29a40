// The tree through the API: parents create their children (of the kinds
// allowed under them), act for them, and suspend them.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { registerSender } from "../senders/index.ts";
import { DEMO_SENDER } from "./bootstrap.ts";

describe(`organizations through the API on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const hq = await createSendingOrg(db, { credits: 1000, name: "본사" });
  const post = (
    url: string,
    payload: Record<string, unknown>,
    headers: Record<string, string> = hq.auth,
  ) => app.inject({ method: "POST", url, headers, payload });

  it("creates children of the kinds allowed below each kind", async () => {
    const dist = await post("/v1/orgs", { name: "총판", kind: "distributor" });
    expect(dist.statusCode).toBe(201);
    expect(dist.json()).toMatchObject({
      kind: "distributor",
      parentId: hq.orgId,
      status: "active",
    });
    const agency = await post("/v1/orgs", {
      name: "대리점",
      kind: "agency",
      parentId: dist.json().id,
    });
    const branch = await post("/v1/orgs", {
      name: "지점",
      kind: "branch",
      parentId: agency.json().id,
    });
    expect(branch.json()).toMatchObject({ kind: "branch", depth: 5 - 1 });
    const under = await post("/v1/orgs", { name: "x", kind: "branch", parentId: branch.json().id });
    expect(under.statusCode).toBe(400);
    expect(under.json().error.details[0]).toMatchObject({
      code: "INVALID_CHILD_KIND",
      message: "a branch has no children",
    });
    const upward = await post("/v1/orgs", {
      name: "x",
      kind: "distributor",
      parentId: agency.json().id,
    });
    expect(upward.json().error.details[0]).toMatchObject({
      code: "INVALID_CHILD_KIND",
      message: "a agency may have branch",
    });
    const stranger = await createSendingOrg(db, { name: "남" });
    expect(
      (await post("/v1/orgs", { name: "x", kind: "branch", parentId: stranger.orgId })).statusCode,
    ).toBe(404);

    // The parent gives its child a key by acting for it.
    const key = await post(
      "/v1/api-keys",
      { name: "branch app", scopes: ["send", "read"] },
      { ...hq.auth, "x-alimi-org": branch.json().id },
    );
    expect(key.statusCode).toBe(201);
    const me = await app.inject({
      method: "GET",
      url: "/v1/me",
      headers: { authorization: `Bearer ${key.json().key}` },
    });
    expect(me.json().org).toMatchObject({ id: branch.json().id, kind: "branch" });
  });

  it("refuses the sends of a suspended organization and of everything below it", async () => {
    const dist = (await post("/v1/orgs", { name: "정지될 총판", kind: "distributor" })).json();
    const branch = (
      await post("/v1/orgs", { name: "그 지점", kind: "branch", parentId: dist.id })
    ).json();
    await post("/v1/credits/transfers", { toOrgId: branch.id, amount: "100" });
    await registerSender(db, { orgId: branch.id, number: DEMO_SENDER, verified: true });
    const send = () =>
      post(
        "/v1/messages",
        { type: "sms", text: "안내", recipients: [{ to: "010-5000-0001" }] },
        { ...hq.auth, "x-alimi-org": branch.id },
      );
    const queued = (await send()).json().campaignId as string;
    const due = async () =>
      (
        await db.query<{ waiting: boolean }>(
          "select run_at = 'infinity' as waiting from messages where campaign_id = $1",
          [queued],
        )
      ).rows[0]!.waiting;
    expect(await due()).toBe(false);
    const suspended = await app.inject({
      method: "PATCH",
      url: `/v1/orgs/${dist.id}`,
      headers: hq.auth,
      payload: { status: "suspended" },
    });
    expect(suspended.json().status).toBe("suspended");
    const refused = await send();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("ORG_SUSPENDED");
    // What was queued below it waits.
    expect(await due()).toBe(true);
    // A key may not suspend its own organization; only an owner may.
    const self = await app.inject({
      method: "PATCH",
      url: `/v1/orgs/${hq.orgId}`,
      headers: hq.auth,
      payload: { status: "suspended" },
    });
    expect(self.statusCode).toBe(403);
    await app.inject({
      method: "PATCH",
      url: `/v1/orgs/${dist.id}`,
      headers: hq.auth,
      payload: { status: "active" },
    });
    expect(await due()).toBe(false);
    expect((await send()).statusCode).toBe(202);
  });
});
