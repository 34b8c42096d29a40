// bench:million — a campaign of 1,000,000 recipients, as users run it: the
// real server process (`alimi serve`, the product's defaults, sandbox report
// delay 50 ms), built from a draft (`POST /v1/campaigns`), ten parts of
// 100,000 (`POST /v1/campaigns/{id}/recipients`) and a launch, all over HTTP
// from this process. Meanwhile tenant B sends one SMS every 100 ms and waits
// for each to complete. Prints the server's peak RSS (goal ≤ 512 MB), the
// accept time per part and in all, launch → completed and the drain rate,
// the cost of reading the campaign while it drains, and B's figures (the
// fairness goals: accepted → vendor p99 ≤ 250 ms, → completed p99 ≤ 1 s).
//
//   DATABASE_URL=postgres://… npm run bench:million
//   BENCH_MILLION_PGLITE=1 npm run bench:million   # also the embedded database (slow)
//   BENCH_RECIPIENTS=200000 …                      # a smaller campaign

import { probeLines, startProbe } from "./probe.ts";
import { type Engine, percentile, request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 1_000_000);
const PART = 100_000;
const SANDBOX_DELAY_MS = 50;
const B_EVERY_MS = 100;
const MB = 1024 * 1024;

interface Campaign {
  id: string;
  status: string;
  counts: Record<string, number>;
  completedAt: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function part(index: number) {
  return Array.from({ length: Math.min(PART, RECIPIENTS - index * PART) }, (_, k) => {
    const i = index * PART + k;
    return {
      to: `010-${String(2000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
      variables: { name: `고객${i}` },
    };
  });
}

async function run(engine: Engine) {
  const server = await startServer({
    engine,
    databaseUrl: process.env.DATABASE_URL,
    env: { ALIMI_SANDBOX_DELAY_MS: String(SANDBOX_DELAY_MS) },
  });
  let peakSampled = 0;
  const sampler = setInterval(async () => {
    const [rss] = await server.rss();
    if (rss !== undefined) peakSampled = Math.max(peakSampled, rss);
  }, 250);
  try {
    const a = await server.tenant("A", RECIPIENTS * 20);
    const b = await server.tenant("B", 1_000_000);
    const probe = startProbe({ url: server.url, key: b.apiKey, everyMs: B_EVERY_MS });
    const at = (path: string) => `${server.url}${path}`;

    const draft = await request<Campaign>(at("/v1/campaigns"), a.apiKey, {
      body: { type: "sms", text: "#{name}님, 연말 감사 행사에 초대합니다." },
      expect: 201,
    });
    const partMs: number[] = [];
    const acceptStarted = performance.now();
    for (let i = 0; i * PART < RECIPIENTS; i++) {
      const recipients = part(i);
      const started = performance.now();
      await request(at(`/v1/campaigns/${draft.id}/recipients`), a.apiKey, {
        body: { recipients },
        expect: 201,
      });
      partMs.push(performance.now() - started);
    }
    const acceptMs = performance.now() - acceptStarted;
    const launchedAt = performance.now();
    await request(at(`/v1/campaigns/${draft.id}/launch`), a.apiKey, { body: {}, expect: 200 });

    // Read the campaign as a console would while it drains: every read is timed.
    const readMs: number[] = [];
    let campaign: Campaign;
    for (;;) {
      const started = performance.now();
      campaign = await request<Campaign>(at(`/v1/campaigns/${draft.id}`), a.apiKey);
      readMs.push(performance.now() - started);
      if (campaign.status === "completed") break;
      await sleep(1000);
    }
    const drainMs = performance.now() - launchedAt;
    const b_ = await probe.stop();
    const peak = Math.max(peakSampled, ...(await server.peakRss()));
    const sortedParts = [...partMs].sort((x, y) => x - y);
    const sortedReads = [...readMs].sort((x, y) => x - y);
    console.log(
      [
        `${engine}, the real server process (all roles), sandbox delay ${SANDBOX_DELAY_MS} ms:`,
        `  tenant A: ${fmt(RECIPIENTS)} recipients in ${partMs.length} parts of up to ${fmt(PART)}`,
        `  accept: ${fmt(acceptMs / 1000, 1)} s in all, per part p50 ${fmt(percentile(sortedParts, 50) / 1000, 2)} s, max ${fmt((sortedParts.at(-1) ?? 0) / 1000, 2)} s`,
        `  launch → completed: ${fmt(drainMs / 1000, 1)} s = ${fmt(RECIPIENTS / (drainMs / 1000))} messages/s (delivered ${fmt(campaign.counts.delivered ?? 0)})`,
        `  campaign read while draining: p50 ${fmt(percentile(sortedReads, 50), 1)} ms, max ${fmt(sortedReads.at(-1) ?? 0, 1)} ms over ${readMs.length} reads`,
        `  server peak RSS: ${fmt(peak / MB)} MB   goal ≤ 512 MB: ${peak <= 512 * MB ? "met" : "MISSED"}`,
        `  tenant B meanwhile: ${b_.sends} single SMS, one every ${B_EVERY_MS} ms`,
        ...probeLines(b_),
      ].join("\n"),
    );
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

if (process.env.DATABASE_URL) await run("postgres");
if (process.env.BENCH_MILLION_PGLITE) await run("pglite");
if (!process.env.DATABASE_URL && !process.env.BENCH_MILLION_PGLITE) {
  console.log("bench:million needs DATABASE_URL (PostgreSQL), or BENCH_MILLION_PGLITE=1");
}
