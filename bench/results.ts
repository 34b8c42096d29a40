// Results at scale, as users read them: the real server process (`alimi
// serve`, the product's defaults) holds a campaign of BENCH_RECIPIENTS
// messages (default 1,000,000: a draft of parts of 100,000, not launched, so
// nothing is sent), and this process reads it over HTTP:
//
// - GET /v1/campaigns/{id}/messages.csv streamed to the end: rows/s, MB/s,
//   and the server's resident memory before, at its peak, and after — the
//   export reads a page at a time, so its peak grows by far less than the
//   file's size;
// - GET /v1/campaigns/{id}/messages (a page of 100; messages_campaign_idx),
//   GET /v1/messages?to= (one number among them; messages_recipient_idx) and
//   GET /v1/stats/summary and /v1/stats/series (stats_deltas, never the
//   messages): latency p50/p99 over repeated calls.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/results.ts
//   BENCH_RECIPIENTS=200000 …      # a smaller campaign
//   BENCH_RESULTS_PGLITE=1 …       # the embedded database too (slow)
import { type Engine, percentile, request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 1_000_000);
const PART = 100_000;
const CALLS = 50;
const MB = 1024 * 1024;

const phoneOf = (i: number) =>
  `010-${String(2000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`;

async function latency(url: string, apiKey: string): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await request(url, apiKey);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function run(engine: Engine): Promise<string[]> {
  const server = await startServer({ engine, databaseUrl: process.env.DATABASE_URL });
  try {
    const { apiKey } = await server.tenant("Results", RECIPIENTS * 20);
    const draft = await request<{ id: string }>(`${server.url}/v1/campaigns`, apiKey, {
      body: { type: "sms", text: "#{name}님, 주문하신 상품이 발송되었습니다." },
      expect: 201,
    });
    const acceptStarted = performance.now();
    for (let start = 0; start < RECIPIENTS; start += PART) {
      const recipients = Array.from({ length: Math.min(PART, RECIPIENTS - start) }, (_, k) => ({
        to: phoneOf(start + k),
        variables: { name: `고객${start + k}` },
      }));
      await request(`${server.url}/v1/campaigns/${draft.id}/recipients`, apiKey, {
        body: { recipients },
        expect: 201,
      });
    }
    const acceptMs = performance.now() - acceptStarted;

    const before = await server.rss();
    const peakBefore = await server.peakRss();
    const started = performance.now();
    const res = await fetch(`${server.url}/v1/campaigns/${draft.id}/messages.csv`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}`);
    let bytes = 0;
    let lines = 0;
    let firstByteMs = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += chunk.byteLength;
      for (const b of chunk) if (b === 0x0a) lines++;
    }
    const exportMs = performance.now() - started;
    const peakAfter = await server.peakRss();
    const after = await server.rss();
    if (lines !== RECIPIENTS + 1) throw new Error(`the export had ${lines} lines`);

    const page = await latency(`${server.url}/v1/campaigns/${draft.id}/messages?limit=100`, apiKey);
    const search = await latency(
      `${server.url}/v1/messages?to=${phoneOf(Math.floor(RECIPIENTS / 2))}`,
      apiKey,
    );
    const summary = await latency(`${server.url}/v1/stats/summary`, apiKey);
    const series = await latency(`${server.url}/v1/stats/series?granularity=hour`, apiKey);
    const mb = (n: number) => fmt(n / MB);
    return [
      `${engine}: a campaign of ${fmt(RECIPIENTS)} messages (a draft, ${fmt(RECIPIENTS / PART)} parts accepted in ${fmt(acceptMs)} ms)`,
      `  messages.csv: ${fmt(lines - 1)} rows, ${mb(bytes)} MB in ${fmt(exportMs)} ms (${fmt((lines - 1) / (exportMs / 1000))} rows/s, ${fmt(bytes / MB / (exportMs / 1000), 1)} MB/s; first byte after ${fmt(firstByteMs)} ms)`,
      `  server memory: RSS ${mb(before[0] ?? 0)} MB before, ${mb(after[0] ?? 0)} MB after; peak ${mb(peakBefore[0] ?? 0)} MB before the export, ${mb(peakAfter[0] ?? 0)} MB after it (grew ${mb((peakAfter[0] ?? 0) - (peakBefore[0] ?? 0))} MB for a ${mb(bytes)} MB file)`,
      `  GET /v1/campaigns/{id}/messages?limit=100: p50 ${fmt(page.p50, 1)} ms, p99 ${fmt(page.p99, 1)} ms`,
      `  GET /v1/messages?to= (one number): p50 ${fmt(search.p50, 1)} ms, p99 ${fmt(search.p99, 1)} ms`,
      `  GET /v1/stats/summary: p50 ${fmt(summary.p50, 1)} ms, p99 ${fmt(summary.p99, 1)} ms`,
      `  GET /v1/stats/series?granularity=hour (24 h): p50 ${fmt(series.p50, 1)} ms, p99 ${fmt(series.p99, 1)} ms`,
    ];
  } finally {
    await server.stop();
  }
}

if (process.env.DATABASE_URL) console.log((await run("postgres")).join("\n"));
if (!process.env.DATABASE_URL || process.env.BENCH_RESULTS_PGLITE) {
  console.log((await run("pglite")).join("\n"));
}
