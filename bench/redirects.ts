// bench:redirects — tracked links followed, as users run Alimi: the real
// server process (`alimi serve`, the product's defaults) on a fresh
// PostgreSQL database; a campaign with a link accepted over HTTP; then
// GET /r/{code} for as many distinct recipients' codes as the campaign has,
// from CONCURRENCY keep-alive connections for DURATION seconds. Prints
// redirects per second and latency, then — once the server has flushed its
// clicks — whether the clicks it recorded (the campaign's link counts, read
// through the API) equal the redirects made: none lost, none doubled.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:redirects
//   BENCH_CONCURRENCY=100 BENCH_SECONDS=20 BENCH_RECIPIENTS=50000 …
//
// The codes are made here the way the dispatcher makes them, from the
// campaign's stored content (its links' keys and secrets), so the campaign
// is scheduled for tomorrow: no dispatch competes with the redirects.
import { readFile } from "node:fs/promises";
import pg from "pg";
import { Pool } from "undici";
import type { CampaignContent } from "../src/db/schema/campaigns.ts";
import { encodeLinkCode } from "../src/domain/link-codes.ts";
import { percentile, request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TARGET_PER_SECOND = 2_000;
const PHONE =
  "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 KAKAOTALK 10.7.5";
const LINK = "https://shop.example/sale/2026?utm_source=sms";

interface CampaignView {
  counts: { total: number; clicked: number };
  links: { url: string; clicks: number; uniqueClicks: number }[];
}

/** CPU time a process has used so far, in ms (Linux /proc: utime + stime, at 100 ticks a second). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.log("bench:redirects needs DATABASE_URL (a PostgreSQL server to create its database on)");
  process.exit(1);
}

const server = await startServer({ engine: "postgres", databaseUrl });
try {
  const { apiKey } = await server.tenant("Redirects", RECIPIENTS * 100);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  const { campaignId } = await request<{ campaignId: string }>(
    `${server.url}/v1/messages`,
    apiKey,
    {
      body: {
        type: "lms",
        text: `#{name}님, 봄맞이 세일이 시작되었습니다. ${LINK} 에서 확인하세요.`,
        sendAt: tomorrow,
        recipients: Array.from({ length: RECIPIENTS }, (_, i) => ({
          to: `010-${String(5000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
          variables: { name: `고객${i}` },
        })),
      },
    },
  );

  // Each recipient's code, as the dispatcher makes it.
  const client = new pg.Client({ connectionString: server.databaseUrl ?? "" });
  await client.connect();
  const stored = await client.query<{ content: CampaignContent; index: number }>(
    `select c.content, m.recipient_index as index from campaigns c
     join messages m on m.campaign_id = c.id where c.id = $1 order by m.recipient_index`,
    [campaignId],
  );
  await client.end();
  const link = stored.rows[0]?.content.links?.links[0];
  if (!link) throw new Error("the campaign has no tracked link");
  const secret = Buffer.from(link.secret, "base64url");
  const paths = stored.rows.map(
    (row) =>
      `/r/${encodeLinkCode({ key: link.key, secret, recipientIndex: row.index, type: "lms" })}`,
  );

  const serverPid = server.processes[0]?.pid ?? 0;
  /** GETs of `paths` in turn from CONCURRENCY connections for `seconds`; `ok` says which answers count. */
  async function hammer(
    list: readonly string[],
    seconds: number,
    ok: (status: number, location: unknown) => boolean,
  ) {
    const pool = new Pool(server.url, { connections: CONCURRENCY, pipelining: 1 });
    const latencies: number[] = [];
    let made = 0;
    let failed = 0;
    let next = 0;
    const cpuBefore = await cpuMs(serverPid);
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          const path = list[next++ % list.length] as string;
          const t = performance.now();
          const res = await pool.request({ method: "GET", path, headers: { "user-agent": PHONE } });
          await res.body.dump();
          latencies.push(performance.now() - t);
          if (ok(res.statusCode, res.headers.location)) made++;
          else failed++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = (await cpuMs(serverPid)) - cpuBefore;
    await pool.close();
    return { made, failed, elapsed, cpu, latencies: latencies.sort((a, b) => a - b) };
  }
  const redirects = await hammer(
    paths,
    SECONDS,
    (status, location) => status === 302 && location === LINK,
  );
  const { made, failed, elapsed } = redirects;
  // For comparison: the server's cheapest route, through the same stack.
  const health = await hammer(["/health"], Math.min(SECONDS, 5), (status) => status === 200);

  // The server writes its clicks about once a second.
  let view: CampaignView | null = null;
  const clicked = Math.min(made, paths.length);
  for (let i = 0; i < 50; i++) {
    view = await request<CampaignView>(`${server.url}/v1/campaigns/${campaignId}`, apiKey);
    if ((view.links[0]?.clicks ?? 0) >= made) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const recorded = view?.links[0]?.clicks ?? 0;
  const rate = made / elapsed;
  const perCall = (r: { cpu: number; made: number }) =>
    `${fmt((r.cpu * 1000) / Math.max(r.made, 1))} µs of server CPU each (≈ ${fmt((r.made * 1000) / Math.max(r.cpu, 1))}/s per core)`;
  const sorted = redirects.latencies;
  console.log(
    [
      `redirects (postgres, ${fmt(CONCURRENCY)} keep-alive connections, ${fmt(paths.length)} distinct codes, ${fmt(elapsed, 1)} s):`,
      `  ${fmt(made)} redirects, ${fmt(failed)} failed: ${fmt(rate)} redirects/s (target ≥ ${fmt(TARGET_PER_SECOND)}: ${rate >= TARGET_PER_SECOND && failed === 0 ? "met" : "MISSED"})`,
      // Client and server share the machine's cores (and whatever else runs on it): the
      // server's own CPU per request, against its cheapest route's, tells what a redirect costs.
      `  ${perCall(redirects)}`,
      `  latency p50 ${fmt(percentile(sorted, 50), 2)} ms, p99 ${fmt(percentile(sorted, 99), 2)} ms, max ${fmt(sorted.at(-1) ?? 0, 2)} ms`,
      `  recorded clicks ${fmt(recorded)} of ${fmt(made)}; unique ${fmt(view?.links[0]?.uniqueClicks ?? 0)} and messages clicked ${fmt(view?.counts.clicked ?? 0)} of ${fmt(clicked)}: ${recorded === made && view?.counts.clicked === clicked ? "none lost" : "MISMATCH"}`,
      `GET /health for comparison: ${fmt(health.made / health.elapsed)}/s, ${perCall(health)}`,
    ].join("\n"),
  );
} finally {
  await server.stop();
}
