// Click tracking through HTTP: a send's links go to the vendor as tracked
// links (counted and priced as sent), following one redirects to the
// original and counts a click (not for HEAD, previews or forged codes), and
// messages, campaigns and statistics show the clicks.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startScriptedApp } from "../../../test/scripted-app.ts";
import { accept, reject } from "../../../test/support/scripted-vendor.ts";
import { CODE_LENGTH } from "../../domain/link-codes.ts";
import { countSmsBytes } from "../../domain/sms-bytes.ts";
import type { OutboundMessage } from "../../vendors/vendor.ts";
import { createTemplate } from "../templates/service.ts";

const PHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const PREFIX = "http://127.0.0.1:9/r/";
const CODE = new RegExp(`${PREFIX.replace(/[./]/g, "\\$&")}([0-9A-Za-z]{${CODE_LENGTH}})`, "g");

/** The codes of the tracked links in a text or link, in order. */
const codesIn = (text: string | undefined) => [...(text ?? "").matchAll(CODE)].map((m) => m[1]!);

describe(`click tracking on ${engine}`, async () => {
  const scripted = await startScriptedApp();
  const { app, db, vendor, clock } = scripted;
  const dispatcher = scripted.dispatcher({ workerId: "w-links" });
  vendor.answerAll(accept);
  const shop = await createSendingOrg(db, { credits: 10_000, name: "링크 상점" });
  const other = await createSendingOrg(db, { credits: 100, name: "다른 상점" });

  const call = (method: "GET" | "POST", url: string, payload?: object, auth = shop.auth) =>
    app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const follow = (code: string, options: { method?: "GET" | "HEAD"; ua?: string } = {}) =>
    app.inject({
      method: options.method ?? "GET",
      url: `/r/${code}`,
      headers: { "user-agent": options.ua ?? PHONE },
    });
  const send = async (payload: object) => {
    const res = await call("POST", "/v1/messages", payload);
    expect(res.statusCode, res.body).toBe(202);
    return res.json().campaignId as string;
  };
  /** Sends what is due and returns what the vendor got, by recipient. */
  const dispatched = async (): Promise<Map<string, OutboundMessage>> => {
    const before = vendor.calls.length;
    await dispatcher.dispatchOnce();
    const sent = new Map<string, OutboundMessage>();
    for (const batch of vendor.calls.slice(before)) for (const m of batch) sent.set(m.to, m);
    return sent;
  };
  const messagesOf = async (campaignId: string) =>
    (await call("GET", `/v1/campaigns/${campaignId}/messages`)).json().data as {
      id: string;
      to: string;
      type: string;
      clicks: { total: number; firstAt: string | null };
    }[];

  // 77 bytes as written, an SMS; with its link tracked (13 → 36 characters), 100 bytes.
  const TEXT = `${"가".repeat(28)} https://a.kr/ ${"나".repeat(3)}`;

  it("sends the text with its link tracked per message, counted and priced as sent (an LMS)", async () => {
    expect(countSmsBytes(TEXT)).toMatchObject({ bytes: 77 });
    const body = { text: TEXT, recipients: [{ to: "010-6100-0001" }, { to: "010-6100-0002" }] };
    const estimate = await call("POST", "/v1/messages/estimate", body);
    expect(estimate.json().cost.byType).toMatchObject({ sms: "0.00", lms: "90.00" });
    const asWritten = await call("POST", "/v1/messages/estimate", { ...body, trackLinks: false });
    expect(asWritten.json().cost.byType).toMatchObject({ sms: "30.00", lms: "0.00" });

    const campaignId = await send(body);
    const sent = await dispatched();
    const [a, b] = [sent.get("+821061000001"), sent.get("+821061000002")];
    expect(a?.type).toBe("lms");
    const [codeA] = codesIn(a?.text);
    const [codeB] = codesIn(b?.text);
    expect(a?.text).toBe(TEXT.replace("https://a.kr/", `${PREFIX}${codeA}`));
    expect(countSmsBytes(a?.text ?? "")).toMatchObject({ bytes: 100 });
    // One link of the campaign: the same key, a code per recipient.
    expect(codeA?.slice(0, 6)).toBe(codeB?.slice(0, 6));
    expect(codeA).not.toBe(codeB);
    const links = await db.query("select url, idx from campaign_links where campaign_id = $1", [
      campaignId,
    ]);
    expect(links.rows).toEqual([{ url: "https://a.kr/", idx: 0 }]);
  });

  it("redirects to the original, counting a person's GET but not HEAD, previews or prefetches", async () => {
    clock.ms = Date.parse("2026-05-01T10:20:00Z");
    const campaignId = await send({
      text: "쿠폰 https://shop.example/coupon?c=1 확인",
      recipients: [{ to: "010-6200-0001" }, { to: "010-6200-0002" }, { to: "010-6200-0003" }],
    });
    const sent = await dispatched();
    const [a] = codesIn(sent.get("+821062000001")?.text);
    const [b] = codesIn(sent.get("+821062000002")?.text);

    const res = await follow(a!);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("https://shop.example/coupon?c=1");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect((await follow(a!)).statusCode).toBe(302);
    // What a phone's link detection may run on into the next word is ignored.
    expect((await follow(`${b}${encodeURIComponent("에서")}`)).headers.location).toBe(
      "https://shop.example/coupon?c=1",
    );
    const notCounted = [
      await follow(a!, { method: "HEAD" }),
      await follow(a!, { ua: "facebookexternalhit/1.1; kakaotalk-scrap/1.0" }),
      await follow(a!, { ua: "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" }),
      await follow(a!, { ua: "TelegramBot (like TwitterBot)" }),
      await app.inject({
        method: "GET",
        url: `/r/${a}`,
        headers: { "user-agent": PHONE, "sec-purpose": "prefetch" },
      }),
    ];
    for (const r of notCounted) {
      expect(r.statusCode).toBe(302);
      expect(r.headers.location).toBe("https://shop.example/coupon?c=1");
    }
    await app.linkClicks.flush();

    const messages = await messagesOf(campaignId);
    const byPhone = new Map(messages.map((m) => [m.to, m]));
    expect(byPhone.get("+821062000001")?.clicks).toEqual({
      total: 2,
      firstAt: "2026-05-01T10:20:00.000Z",
    });
    expect(byPhone.get("+821062000002")?.clicks.total).toBe(1);
    expect(byPhone.get("+821062000003")?.clicks).toEqual({ total: 0, firstAt: null });
    const one = await call("GET", `/v1/messages/${byPhone.get("+821062000001")?.id}`);
    expect(one.json().clicks).toEqual({ total: 2, firstAt: "2026-05-01T10:20:00.000Z" });

    const campaign = (await call("GET", `/v1/campaigns/${campaignId}`)).json();
    expect(campaign.counts.clicked).toBe(2);
    expect(campaign.links).toEqual([
      { url: "https://shop.example/coupon?c=1", clicks: 3, uniqueClicks: 2 },
    ]);
    const listed = (await call("GET", "/v1/campaigns?limit=5")).json().data;
    expect(listed.find((c: { id: string }) => c.id === campaignId)).toMatchObject({
      counts: { clicked: 2 },
      links: [{ clicks: 3, uniqueClicks: 2 }],
    });

    // Each message's first click, once, in the hour it came.
    const stats = await db.query<{ hour: Date; type: string; clicked: number }>(
      `select hour, type, sum(clicked)::int as clicked from stats_deltas
       where org_id = $1 and clicked <> 0 group by hour, type`,
      [shop.orgId],
    );
    expect(stats.rows).toEqual([
      { hour: new Date("2026-05-01T10:00:00Z"), type: "sms", clicked: 2 },
    ]);
    // Clicked again later: more clicks, no more first clicks.
    clock.ms += 3_600_000;
    await follow(a!);
    await follow(b!);
    await app.linkClicks.flush();
    const again = (await call("GET", `/v1/campaigns/${campaignId}`)).json();
    expect(again.counts.clicked).toBe(2);
    expect(again.links[0]).toMatchObject({ clicks: 5, uniqueClicks: 2 });
    const statsAgain = await db.query<{ clicked: number }>(
      "select sum(clicked)::int as clicked from stats_deltas where org_id = $1",
      [shop.orgId],
    );
    expect(statsAgain.rows[0]?.clicked).toBe(2);
  });

  it("answers 404 to a forged, altered or unknown code, and counts nothing", async () => {
    const campaignId = await send({
      text: "안내 https://b.kr/x",
      recipients: [{ to: "010-6300-0001" }, { to: "010-6300-0002" }],
    });
    const sent = await dispatched();
    const [code] = codesIn(sent.get("+821063000001")?.text);
    const [neighbour] = codesIn(sent.get("+821063000002")?.text);
    const last = code!.at(-1) === "a" ? "b" : "a";
    for (const bad of [
      `${code!.slice(0, -1)}${last}`,
      // Another recipient's slot with this one's MAC.
      `${neighbour!.slice(0, 10)}${code!.slice(10)}`,
      code!.slice(0, -1),
      "AAAAAAAAAAAAAAA",
      "not-a-code-at-all",
    ]) {
      const res = await follow(bad);
      expect(res.statusCode, bad).toBe(404);
      expect(res.json().error.code).toBe("NOT_FOUND");
      expect(res.headers.location).toBeUndefined();
    }
    await app.linkClicks.flush();
    expect((await call("GET", `/v1/campaigns/${campaignId}`)).json().counts.clicked).toBe(0);
  });

  it("trackLinks: false sends every link as written and tracks none", async () => {
    const text = "그대로 https://c.kr/plain 보냄";
    const campaignId = await send({
      text,
      trackLinks: false,
      recipients: [{ to: "010-6400-0001" }],
    });
    const sent = await dispatched();
    expect(sent.get("+821064000001")?.text).toBe(text);
    expect((await call("GET", `/v1/campaigns/${campaignId}`)).json().links).toEqual([]);
    const rows = await db.query("select 1 from campaign_links where campaign_id = $1", [
      campaignId,
    ]);
    expect(rows.rows).toHaveLength(0);
  });

  it("leaves links with #{var} and links from variables as written", async () => {
    const sentId = await send({
      text: "주문 https://d.kr/o/#{order} 확인, #{more}",
      recipients: [{ to: "010-6500-0001", variables: { order: "A-1", more: "https://e.kr/x" } }],
    });
    const sent = await dispatched();
    expect(sent.get("+821065000001")?.text).toBe("주문 https://d.kr/o/A-1 확인, https://e.kr/x");
    expect((await call("GET", `/v1/campaigns/${sentId}`)).json().links).toEqual([]);
  });

  it("an Alimtalk's WL button and its SMS fallback carry codes of their own, each clicked message counted", async () => {
    await createTemplate(db, shop.orgId, {
      code: "LINK_001",
      body: "#{name}님, 주문이 접수되었습니다.",
      buttons: [
        {
          type: "WL",
          name: "주문 보기",
          linkMobile: "https://shop.example/orders",
          linkPc: "https://shop.example/orders",
        },
      ],
      fallback: { text: "#{name}님, 주문 접수: https://shop.example/orders 에서 확인" },
    });
    await db.query("update templates set status = 'approved' where org_id = $1 and code = $2", [
      shop.orgId,
      "LINK_001",
    ]);
    // 010-0000-0001: not a KakaoTalk user (the scripted vendor refuses its Alimtalk).
    vendor.answerAll((m) =>
      m.type === "alimtalk" && m.to === "+821000000001" ? reject()(m) : accept(m),
    );
    const campaignId = await send({
      template: { code: "LINK_001" },
      recipients: [
        { to: "010-0000-0001", variables: { name: "김" } },
        { to: "010-6600-0002", variables: { name: "이" } },
      ],
    });
    const first = await dispatched();
    const alimtalk = first.get("+821066000002");
    const [button] = codesIn(alimtalk?.alimtalk?.buttons[0]?.linkMobile);
    expect(alimtalk?.alimtalk?.buttons[0]?.linkPc).toBe(`${PREFIX}${button}`);
    expect(alimtalk?.text).toBe("이님, 주문이 접수되었습니다.");
    const fallback = (await dispatched()).get("+821000000001");
    expect(fallback?.type).toBe("sms");
    const [sms] = codesIn(fallback?.text);
    expect(fallback?.text).toBe(`김님, 주문 접수: ${PREFIX}${sms} 에서 확인`);
    // One link: the button's and the fallback's address are the same.
    expect(sms?.slice(0, 6)).toBe(button?.slice(0, 6));

    expect((await follow(button!)).headers.location).toBe("https://shop.example/orders");
    expect((await follow(sms!)).headers.location).toBe("https://shop.example/orders");
    await follow(sms!);
    await app.linkClicks.flush();
    const messages = await messagesOf(campaignId);
    const clicks = messages.map((m) => [m.to, m.type, m.clicks.total]).sort();
    expect(clicks).toEqual([
      ["+821000000001", "alimtalk", 0],
      ["+821000000001", "sms", 2],
      ["+821066000002", "alimtalk", 1],
    ]);
    const campaign = (await call("GET", `/v1/campaigns/${campaignId}`)).json();
    expect(campaign.counts).toMatchObject({ clicked: 2, fallback: 1 });
    expect(campaign.links).toEqual([
      { url: "https://shop.example/orders", clicks: 3, uniqueClicks: 2 },
    ]);
    vendor.answerAll(accept);
  });

  it("a draft's parts are counted with the links as its content was made", async () => {
    // 61 bytes as written; tracked behind this server's prefix (21 characters), 84: an SMS.
    const text = `${"가".repeat(22)} https://a.kr/ ${"나".repeat(1)}`;
    expect(countSmsBytes(text)).toMatchObject({ bytes: 61 });
    const created = await call("POST", "/v1/campaigns", { text });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const first = await call("POST", `/v1/campaigns/${id}/recipients`, {
      recipients: [{ to: "010-6700-0001" }],
    });
    expect(first.json().cost.held).toBe("15.00");
    // As if the draft had been made when the link base was longer (39 characters): its
    // parts are counted with that prefix, whatever the server's is now — 102 bytes, an LMS.
    const longer = "http://127.0.0.1:9/a-longer-base-url/r/";
    await db.query(
      `update campaigns set content = jsonb_set(content, '{links,prefix}', to_jsonb($2::text))
       where id = $1`,
      [id, longer],
    );
    const part = await call("POST", `/v1/campaigns/${id}/recipients`, {
      recipients: [{ to: "010-6700-0002" }],
    });
    expect(part.statusCode, part.body).toBe(201);
    expect(part.json().cost.held).toBe("45.00");
  });

  it("shows no campaign or message of another organization, clicked or not", async () => {
    const campaignId = await send({
      text: "비밀 https://f.kr/x",
      recipients: [{ to: "010-6800-0001" }],
    });
    const [code] = codesIn((await dispatched()).get("+821068000001")?.text);
    await follow(code!);
    await app.linkClicks.flush();
    const res = await call("GET", `/v1/campaigns/${campaignId}`, undefined, other.auth);
    expect(res.statusCode).toBe(404);
  });
});
