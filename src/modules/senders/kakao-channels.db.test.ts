// KakaoTalk channels are claimed once on the platform and send only once the
// operator has verified them: an organization that registers another's
// sender key gets a conflict, and a pending channel sends nothing.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";

describe(`KakaoTalk channels on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const platform = await platformKey(db);
  const a = await createSendingOrg(db, { name: "A" });
  const b = await createSendingOrg(db, { name: "B" });

  const post = (url: string, headers: Record<string, string>, payload?: object) =>
    app.inject({ method: "POST", url, headers, payload });
  const alimtalk = (kakaoChannel?: string) => ({
    template: { code: "WELCOME_001" },
    ...(kakaoChannel ? { kakaoChannel } : {}),
    recipients: [{ to: "010-1234-5678", variables: { name: "김", shop: "가게" } }],
  });
  const channelOf = async (campaignId: string) =>
    (
      await db.query<{ channel: { id: string; senderKey: string } | null }>(
        `select content->'kakaoChannel' as channel from campaigns where id = $1`,
        [campaignId],
      )
    ).rows[0]?.channel ?? null;

  let channelId = "";

  it("a customer's channel is registered pending, not its default", async () => {
    const res = await post("/v1/kakao-channels", a.auth, { name: "A", senderKey: "SK-A" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      senderKey: "SK-A",
      status: "pending",
      isDefault: false,
      verifiedAt: null,
    });
    channelId = res.json().id;
  });

  it("a pending channel sends nothing: named → 400, unnamed → not used", async () => {
    const named = await post("/v1/messages", a.auth, alimtalk(channelId));
    expect(named.statusCode).toBe(400);
    expect(named.json().error.details).toEqual([
      expect.objectContaining({ path: "/kakaoChannel", code: "SENDER_NOT_REGISTERED" }),
    ]);
    const unnamed = await post("/v1/messages", a.auth, alimtalk());
    expect(unnamed.statusCode).toBe(202);
    expect(await channelOf(unnamed.json().campaignId)).toBeNull();
  });

  it("another organization cannot claim the same sender key or pfId", async () => {
    const key = await post("/v1/kakao-channels", b.auth, { name: "B", senderKey: "SK-A" });
    expect(key.statusCode).toBe(409);
    expect(key.json().error).toMatchObject({
      code: "CONFLICT",
      details: [expect.objectContaining({ path: "/senderKey", code: "ALREADY_REGISTERED" })],
    });
    await post("/v1/kakao-channels", a.auth, { name: "A2", pfId: "PF-A" });
    const pf = await post("/v1/kakao-channels", b.auth, { name: "B", pfId: "PF-A" });
    expect(pf.statusCode).toBe(409);
    expect(pf.json().error.details[0].path).toBe("/pfId");
    // Nothing half-stored: B has no channel at all.
    const list = await app.inject({ method: "GET", url: "/v1/kakao-channels", headers: b.auth });
    expect(list.json().data).toEqual([]);
  });

  it("only the platform operator verifies; another organization does not even see it", async () => {
    const own = await post(`/v1/kakao-channels/${channelId}/verify`, a.auth);
    expect(own.statusCode).toBe(403);
    const other = await post(`/v1/kakao-channels/${channelId}/verify`, b.auth);
    expect(other.statusCode).toBe(404);
    const verified = await post(`/v1/kakao-channels/${channelId}/verify`, platform.auth);
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ status: "verified", isDefault: true });
    expect(verified.json().verifiedAt).toEqual(expect.any(String));
  });

  it("once verified, the channel sends, named or as the default", async () => {
    const named = await post("/v1/messages", a.auth, alimtalk(channelId));
    expect(named.statusCode).toBe(202);
    expect(await channelOf(named.json().campaignId)).toMatchObject({
      id: channelId,
      senderKey: "SK-A",
    });
    const unnamed = await post("/v1/messages", a.auth, alimtalk());
    expect(await channelOf(unnamed.json().campaignId)).toMatchObject({ id: channelId });
    // B still cannot name A's channel.
    const stolen = await post("/v1/messages", b.auth, alimtalk(channelId));
    expect(stolen.statusCode).toBe(400);
  });

  it("the operator's own channels are verified at once", async () => {
    const res = await post("/v1/kakao-channels", platform.auth, { name: "P", senderKey: "SK-P" });
    expect(res.json()).toMatchObject({ status: "verified", isDefault: true });
  });
});
