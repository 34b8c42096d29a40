// bench:reports — delivery reports ingested per second over HTTP: each POST
// carries 1,000 sandbox reports, signed (HMAC over timestamp and body),
// verified, deduplicated (10% are repeats) and stored and applied durably
// before the 200. Four POSTs in flight, as a vendor with parallel senders.
//
//   npm run bench:reports                                  # PGlite
//   DATABASE_URL=postgres://… npm run bench:reports        # and PostgreSQL
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import { acceptSend } from "../src/modules/messages/service.ts";
import { markSent } from "../src/modules/messages/transitions.ts";
import { signSandboxReports } from "../src/vendors/sandbox/callback.ts";
import type { WireReport } from "../src/vendors/sandbox/wire.ts";
import { createPipeline } from "../test/pipeline.ts";
import { type BenchDb, benchOrg, fmt, pgliteBenchDb, postgresBenchDb } from "./support.ts";

const N = Number(process.env.BENCH_REPORTS ?? 100_000);
const PER_POST = 1000;
const IN_FLIGHT = 4;
const GOAL = 10_000;

async function run(open: () => Promise<BenchDb>) {
  const bench = await open();
  const pipeline = await createPipeline(bench.db, { workers: false });
  try {
    const { db } = bench;
    const { orgId } = await benchOrg(db, BigInt(N) * 100n * MICRO_PER_CREDIT);
    const accepted = await acceptSend(db, {
      orgId,
      input: {
        type: "sms",
        text: "발송 안내",
        recipients: Array.from({ length: N }, (_, i) => ({
          to: `010-${String(5000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
        })),
      },
      now: new Date(),
      idempotency: null,
    });
    const ids = (
      await db.query<{ id: string }>("select id from messages where campaign_id = $1", [
        accepted.body.campaignId,
      ])
    ).rows.map((r) => r.id);
    // The vendor has them: they wait for their reports.
    for (let start = 0; start < ids.length; start += 5000) {
      await markSent(
        db,
        ids.slice(start, start + 5000).map((id) => ({
          id,
          vendorAccountId: pipeline.sandboxAccountId,
          vendorMessageId: `sbx_${id}`,
          nativeFallback: false,
          routeReason: "primary",
        })),
        new Date(),
      );
    }
    const account = await pipeline.directory.get(pipeline.sandboxAccountId);
    if (!account) throw new Error("no sandbox account");
    const report = (id: string): WireReport => ({
      messageId: `sbx_${id}`,
      customId: id,
      type: "sms",
      status: "DELIVERED",
      errorCode: null,
      errorMessage: null,
      fallbackOf: null,
      occurredAt: new Date().toISOString(),
    });
    // Every tenth POST repeats half of the previous one: duplicates to drop.
    const bodies: string[] = [];
    for (let start = 0, n = 0; start < ids.length; start += PER_POST, n++) {
      const reports = ids.slice(start, start + PER_POST).map(report);
      if (n % 10 === 9) reports.push(...ids.slice(start - PER_POST / 2, start).map(report));
      bodies.push(JSON.stringify({ batchId: `b${n}`, reports }));
    }
    const total = bodies.reduce(
      (sum, b) => sum + (JSON.parse(b) as { reports: unknown[] }).reports.length,
      0,
    );
    const url = `${pipeline.url}/webhooks/vendors/${account.id}`;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const headers = signSandboxReports(account.webhookSecret, body, Date.now() / 1000);
          const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body,
          });
          if (res.status !== 200)
            throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
        }
      }),
    );
    const ms = performance.now() - started;
    const stored = await db.query<{ n: number; delivered: number }>(
      `select (select count(*)::int from delivery_reports) as n,
              (select count(*)::int from messages where campaign_id = $1 and status = 'delivered') as delivered`,
      [accepted.body.campaignId],
    );
    if (stored.rows[0]?.n !== N || stored.rows[0]?.delivered !== N) {
      throw new Error(
        `stored ${stored.rows[0]?.n} reports, ${stored.rows[0]?.delivered} delivered`,
      );
    }
    const rate = total / (ms / 1000);
    console.log(
      `${bench.engine}: ${fmt(total)} reports (${fmt(total - N)} repeats) in ${bodies.length} signed POSTs: ${fmt(ms)} ms, ${fmt(rate)} reports/s (goal ≥ ${fmt(GOAL)}: ${fmt(rate / GOAL, 2)}×, ${rate >= GOAL ? "met" : "MISSED"})`,
    );
  } finally {
    await pipeline.close();
    await bench.dispose();
  }
}

await run(pgliteBenchDb);
if (process.env.DATABASE_URL) await run(() => postgresBenchDb(process.env.DATABASE_URL!));
