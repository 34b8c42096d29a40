// Two API servers on one PostgreSQL, each counting clicks in memory and
// flushing at once, round after round, on the same messages: every click is
// recorded once, and each message's first click reaches the statistics
// exactly once, whichever server saw it first.
import { afterAll, describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { createTestDatabaseUrl } from "../../../test/db.ts";
import { openPostgres } from "../../db/client.ts";
import type { CampaignContent } from "../../db/schema/campaigns.ts";
import { encodeLinkCode } from "../../domain/link-codes.ts";

const RECIPIENTS = 300;
const ROUNDS = 6;
const PHONE = "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 Chrome/124.0 Mobile";

describe("clicks recorded by two servers at once (PostgreSQL)", async () => {
  const url = await createTestDatabaseUrl();
  const [dbA, dbB] = [openPostgres({ url }), openPostgres({ url })];
  afterAll(() => Promise.all([dbA.close(), dbB.close()]));
  const a = await createTestApp({ db: dbA });
  const b = await createTestApp({ db: dbB });
  const shop = await createSendingOrg(dbA, { credits: 100_000 });

  it("counts every click once and each message's first click exactly once", async () => {
    const res = await a.app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: {
        type: "sms",
        text: "행사 https://shop.example/a 와 https://shop.example/b",
        recipients: Array.from({ length: RECIPIENTS }, (_, i) => ({
          to: `010-7${String(i).padStart(3, "0")}-0001`,
        })),
      },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { campaignId } = res.json();
    // Each message's codes, as the dispatcher makes them from the campaign's content.
    const content = await dbA.query<{ content: CampaignContent }>(
      "select content from campaigns where id = $1",
      [campaignId],
    );
    const links = content.rows[0]?.content.links?.links ?? [];
    expect(links).toHaveLength(2);
    const codeOf = (link: number, recipientIndex: number) =>
      encodeLinkCode({
        key: links[link]!.key,
        secret: Buffer.from(links[link]!.secret, "base64url"),
        recipientIndex,
        type: "sms",
      });

    let clicks = 0;
    const clickedRecipients = new Set<number>();
    const clickedPairs = new Set<string>();
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const requests: Promise<unknown>[] = [];
      for (let i = 0; i < RECIPIENTS; i++) {
        // Some recipients click in this round, some on both servers, some twice.
        if (random() < 0.5) continue;
        const link = random() < 0.5 ? 0 : 1;
        for (const server of random() < 0.3 ? [a, b] : [random() < 0.5 ? a : b]) {
          clicks++;
          clickedRecipients.add(i);
          clickedPairs.add(`${link}:${i}`);
          requests.push(
            server.app
              .inject({
                method: "GET",
                url: `/r/${codeOf(link, i)}`,
                headers: { "user-agent": PHONE },
              })
              .then((r) => expect(r.statusCode).toBe(302)),
          );
        }
      }
      await Promise.all(requests);
      // Both servers write at the same moment.
      await Promise.all([a.app.linkClicks.flush(), b.app.linkClicks.flush()]);
    }
    expect(a.app.linkClicks.pending + b.app.linkClicks.pending).toBe(0);

    const messageRows = await dbA.query<{ rows: number; total: number }>(
      `select count(*)::int as rows, coalesce(sum(total), 0)::int as total
       from message_clicks where campaign_id = $1`,
      [campaignId],
    );
    expect(messageRows.rows[0]).toEqual({ rows: clickedRecipients.size, total: clicks });
    const pairRows = await dbA.query<{ rows: number; total: number }>(
      `select count(*)::int as rows, coalesce(sum(total), 0)::int as total
       from link_clicks where campaign_id = $1`,
      [campaignId],
    );
    expect(pairRows.rows[0]).toEqual({ rows: clickedPairs.size, total: clicks });
    const stats = await dbA.query<{ clicked: number }>(
      "select coalesce(sum(clicked), 0)::int as clicked from stats_deltas where org_id = $1",
      [shop.orgId],
    );
    expect(stats.rows[0]?.clicked).toBe(clickedRecipients.size);
    // The statistics' first clicks are a recount of the message rows by hour and type.
    const byHour = (sql: string) =>
      dbA.query<{ hour: Date; type: string; n: number }>(sql, [shop.orgId]).then((r) => r.rows);
    expect(
      await byHour(
        `select hour, type, sum(clicked)::int as n from stats_deltas
         where org_id = $1 and clicked <> 0 group by hour, type order by hour, type`,
      ),
    ).toEqual(
      await byHour(
        `select date_trunc('hour', first_at at time zone 'UTC') at time zone 'UTC' as hour, type,
           count(*)::int as n
         from message_clicks where org_id = $1 group by 1, 2 order by 1, 2`,
      ),
    );

    const view = await b.app.inject({
      method: "GET",
      url: `/v1/campaigns/${campaignId}`,
      headers: shop.auth,
    });
    expect(view.json().counts.clicked).toBe(clickedRecipients.size);
    const byLink = view.json().links as { clicks: number; uniqueClicks: number }[];
    expect(byLink.reduce((sum, l) => sum + l.clicks, 0)).toBe(clicks);
    expect(byLink.reduce((sum, l) => sum + l.uniqueClicks, 0)).toBe(clickedPairs.size);
  });
});
