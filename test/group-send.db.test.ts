// Sending to contact groups within the rules: members merged with the
// request's recipients once per number, filled in from their contacts;
// opt-outs never sent to; advertising only with consent; at night
// (21:00–08:00 in the organization's time zone) advertising waits for the
// morning or is refused, unless the contact consented to night sends.
import { describe, expect, it } from "vitest";
import { releaseLaunchedDraft } from "../src/modules/campaigns/index.ts";
import { createSendingOrg, createTestApp } from "./app.ts";
import { engine } from "./db.ts";

const AD = "(광고) #{name}님, #{매장} 12월 행사\n무료수신거부 080-123-4567";

describe(`sending to groups on ${engine}`, async () => {
  const { app, db, clock } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000, name: "그룹 발송" });
  type Method = "GET" | "POST";
  const call = (method: Method, url: string, payload?: object) =>
    app.inject({ method, url, headers: shop.auth, ...(payload ? { payload } : {}) });

  const vip = (await call("POST", "/v1/groups", { name: "VIP" })).json().id as string;
  const add = async (phone: string, name: string, consent: object = {}) =>
    (
      await call("POST", "/v1/contacts", {
        phone,
        name,
        attributes: { 매장: "강남점" },
        groupIds: [vip],
        consent,
      })
    ).json().id as string;
  await add("010-5100-0001", "김민지", { advertising: true, night: true });
  await add("010-5100-0002", "이서준", { advertising: true });
  await add("010-5100-0003", "박하늘");
  await add("010-5100-0004", "최수신거부", { advertising: true });
  await call("POST", "/v1/opt-outs", { phone: "010-5100-0004", scope: "all" });

  const messagesOf = async (campaignId: string) =>
    (
      await db.query<{ recipient: string; name: string | null; variables: unknown; runAt: Date }>(
        `select recipient, name, variables, run_at as "runAt" from messages
         where campaign_id = $1 order by recipient`,
        [campaignId],
      )
    ).rows;

  it("sends to the members and the recipients once per number, with the contacts' variables", async () => {
    clock.now = new Date("2026-12-02T14:00:00+09:00");
    const res = await call("POST", "/v1/messages", {
      type: "sms",
      text: "#{name}님, #{매장} 안내입니다",
      groupIds: [vip],
      recipients: [{ to: "010-5100-0002", variables: { name: "서준" } }, { to: "010-5100-0009" }],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    // 0002 given explicitly wins over its membership; 0009 is not a contact and has no #{name}.
    expect(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, "MISSING_VARIABLE"],
      [4, "OPTED_OUT"],
    ]);
    expect(body).toMatchObject({ accepted: 3, deferred: [], deferredUntil: null });
    const sent = await messagesOf(body.campaignId);
    expect(sent.map((m) => [m.recipient, m.name, m.variables])).toEqual([
      ["+821051000001", "김민지", { 매장: "강남점", name: "김민지" }],
      ["+821051000002", "이서준", { 매장: "강남점", name: "서준" }],
      ["+821051000003", "박하늘", { 매장: "강남점", name: "박하늘" }],
    ]);
  });

  it("sends advertising only with consent, and to a raw number only when confirmed", async () => {
    clock.now = new Date("2026-12-02T14:00:00+09:00");
    const res = await call("POST", "/v1/messages/estimate", {
      type: "lms",
      text: AD,
      advertising: true,
      groupIds: [vip],
      recipients: [{ to: "010-5100-0009", variables: { name: "손님", 매장: "본점" } }],
    });
    expect(
      res.json().rejected.map((r: { index: number; code: string }) => [r.index, r.code]),
    ).toEqual([
      [0, "NO_AD_CONSENT"],
      [3, "NO_AD_CONSENT"],
      [4, "OPTED_OUT"],
    ]);
    const confirmed = await call("POST", "/v1/messages/estimate", {
      type: "lms",
      text: AD,
      advertising: true,
      consentConfirmed: true,
      recipients: [{ to: "010-5100-0009", variables: { name: "손님", 매장: "본점" } }],
    });
    expect(confirmed.json()).toMatchObject({ accepted: 1, rejected: [] });
  });

  it("at night defers advertising to 08:00 for those without night consent, or refuses it", async () => {
    clock.now = new Date("2026-12-02T22:30:00+09:00");
    const res = await call("POST", "/v1/messages", {
      type: "lms",
      text: AD,
      advertising: true,
      groupIds: [vip],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({
      accepted: 2,
      deferred: [{ index: 1, to: "+821051000002" }],
      deferredUntil: "2026-12-02T23:00:00.000Z",
    });
    const queued = await messagesOf(body.campaignId);
    expect(queued.map((m) => [m.recipient, m.runAt.toISOString()])).toEqual([
      ["+821051000001", "2026-12-02T13:30:00.000Z"],
      ["+821051000002", "2026-12-02T23:00:00.000Z"],
    ]);
    const rejected = await call("POST", "/v1/messages/estimate", {
      type: "lms",
      text: AD,
      advertising: true,
      nightPolicy: "reject",
      groupIds: [vip],
    });
    expect(
      rejected.json().rejected.map((r: { index: number; code: string }) => [r.index, r.code]),
    ).toEqual([
      [1, "NIGHT_TIME_AD"],
      [2, "NO_AD_CONSENT"],
      [3, "OPTED_OUT"],
    ]);
  });

  it("refuses advertising to raw numbers without consentConfirmed, contacts or not", async () => {
    clock.now = new Date("2026-12-02T14:00:00+09:00");
    const bare = await createSendingOrg(db, { credits: 100, name: "주소록 없음" });
    const payload = {
      type: "lms",
      text: AD,
      advertising: true,
      recipients: [{ to: "010-5200-0001", variables: { name: "손님", 매장: "본점" } }],
    };
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: bare.auth,
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { code: string }) => d.code)).toEqual([
      "NO_VALID_RECIPIENTS",
      "NO_AD_CONSENT",
    ]);
    const confirmed = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: bare.auth,
      payload: { ...payload, consentConfirmed: true },
    });
    expect(confirmed.statusCode).toBe(202);
  });

  it("a group of another organization, or none at all, is refused at its index", async () => {
    const other = await createSendingOrg(db, { credits: 10, name: "남의 가게" });
    const theirs = (
      await app.inject({
        method: "POST",
        url: "/v1/groups",
        headers: other.auth,
        payload: { name: "X" },
      })
    ).json().id;
    const res = await call("POST", "/v1/messages", {
      type: "sms",
      text: "안내",
      groupIds: [vip, theirs],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({
      path: "/groupIds/1",
      code: "GROUP_NOT_FOUND",
    });
  });

  it("judges a draft's advertising night when it is released, not when its parts came", async () => {
    const draftAt = async (launchAt: string) => {
      clock.now = new Date("2026-12-02T22:00:00+09:00");
      const draft = await call("POST", "/v1/campaigns", {
        type: "lms",
        text: AD,
        advertising: true,
        nightPolicy: "reject",
      });
      expect(draft.statusCode).toBe(201);
      const id = draft.json().id as string;
      // A part at night is not refused for the night: the draft goes out later.
      const part = await call("POST", `/v1/campaigns/${id}/recipients`, {
        recipients: [{ to: "010-5100-0001" }, { to: "010-5100-0002" }],
      });
      expect(part.json()).toMatchObject({ accepted: 2, rejected: [] });
      clock.now = new Date(launchAt);
      expect((await call("POST", `/v1/campaigns/${id}/launch`, {})).statusCode).toBe(200);
      while (await releaseLaunchedDraft(db, { now: clock.now, limit: 1 })) {}
      return (await messagesOf(id)).map((m) => [m.recipient, m.runAt.toISOString()]);
    };
    // Launched at night: only the contact with night consent goes now.
    expect(await draftAt("2026-12-02T23:30:00+09:00")).toEqual([
      ["+821051000001", "2026-12-02T14:30:00.000Z"],
      ["+821051000002", "2026-12-02T23:00:00.000Z"],
    ]);
    // Launched in the morning: both go.
    expect(await draftAt("2026-12-03T09:15:00+09:00")).toEqual([
      ["+821051000001", "2026-12-03T00:15:00.000Z"],
      ["+821051000002", "2026-12-03T00:15:00.000Z"],
    ]);
  });
});
