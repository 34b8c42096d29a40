// bench:fairness — tenant A enqueues 200,000 messages in one campaign; while
// they go out, tenant B sends one message every 100 ms. Prints B's latency
// from the start of its POST to the moment its message is delivered
// (sandbox report delay 0), p50 and p99. Goal: p99 ≤ 1 s.
//
//   npm run bench:fairness                              # PGlite
//   DATABASE_URL=postgres://… npm run bench:fairness    # and PostgreSQL
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import { createPipeline } from "../test/pipeline.ts";
import { type BenchDb, benchOrg, fmt, pgliteBenchDb, postgresBenchDb } from "./support.ts";

const A_MESSAGES = Number(process.env.BENCH_A_MESSAGES ?? 200_000);
const B_EVERY_MS = 100;
const B_SAMPLES = Number(process.env.BENCH_B_SAMPLES ?? 150);

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

async function run(open: () => Promise<BenchDb>) {
  const bench = await open();
  const { db } = bench;
  const pipeline = await createPipeline(db, {
    delayMs: 0,
    dispatchConcurrency: bench.engine === "postgres" ? 6 : 1,
    claimSize: 500,
    directoryTtlMs: 30_000,
  });
  try {
    const a = await benchOrg(db, BigInt(A_MESSAGES) * 100n * MICRO_PER_CREDIT);
    const b = await benchOrg(db, 1_000_000n * MICRO_PER_CREDIT);
    const post = (key: string, body: unknown) =>
      fetch(`${pipeline.url}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    // 100,000 recipients per request: A's 200,000 go in as two campaigns.
    const bulk: string[] = [];
    for (let start = 0; start < A_MESSAGES; start += 100_000) {
      const res = await post(a.apiKey, {
        type: "sms",
        text: "A사 대량 안내",
        recipients: Array.from({ length: Math.min(100_000, A_MESSAGES - start) }, (_, k) => {
          const i = start + k;
          return {
            to: `010-${String(6000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
          };
        }),
      });
      if (res.status !== 202)
        throw new Error(`tenant A's send answered ${res.status}: ${await res.text()}`);
      bulk.push(((await res.json()) as { campaignId: string }).campaignId);
    }

    const latencies: number[] = [];
    const campaigns: string[] = [];
    const one = async (i: number) => {
      const started = performance.now();
      const res = await post(b.apiKey, {
        type: "sms",
        text: `B사 인증번호 ${100000 + i}`,
        recipients: [{ to: `010-9${String(i).padStart(3, "0")}-0000` }],
      });
      if (res.status !== 202) throw new Error(`tenant B's send answered ${res.status}`);
      const { campaignId } = (await res.json()) as { campaignId: string };
      campaigns.push(campaignId);
      for (;;) {
        const r = await db.query<{ status: string }>(
          "select status from messages where campaign_id = $1",
          [campaignId],
        );
        if (r.rows[0]?.status === "delivered") break;
        // Not too often: this polling is load on the same database and process.
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      latencies.push(performance.now() - started);
    };
    const sends: Promise<void>[] = [];
    for (let i = 0; i < B_SAMPLES; i++) {
      sends.push(one(i));
      await new Promise((resolve) => setTimeout(resolve, B_EVERY_MS));
    }
    await Promise.all(sends);
    const server = await db.query<{ ms: number; toSent: number }>(
      `select extract(epoch from (r.received_at - m.created_at)) * 1000 as ms,
         extract(epoch from (m.sent_at - m.created_at)) * 1000 as "toSent"
       from messages m join delivery_reports r
         on r.vendor_account_id = m.vendor_account_id and r.vendor_message_id = m.vendor_message_id
         and r.status = 'delivered'
       where m.campaign_id = any($1::text[])`,
      [campaigns],
    );
    const left = await db.query<{ n: number }>(
      "select count(*)::int as n from messages where campaign_id = any($1::text[]) and status in ('queued', 'sending')",
      [bulk],
    );
    const client = [...latencies].sort((x, y) => x - y);
    const serverSide = server.rows.map((r) => Number(r.ms)).sort((x, y) => x - y);
    const toSent = server.rows.map((r) => Number(r.toSent)).sort((x, y) => x - y);
    const p99 = percentile(serverSide, 99);
    console.log(
      [
        `${bench.engine}: tenant B, ${latencies.length} single sends every ${B_EVERY_MS} ms while tenant A's ${fmt(A_MESSAGES)} were going out`,
        `  (A still had ${fmt(left.rows[0]?.n ?? 0)} queued or sending when B's last message was delivered)`,
        `  B accepted → delivered (server): p50 ${fmt(percentile(serverSide, 50))} ms, p99 ${fmt(p99)} ms, max ${fmt(serverSide.at(-1) ?? 0)} ms`,
        `    of which accepted → sent to the vendor: p50 ${fmt(percentile(toSent, 50))} ms, p99 ${fmt(percentile(toSent, 99))} ms`,
        `  B POST → delivered seen (client): p50 ${fmt(percentile(client, 50))} ms, p99 ${fmt(percentile(client, 99))} ms`,
        `  goal p99 ≤ 1,000 ms: ${fmt(p99 / 1000, 2)}× of the budget, ${p99 <= 1000 ? "met" : "MISSED"}`,
      ].join("\n"),
    );
  } finally {
    await pipeline.close();
    await bench.dispose();
  }
}

if (!process.env.BENCH_SKIP_PGLITE) await run(pgliteBenchDb);
if (process.env.DATABASE_URL) await run(() => postgresBenchDb(process.env.DATABASE_URL!));
