// A campaign's results through HTTP: the groups it went to and how each
// fared (a member counts for the first requested group it is in, a
// recipient the request named for none, a fallback for its original's),
// the campaign list by group and time, message search by number across
// campaigns, what each message said, the CSV export — and none of it
// across tenants.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startPipeline, waitForCompletion } from "../../../test/pipeline.ts";
import { formatLocalTime } from "../../domain/iso-time.ts";

const BOM = "\uFEFF";
const HEADER = "수신번호,이름,유형,상태,발송시각,결과시각,오류,금액";

describe(`campaign results on ${engine}`, async () => {
  const pipeline = await startPipeline({ pollAfterMs: 1_000, expireAfterMs: 3_000, delayMs: 20 });
  const { app, db } = pipeline;
  const shop = await createSendingOrg(db, { credits: 2000, name: "결과 본사" });
  const stranger = await createSendingOrg(db, { credits: 100, name: "남의 회사" });
  type Auth = { authorization: string };
  const call = (method: "GET" | "POST", url: string, payload?: object, auth: Auth = shop.auth) =>
    app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });

  const group = async (name: string, auth: Auth = shop.auth) =>
    (await call("POST", "/v1/groups", { name }, auth)).json().id as string;
  const vip = await group("VIP");
  const regular = await group("일반");
  const strangersGroup = await group("VIP", stranger.auth);
  const contact = async (phone: string, name: string, groupIds: string[]) => {
    const res = await call("POST", "/v1/contacts", { phone, name, groupIds });
    expect(res.statusCode).toBe(201);
  };
  // Sandbox outcomes: 0001 Alimtalk fails, its SMS is delivered; 0002 fails on every
  // channel; 0000 delivered; 0004 never reported (expires); 0005 reported twice.
  await contact("010-0000-0001", "김에이", [vip]);
  await contact("010-0000-0002", "박씨", [regular, vip]);
  await contact("010-0000-0000", "최디", [regular]);
  await contact("010-0000-0004", "이비", [vip]);

  const sent = await call("POST", "/v1/messages", {
    template: { code: "WELCOME_001", variables: { shop: "알리미" } },
    groupIds: [vip, regular, vip],
    recipients: [
      { to: "010-0000-0004", variables: { name: "비" } },
      { to: "010-0000-0005", variables: { name: "이" } },
    ],
  });
  expect(sent.statusCode).toBe(202);
  const campaignId = sent.json().campaignId as string;
  expect(sent.json()).toMatchObject({ accepted: 5, rejected: [] });
  const plain = await call("POST", "/v1/messages", {
    type: "sms",
    text: "일반 안내",
    recipients: [{ to: "010-0000-0001" }],
  });
  const plainId = plain.json().campaignId as string;
  const theirs = await call(
    "POST",
    "/v1/messages",
    {
      type: "sms",
      text: "남의 안내",
      groupIds: [strangersGroup],
      recipients: [{ to: "010-6000-0001" }],
    },
    stranger.auth,
  );
  expect(theirs.statusCode).toBe(202);
  const theirsId = theirs.json().campaignId as string;
  for (const id of [campaignId, plainId, theirsId]) await waitForCompletion(db, id);

  const messagesOf = async (id: string) =>
    (
      await db.query<{
        id: string;
        recipient: string;
        type: string;
        status: string;
        groupId: string | null;
        fallbackOf: string | null;
        sentAt: Date | null;
        deliveredAt: Date | null;
        failedAt: Date | null;
      }>(
        `select id, recipient, type, status, group_id as "groupId", fallback_of as "fallbackOf",
           sent_at as "sentAt", delivered_at as "deliveredAt", failed_at as "failedAt"
         from messages where campaign_id = $1 order by recipient, fallback_of nulls first`,
        [id],
      )
    ).rows;

  it("remembers the group each recipient came from, fallbacks included", async () => {
    const rows = await messagesOf(campaignId);
    expect(rows.map((m) => [m.recipient, m.type, m.status, m.groupId])).toEqual([
      ["+821000000000", "alimtalk", "delivered", regular],
      ["+821000000001", "alimtalk", "failed", vip],
      ["+821000000001", expect.stringMatching(/^[sl]ms$/), "delivered", vip],
      // In both groups: the first the request names.
      ["+821000000002", "alimtalk", "failed", vip],
      ["+821000000002", expect.stringMatching(/^[sl]ms$/), "failed", vip],
      // Named by the request itself, though a member of VIP.
      ["+821000000004", "alimtalk", "expired", null],
      ["+821000000005", "alimtalk", "delivered", null],
    ]);
  });

  it("tells how each group fared, recipient by recipient, with clicks", async () => {
    const res = await call("GET", `/v1/campaigns/${campaignId}/groups`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        groupId: vip,
        name: "VIP",
        total: 2,
        delivered: 1,
        failed: 1,
        pending: 0,
        clicked: 0,
        expired: 0,
        canceled: 0,
      },
      {
        groupId: regular,
        name: "일반",
        total: 1,
        delivered: 1,
        failed: 0,
        pending: 0,
        clicked: 0,
        expired: 0,
        canceled: 0,
      },
    ]);
    // 최디 follows the button of the Alimtalk they got.
    const delivered = (await messagesOf(campaignId)).find((m) => m.recipient === "+821000000000")!;
    const shown = (await call("GET", `/v1/messages/${delivered.id}`)).json();
    const link = shown.content.buttons[0].linkMobile as string;
    const code = /\/r\/([\w-]+)/.exec(link)?.[1];
    expect(code).toBeTruthy();
    const follow = await app.inject({
      method: "GET",
      url: `/r/${code}`,
      headers: { "user-agent": "Mozilla/5.0 (Linux; Android 15) Mobile" },
    });
    expect(follow.statusCode).toBe(302);
    await app.linkClicks.flush();
    const after = (await call("GET", `/v1/campaigns/${campaignId}/groups`)).json();
    expect(after.map((g: { clicked: number }) => g.clicked)).toEqual([0, 1]);
    // A group renamed later keeps the name it was sent under.
    await app.inject({
      method: "PATCH",
      url: `/v1/groups/${vip}`,
      headers: shop.auth,
      payload: { name: "VVIP" },
    });
    const renamed = (await call("GET", `/v1/campaigns/${campaignId}/groups`)).json();
    expect(renamed[0].name).toBe("VIP");
    expect((await call("GET", `/v1/campaigns/${plainId}/groups`)).json()).toEqual([]);
  });

  it("lists campaigns by group, status and time, refusing what it cannot read", async () => {
    const ids = async (query: string, auth: Auth = shop.auth) => {
      const res = await call("GET", `/v1/campaigns?${query}`, undefined, auth);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 200 });
      return res.json().data.map((c: { id: string }) => c.id);
    };
    expect(await ids("")).toEqual([plainId, campaignId]);
    expect(await ids(`groupId=${vip}`)).toEqual([campaignId]);
    expect(await ids(`groupId=${regular}&status=completed`)).toEqual([campaignId]);
    expect(await ids(`groupId=${regular}&status=queued`)).toEqual([]);
    // Another organization's group matches nothing here; theirs sees its own.
    expect(await ids(`groupId=${strangersGroup}`)).toEqual([]);
    expect(await ids(`groupId=${strangersGroup}`, stranger.auth)).toEqual([theirsId]);
    const created = (await call("GET", `/v1/campaigns/${campaignId}`)).json().createdAt as string;
    const after = new Date(new Date(created).getTime() + 1).toISOString();
    expect(await ids(`to=${encodeURIComponent(after)}&groupId=${vip}`)).toEqual([campaignId]);
    expect(await ids(`from=${encodeURIComponent(after)}&groupId=${vip}`)).toEqual([]);
    const first = (await call("GET", "/v1/campaigns?limit=1")).json();
    expect(first.data.map((c: { id: string }) => c.id)).toEqual([plainId]);
    const next = (await call("GET", `/v1/campaigns?limit=1&cursor=${first.nextCursor}`)).json();
    expect(next.data.map((c: { id: string }) => c.id)).toEqual([campaignId]);
    for (const [query, path] of [
      ["from=yesterday", "/querystring/from"],
      ["to=2026-13-01T00:00:00Z", "/querystring/to"],
      ["groupId=VIP", "/querystring/groupId"],
      ["status=done", "/querystring/status"],
    ]) {
      const res = await call("GET", `/v1/campaigns?${query}`);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 400 });
      expect(res.json().error.details[0].path).toBe(path);
    }
  });

  it("finds a number's messages across campaigns, newest first, with what they said", async () => {
    const search = async (query: string, auth: Auth = shop.auth) => {
      const res = await call("GET", `/v1/messages?${query}`, undefined, auth);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 200 });
      return res.json();
    };
    const found = await search("to=010-0000-0001");
    const theirIds = (
      await db.query<{ id: string }>(
        "select id from messages where org_id = $1 and recipient = '+821000000001' order by id desc",
        [shop.orgId],
      )
    ).rows.map((r) => r.id);
    expect(found.data.map((m: { id: string }) => m.id)).toEqual(theirIds);
    type Found = { id: string; campaignId: string; type: string; fallbackOf: string | null };
    const alimtalk = found.data.find((m: Found) => m.type === "alimtalk");
    const fallback = found.data.find((m: Found) => m.fallbackOf !== null);
    expect(alimtalk).toMatchObject({
      to: "+821000000001",
      status: "failed",
      groupId: vip,
      content: {
        text: "김에이님, 알리미에 가입해 주셔서 감사합니다.\n회원 혜택을 지금 확인해 보세요.",
        subject: null,
        templateCode: "WELCOME_001",
        buttons: [{ type: "WL", name: "혜택 보기" }],
        imageIds: [],
      },
    });
    expect(alimtalk.content.buttons[0].linkMobile).toMatch(/\/r\/[\w-]+$/);
    expect(fallback).toMatchObject({
      fallbackOf: alimtalk.id,
      groupId: vip,
      content: { text: "김에이님, 알리미 가입을 환영합니다.", templateCode: null, buttons: [] },
    });
    // The same number however it is written; a "+" left unencoded arrives as a space.
    expect((await search("to=%2B821000000001")).data).toHaveLength(3);
    expect((await search("to=+821000000001")).data).toHaveLength(3);
    expect((await search("to=01000000001&status=delivered")).data).toHaveLength(2);
    expect((await search(`to=010-0000-0001&campaignId=${plainId}`)).data).toHaveLength(1);
    // The range: `to` that is a date-time ends it, as `until` does.
    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    const past = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    expect((await search(`to=010-0000-0001&from=${future}`)).data).toEqual([]);
    expect((await search(`to=010-0000-0001&until=${past}`)).data).toEqual([]);
    expect((await search(`to=010-0000-0001&to=${past}`)).data).toEqual([]);
    expect((await search(`to=${future}&from=${past}`)).data.length).toBeGreaterThan(3);
    // Another organization never sent to it: nothing, not an error.
    expect((await search("to=010-0000-0001", stranger.auth)).data).toEqual([]);
    // The single message and the campaign's pages say the same.
    const one = (await call("GET", `/v1/messages/${alimtalk.id}`)).json();
    expect(one.content).toEqual(alimtalk.content);
    const page = (await call("GET", `/v1/campaigns/${campaignId}/messages?limit=1000`)).json();
    expect(page.data.find((m: { id: string }) => m.id === alimtalk.id).content).toEqual(
      alimtalk.content,
    );
  });

  it("pages through every kind of search without losing or repeating a message", async () => {
    const walk = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await call(
          "GET",
          `/v1/messages?${query}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(res.statusCode).toBe(200);
        const body = res.json();
        seen.push(...body.data.map((m: { id: string }) => m.id));
        cursor = body.nextCursor;
      } while (cursor);
      return seen;
    };
    const all = (await messagesOf(campaignId))
      .map((m) => m.id)
      .sort()
      .reverse();
    expect(await walk(`campaignId=${campaignId}`)).toEqual(all);
    expect(await walk("to=010-0000-0001")).toHaveLength(3);
    // Neither number nor campaign: the newest campaign first, each newest message first.
    const plainIds = (await messagesOf(plainId)).map((m) => m.id);
    expect(await walk("status=delivered")).toEqual([
      ...plainIds,
      ...(await messagesOf(campaignId))
        .filter((m) => m.status === "delivered")
        .map((m) => m.id)
        .sort()
        .reverse(),
    ]);
    expect(await walk("")).toEqual([...plainIds, ...all]);
  });

  it("refuses searches it cannot answer, saying where", async () => {
    const past = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    for (const [query, status, path] of [
      ["to=010-12", 400, "/querystring/to"],
      ["to=hello", 400, "/querystring/to"],
      ["to=010-0000-0001&to=010-0000-0002", 400, "/querystring/to"],
      [`to=${past}&until=${past}`, 400, "/querystring/to"],
      [`from=${past}&until=${past}`, 400, "/querystring/until"],
      ["status=lost", 400, "/querystring/status"],
      ["from=today", 400, "/querystring/from"],
      ["campaignId=campaign", 400, "/querystring/campaignId"],
      ["cursor=%%%", 400, "/querystring/cursor"],
    ] as const) {
      const res = await call("GET", `/v1/messages?${query}`);
      expect({ query, status: res.statusCode }).toEqual({ query, status });
      expect(res.json().error.details[0].path).toBe(path);
    }
    // Another organization's campaign is not found, whatever the number.
    const res = await call("GET", `/v1/messages?campaignId=${theirsId}`);
    expect(res.statusCode).toBe(404);
  });

  it("exports every message as CSV Excel reads in Korean, in the organization's time", async () => {
    const res = await call("GET", `/v1/campaigns/${campaignId}/messages.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(
      `attachment; filename="campaign-${campaignId}.csv"`,
    );
    expect(res.body.startsWith(BOM)).toBe(true);
    expect(res.body.endsWith("\r\n")).toBe(true);
    const lines = res.body.slice(1).split("\r\n").slice(0, -1);
    expect(lines[0]).toBe(HEADER);
    const rows = await messagesOf(campaignId);
    expect(lines).toHaveLength(rows.length + 1);
    const local = (at: Date | null) =>
      at ? formatLocalTime(at, "Asia/Seoul").slice(0, 19).replace("T", " ") : "";
    const a = rows.filter((m) => m.recipient === "+821000000001");
    const fields = lines.map(parseCsvLine);
    const ofA = fields.filter((f) => f[0] === "010-0000-0001");
    expect(ofA).toHaveLength(2);
    expect(ofA.find((f) => f[2] === "알림톡")).toEqual([
      "010-0000-0001",
      "김에이",
      "알림톡",
      "실패",
      local(a[0]!.sentAt),
      local(a[0]!.failedAt),
      expect.stringMatching(/\S/),
      "0.00",
    ]);
    expect(ofA.find((f) => f[2] !== "알림톡")).toEqual([
      "010-0000-0001",
      "김에이",
      expect.stringMatching(/^[SL]MS\(대체발송\)$/),
      "성공",
      local(a[1]!.sentAt),
      local(a[1]!.deliveredAt),
      "",
      expect.stringMatching(/^[1-9]\d*\.\d\d$/),
    ]);
    const expired = fields.find((f) => f[0] === "010-0000-0004")!;
    expect(expired.slice(2, 4)).toEqual(["알림톡", "결과없음"]);
    expect(expired[6]).toMatch(/EXPIRED/);
    // Nobody else's.
    expect(
      (await call("GET", `/v1/campaigns/${campaignId}/messages.csv`, undefined, stranger.auth))
        .statusCode,
    ).toBe(404);
    expect(
      (await call("GET", `/v1/campaigns/${campaignId}/groups`, undefined, stranger.auth))
        .statusCode,
    ).toBe(404);
  });
});

describe(`a large campaign's CSV on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 100_000, name: "대량 발송" });
  const N = 2_345;
  const phones = Array.from(
    { length: N },
    (_, i) => `010-5${String(i).padStart(3, "0").slice(0, 3)}-${String(i).padStart(4, "0")}`,
  );

  it("streams every message, a page at a time", async () => {
    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        type: "sms",
        text: "대량 안내",
        sendAt: new Date(Date.now() + 86_400_000).toISOString(),
        recipients: phones.map((to) => ({ to })),
      },
    });
    expect(sent.json()).toMatchObject({ accepted: N });
    const res = await app.inject({
      method: "GET",
      url: `/v1/campaigns/${sent.json().campaignId}/messages.csv`,
      headers: shop.auth,
    });
    expect(res.statusCode).toBe(200);
    // Streamed: no length known in advance.
    expect(res.headers["content-length"]).toBeUndefined();
    const lines = res.body.slice(1).split("\r\n").slice(0, -1);
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(N + 1);
    expect(new Set(lines.slice(1).map((l) => l.split(",")[0]))).toEqual(new Set(phones));
    expect(lines.slice(1).every((l) => l.endsWith(",SMS,대기,,,,0.00"))).toBe(true);
  });
});

/** One line of CSV: quoted fields may hold commas and doubled quotes. */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      out.push(value);
      i++;
    } else {
      const end = line.indexOf(",", i);
      out.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length + 1 : end + 1;
    }
  }
  return out;
}
