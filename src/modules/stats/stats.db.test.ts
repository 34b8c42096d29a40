// Statistics end to end: campaigns with fallbacks, failures, expiries and a
// click run through the real pipeline, then /v1/stats/series and summary are
// compared with a recount of the messages themselves (each figure at the
// hour of its own timestamp), in hours and in the organization's local days;
// the doctor's recount agrees, and catches a delta that is wrong.
import { describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startPipeline, waitForCompletion } from "../../../test/pipeline.ts";
import { formatLocalTime } from "../../domain/iso-time.ts";
import { runDoctor } from "../doctor/service.ts";
import { createApprovedTemplate } from "../templates/service.ts";
import { foldStatsDeltas } from "./queries.ts";

const MAGIC = ["0000", "0001", "0002", "0003", "0004", "0005"].map((n) => `010-0000-${n}`);
const HOUR = 3_600_000;

interface Figures {
  accepted: number;
  sent: number;
  delivered: number;
  deliveredTracked: number;
  failed: number;
  expired: number;
  clicked: number;
  charged: bigint;
  refunded: bigint;
}

const zero = (): Figures => ({
  accepted: 0,
  sent: 0,
  delivered: 0,
  deliveredTracked: 0,
  failed: 0,
  expired: 0,
  clicked: 0,
  charged: 0n,
  refunded: 0n,
});

interface MessageFacts {
  orgId: string;
  campaignId: string;
  recipientIndex: number;
  type: string;
  status: string;
  createdAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  settledAt: Date | null;
  priceCharged: bigint;
  priceReleased: bigint;
  /** Whether it carried a tracked link (its campaign's buttons for an Alimtalk, its text else). */
  tracked: boolean;
}

/** The credits as the API writes them. */
const credits = (micro: bigint) => {
  const whole = micro / 1_000_000n;
  const fraction = (micro % 1_000_000n)
    .toString()
    .padStart(6, "0")
    .replace(/0{1,4}$/, "");
  return `${whole}.${fraction.padEnd(2, "0")}`;
};

describe(`statistics on ${engine}`, async () => {
  const pipeline = await startPipeline({ pollAfterMs: 1_000, expireAfterMs: 3_000, delayMs: 20 });
  const { app, db } = pipeline;
  const shop = await createSendingOrg(db, { credits: 5000, name: "통계 본사" });
  const branch = await createSendingOrg(db, {
    credits: 500,
    name: "통계 지점",
    parentId: shop.orgId,
  });
  const stranger = await createSendingOrg(db, { credits: 100, name: "다른 회사" });
  await app.inject({
    method: "POST",
    url: "/v1/contacts",
    headers: shop.auth,
    payload: { phone: "010-7000-0001", name: "단골" },
  });
  await createApprovedTemplate(db, shop.orgId, {
    code: "ORDER_001",
    body: "#{name}님, 주문이 접수되었습니다.",
    fallback: { text: "#{name}님 주문 접수" },
  });
  const get = (url: string, auth = shop.auth) => app.inject({ method: "GET", url, headers: auth });
  const send = async (auth: { authorization: string }, payload: object) => {
    const res = await app.inject({ method: "POST", url: "/v1/messages", headers: auth, payload });
    expect(res.statusCode).toBe(202);
    return res.json().campaignId as string;
  };

  // Alimtalk first to the sandbox's magic numbers: delivered, fallen back to SMS,
  // failed on both, retried, expired, reported twice out of order.
  const orders = await send(shop.auth, {
    template: { code: "ORDER_001" },
    recipients: MAGIC.map((to, i) => ({ to, variables: { name: `고객${i}` } })),
  });
  // An SMS with a tracked link, clicked below.
  const sale = await send(shop.auth, {
    type: "sms",
    text: "12월 행사 https://example.com/sale 확인하세요",
    recipients: [{ to: "010-7000-0001" }, { to: "010-7000-0002" }],
  });
  const branchSend = await send(branch.auth, {
    type: "sms",
    text: "지점 안내",
    recipients: [{ to: "010-7100-0001" }],
  });
  await send(stranger.auth, {
    type: "sms",
    text: "남의 것",
    recipients: [{ to: "010-7200-0001" }],
  });
  for (const id of [orders, sale, branchSend]) await waitForCompletion(db, id);

  // A draft's messages are not counted, and a discarded draft leaves nothing behind.
  const draft = await app.inject({
    method: "POST",
    url: "/v1/campaigns",
    headers: shop.auth,
    payload: { type: "sms", text: "초안" },
  });
  await app.inject({
    method: "POST",
    url: `/v1/campaigns/${draft.json().id}/recipients`,
    headers: shop.auth,
    payload: { recipients: [{ to: "010-7300-0001" }, { to: "010-7300-0002" }] },
  });
  await app.inject({
    method: "DELETE",
    url: `/v1/campaigns/${draft.json().id}`,
    headers: shop.auth,
  });

  // One click on the first SMS's link, by a phone; a link preview is not counted.
  const first = await db.query<{ id: string }>(
    "select id from messages where campaign_id = $1 order by recipient_index limit 1",
    [sale],
  );
  const shown = (await get(`/v1/messages/${first.rows[0]!.id}`)).json();
  const code = /\/r\/([\w-]+)/.exec(shown.content.text)?.[1];
  expect(code).toBeTruthy();
  const phone = { "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)" };
  expect((await app.inject({ method: "GET", url: `/r/${code}`, headers: phone })).statusCode).toBe(
    302,
  );
  await app.inject({
    method: "GET",
    url: `/r/${code}`,
    headers: { "user-agent": "kakaotalk-scrap/1.0" },
  });
  await app.linkClicks.flush();

  // Results that came a day and a half earlier, and on the other side of a local midnight:
  // moving a message's timestamps moves its figures between buckets.
  await db.query(
    `update messages set created_at = created_at - interval '37 hours',
       sent_at = sent_at - interval '37 hours', delivered_at = delivered_at - interval '37 hours',
       failed_at = failed_at - interval '37 hours', settled_at = settled_at - interval '36 hours'
     where campaign_id = $1 and recipient in ('+821000000001', '+821000000004')`,
    [orders],
  );

  async function messageFacts(orgIds: string[]): Promise<MessageFacts[]> {
    const r = await db.query<MessageFacts>(
      `select m.org_id as "orgId", m.campaign_id as "campaignId",
         m.recipient_index as "recipientIndex", m.type, m.status, m.created_at as "createdAt",
         m.sent_at as "sentAt", m.delivered_at as "deliveredAt", m.failed_at as "failedAt",
         m.settled_at as "settledAt", m.price_charged as "priceCharged",
         m.price_released as "priceReleased", c.content
       from messages m join campaigns c on c.id = m.campaign_id
       where m.org_id = any($1::text[])`,
      [orgIds],
    );
    return r.rows.map((row) => {
      const { content, ...m } = row as MessageFacts & {
        content: { text: string | null; buttons: unknown[]; links?: { prefix: string } };
      };
      const carrier =
        m.type === "alimtalk" ? JSON.stringify(content.buttons) : (content.text ?? "");
      const tracked =
        content.links !== undefined && carrier.includes(`${content.links.prefix}{link`);
      return { ...m, tracked };
    });
  }

  /** The figures recounted from the messages (and their first clicks), by bucket and type. */
  async function recount(orgIds: string[], bucketOf: (at: Date) => string) {
    const out = new Map<string, Figures>();
    const at = (when: Date | null, type: string, change: (f: Figures) => void) => {
      if (when === null) return;
      const key = `${bucketOf(when)} ${type}`;
      const f = out.get(key) ?? zero();
      change(f);
      out.set(key, f);
    };
    for (const m of await messageFacts(orgIds)) {
      if (m.status !== "draft") at(m.createdAt, m.type, (f) => f.accepted++);
      at(m.sentAt, m.type, (f) => f.sent++);
      if (m.status === "delivered") at(m.deliveredAt, m.type, (f) => f.delivered++);
      if (m.status === "delivered" && m.tracked) {
        at(m.deliveredAt, m.type, (f) => f.deliveredTracked++);
      }
      if (m.status === "failed") at(m.failedAt, m.type, (f) => f.failed++);
      if (m.status === "expired") at(m.failedAt, m.type, (f) => f.expired++);
      at(m.settledAt, m.type, (f) => {
        f.charged += m.priceCharged;
        f.refunded += m.priceReleased;
      });
    }
    const clicks = await db.query<{ type: string; firstAt: Date }>(
      `select type, first_at as "firstAt" from message_clicks where org_id = any($1::text[])`,
      [orgIds],
    );
    for (const c of clicks.rows) at(c.firstAt, c.type, (f) => f.clicked++);
    return out;
  }

  const utcHour = (at: Date) => new Date(Math.floor(at.getTime() / HOUR) * HOUR).toISOString();

  type ApiPoint = Omit<Figures, "charged" | "refunded"> & {
    at: string;
    type: string;
    charged: string;
    refunded: string;
  };

  /** A series' non-zero points, keyed like the recount. */
  function pointsOf(data: ApiPoint[], keyOf: (at: string) => string) {
    const out = new Map<string, Figures>();
    for (const p of data) {
      const f: Figures = {
        accepted: p.accepted,
        sent: p.sent,
        delivered: p.delivered,
        deliveredTracked: p.deliveredTracked,
        failed: p.failed,
        expired: p.expired,
        clicked: p.clicked,
        charged: BigInt(Math.round(Number(p.charged) * 1_000_000)),
        refunded: BigInt(Math.round(Number(p.refunded) * 1_000_000)),
      };
      if (Object.values(f).some((v) => v !== 0 && v !== 0n)) out.set(`${keyOf(p.at)} ${p.type}`, f);
    }
    return out;
  }

  const range = { from: new Date(Date.now() - 3 * 24 * HOUR), to: new Date(Date.now() + HOUR) };
  const rangeQuery = `from=${encodeURIComponent(range.from.toISOString())}&to=${encodeURIComponent(range.to.toISOString())}`;

  it("counts every figure of every hour exactly as the messages say", async () => {
    const res = await get(`/v1/stats/series?granularity=hour&${rangeQuery}`);
    expect(res.statusCode).toBe(200);
    const series = res.json();
    expect(series.timeZone).toBe("Asia/Seoul");
    // Every hour of the range, zeros included, each with the organization's offset.
    const hours = new Set(series.data.map((p: { at: string }) => p.at));
    expect(hours.size).toBe(Math.ceil((range.to.getTime() - utcHourMs(range.from)) / HOUR));
    expect([...hours].every((at) => (at as string).endsWith("+09:00"))).toBe(true);
    const api = pointsOf(series.data, (at) => new Date(at).toISOString());
    const counted = await recount([shop.orgId], utcHour);
    expect(api).toEqual(counted);
    // What the run produced: fallbacks, failures, an expiry, a click.
    const sum = (type: string, key: keyof Figures) =>
      [...counted].filter(([k]) => k.endsWith(type)).reduce((n, [, f]) => n + Number(f[key]), 0);
    expect(sum("alimtalk", "failed")).toBe(2);
    expect(sum("alimtalk", "expired")).toBe(1);
    expect(sum(" sms", "delivered")).toBe(3);
    expect(sum(" sms", "failed")).toBe(1);
    expect(sum(" sms", "clicked")).toBe(1);
  });

  it("sums the local days of the organization's time zone", async () => {
    await db.query("update orgs set timezone = 'America/New_York' where id = $1", [shop.orgId]);
    try {
      const res = await get(`/v1/stats/series?granularity=day&${rangeQuery}`);
      expect(res.statusCode).toBe(200);
      const series = res.json();
      expect(series.timeZone).toBe("America/New_York");
      for (const p of series.data) expect(p.at).toMatch(/T00:00:00-0[45]:00$/);
      const localDay = (at: Date) => formatLocalTime(at, "America/New_York").slice(0, 10);
      const api = pointsOf(series.data, (at) => at.slice(0, 10));
      expect(api).toEqual(await recount([shop.orgId], localDay));
      expect(api.size).toBeGreaterThan(1);
    } finally {
      await db.query("update orgs set timezone = 'Asia/Seoul' where id = $1", [shop.orgId]);
    }
  });

  it("narrows to one type, or sums them all", async () => {
    const all = (await get(`/v1/stats/series?granularity=day&type=all&${rangeQuery}`)).json();
    const sms = (await get(`/v1/stats/series?granularity=day&type=sms&${rangeQuery}`)).json();
    expect(new Set(all.data.map((p: { type: string }) => p.type))).toEqual(new Set(["all"]));
    expect(new Set(sms.data.map((p: { type: string }) => p.type))).toEqual(new Set(["sms"]));
    expect(all.data.length).toBe(sms.data.length);
    const counted = await recount([shop.orgId], () => "range");
    const total = (key: keyof Figures) => [...counted].reduce((n, [, f]) => n + Number(f[key]), 0);
    const delivered = all.data.reduce((n: number, p: { delivered: number }) => n + p.delivered, 0);
    expect(delivered).toBe(total("delivered"));
  });

  it("summarizes a range from the same figures", async () => {
    const res = await get(`/v1/stats/summary?${rangeQuery}`);
    expect(res.statusCode).toBe(200);
    const summary = res.json();
    const counted = [...(await recount([shop.orgId], () => "all")).values()].reduce(
      (a, f) => ({
        accepted: a.accepted + f.accepted,
        sent: a.sent + f.sent,
        delivered: a.delivered + f.delivered,
        deliveredTracked: a.deliveredTracked + f.deliveredTracked,
        failed: a.failed + f.failed,
        expired: a.expired + f.expired,
        clicked: a.clicked + f.clicked,
        charged: a.charged + f.charged,
        refunded: a.refunded + f.refunded,
      }),
      zero(),
    );
    const facts = await messageFacts([shop.orgId]);
    expect(summary).toEqual({
      from: new Date(utcHourMs(range.from)).toISOString(),
      to: range.to.toISOString(),
      contacts: 1,
      groups: 1,
      messages: {
        total: facts.length,
        delivered: counted.delivered,
        failed: counted.failed,
        pending: 0,
        sent: counted.sent,
        expired: counted.expired,
        clicked: 1,
        deliveredTracked: 2,
      },
      successRate:
        Math.round(
          (counted.delivered / (counted.delivered + counted.failed + counted.expired)) * 10_000,
        ) / 10_000,
      // One click out of the two delivered messages that carried the link.
      clickRate: 0.5,
      credits: { charged: credits(counted.charged), refunded: credits(counted.refunded) },
    });
    // A range that ends before the moved results leaves them out.
    const early = (
      await get(
        `/v1/stats/summary?to=${encodeURIComponent(new Date(Date.now() - 30 * HOUR).toISOString())}`,
      )
    ).json();
    expect(early.messages).toMatchObject({ total: 3, delivered: 1, expired: 1 });
  });

  it("adds the subtree's figures with includeChildren, and only then", async () => {
    const own = (await get(`/v1/stats/summary?${rangeQuery}`)).json();
    const tree = (await get(`/v1/stats/summary?${rangeQuery}&includeChildren=true`)).json();
    expect(tree.messages.total).toBe(own.messages.total + 1);
    expect(tree.messages.delivered).toBe(own.messages.delivered + 1);
    const branchOnly = (await get(`/v1/stats/summary?${rangeQuery}`, branch.auth)).json();
    expect(branchOnly.messages).toMatchObject({ total: 1, delivered: 1 });
    // Acting for the branch is the branch's figures; a stranger's never show.
    const acting = (
      await app.inject({
        method: "GET",
        url: `/v1/stats/summary?${rangeQuery}`,
        headers: { ...shop.auth, "x-alimi-org": branch.orgId },
      })
    ).json();
    expect(acting.messages).toEqual(branchOnly.messages);
    const strangers = (
      await get(`/v1/stats/summary?${rangeQuery}&includeChildren=true`, stranger.auth)
    ).json();
    expect(strangers.messages).toMatchObject({ total: 1 });
    const series = (
      await get(`/v1/stats/series?${rangeQuery}&includeChildren=true&type=all`)
    ).json();
    const delivered = series.data.reduce(
      (n: number, p: { delivered: number }) => n + p.delivered,
      0,
    );
    expect(delivered).toBe(tree.messages.delivered);
  });

  it("folds a busy hour's rows into one, changing no sum", async () => {
    const before = (await get(`/v1/stats/series?granularity=hour&${rangeQuery}`)).json();
    const rows = async () =>
      (
        await db.query<{ n: number; buckets: number }>(
          `select count(*)::int as n, count(distinct (org_id, hour, type))::int as buckets
           from stats_deltas where org_id = $1`,
          [shop.orgId],
        )
      ).rows[0]!;
    expect((await rows()).n).toBeGreaterThan((await rows()).buckets);
    expect(await foldStatsDeltas(db, { threshold: 1, recent: 1_000_000 })).toBeGreaterThan(0);
    const after = await rows();
    expect(after.n).toBe(after.buckets);
    expect((await get(`/v1/stats/series?granularity=hour&${rangeQuery}`)).json()).toEqual(before);
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("is what the doctor's recount finds, and a wrong delta is caught", async () => {
    expect((await runDoctor(db)).violations).toEqual([]);
    const corrupt = await db.query<{ id: bigint }>(
      `update stats_deltas set delivered = delivered + 1
       where id = (select max(id) from stats_deltas where org_id = $1 and delivered > 0)
       returning id`,
      [shop.orgId],
    );
    try {
      const report = await runDoctor(db);
      expect(report.violations).toHaveLength(1);
      expect(report.violations[0]).toMatchObject({ orgId: shop.orgId });
      expect(report.violations[0]!.problem).toMatch(/^statistics of \w+ messages in the hour from/);
      const series = (await get(`/v1/stats/series?granularity=hour&${rangeQuery}`)).json();
      expect(pointsOf(series.data, (at) => new Date(at).toISOString())).not.toEqual(
        await recount([shop.orgId], utcHour),
      );
    } finally {
      await db.query("update stats_deltas set delivered = delivered - 1 where id = $1", [
        corrupt.rows[0]!.id,
      ]);
    }
    expect((await runDoctor(db)).violations).toEqual([]);
  });

  it("refuses ranges it cannot answer, saying where", async () => {
    const cases: [string, string, string][] = [
      ["/v1/stats/summary?from=yesterday", "/querystring/from", "INVALID_FORMAT"],
      [
        "/v1/stats/summary?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z",
        "/querystring/to",
        "INVALID_RANGE",
      ],
      [
        "/v1/stats/series?granularity=hour&from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z",
        "/querystring/from",
        "RANGE_TOO_LONG",
      ],
      ["/v1/stats/series?granularity=week", "/querystring/granularity", ""],
      ["/v1/stats/series?type=kakao", "/querystring/type", ""],
    ];
    for (const [url, path, code] of cases) {
      const res = await get(url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
      const detail = res.json().error.details[0];
      expect(detail.path).toBe(path);
      if (code) expect(detail.code).toBe(code);
    }
  });
});

function utcHourMs(at: Date): number {
  return Math.floor(at.getTime() / HOUR) * HOUR;
}
