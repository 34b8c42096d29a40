// bench:pipeline — 100,000 messages accepted over HTTP, dispatched to the
// sandbox vendor (report delay 0), reported back over HTTP, applied and
// settled: messages per second end to end. In the same run, Graphile Worker
// processes 100,000 no-op jobs on the same PostgreSQL server in its batched
// mode (local queue, batched completion); the ratio compares the two rates.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:pipeline
//   (without DATABASE_URL: our pipeline on PGlite only)
import { randomBytes } from "node:crypto";
import { Logger, makeWorkerUtils, run } from "graphile-worker";
import pg from "pg";
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import { runDoctor } from "../src/modules/doctor/service.ts";
import { createPipeline } from "../test/pipeline.ts";
import { type BenchDb, benchOrg, fmt, pgliteBenchDb, postgresBenchDb } from "./support.ts";

const N = Number(process.env.BENCH_MESSAGES ?? 100_000);

async function ourPipeline(bench: BenchDb): Promise<number> {
  const { db } = bench;
  const pipeline = await createPipeline(db, {
    delayMs: 0,
    dispatchConcurrency:
      bench.engine === "postgres" ? Number(process.env.BENCH_DISPATCHERS ?? 6) : 1,
    claimSize: Number(process.env.BENCH_CLAIM ?? 500),
    directoryTtlMs: 30_000,
  });
  try {
    const { apiKey } = await benchOrg(db, BigInt(N) * 100n * MICRO_PER_CREDIT);
    const body = JSON.stringify({
      type: "sms",
      text: "#{name}님, 주문하신 상품이 발송되었습니다.",
      recipients: Array.from({ length: N }, (_, i) => ({
        to: `010-${String(4000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
        variables: { name: `고객${i}` },
      })),
    });
    const started = performance.now();
    const res = await fetch(`${pipeline.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body,
    });
    const { campaignId } = (await res.json()) as { campaignId: string };
    for (;;) {
      const r = await db.query<{ done: boolean }>(
        "select completed_at is not null as done from campaigns where id = $1",
        [campaignId],
      );
      if (r.rows[0]?.done) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ms = performance.now() - started;
    const check = await db.query<{ delivered: number }>(
      "select count(*)::int as delivered from messages where campaign_id = $1 and status = 'delivered' and settled_at is not null",
      [campaignId],
    );
    if (check.rows[0]?.delivered !== N)
      throw new Error(`only ${check.rows[0]?.delivered} delivered`);
    const { violations } = await runDoctor(db);
    if (violations.length > 0) throw new Error(`doctor: ${JSON.stringify(violations)}`);
    return ms;
  } finally {
    await pipeline.close();
  }
}

/** Graphile Worker in its batched mode, on its own database of the same server. */
async function graphileNoop(url: string): Promise<{ addMs: number; runMs: number }> {
  const name = `alimi_bench_gw_${randomBytes(4).toString("hex")}`;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const { openPostgres } = await import("../src/db/client.ts");
  const adminDb = openPostgres({ url: admin.toString(), poolSize: 1 });
  await adminDb.query(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const connectionString = target.toString();
  try {
    // One pool of our own, so that dropping the database afterwards cannot
    // surface as an unhandled error on a pool nobody listens to.
    const pgPool = new pg.Pool({ connectionString, max: 30 });
    pgPool.on("error", () => {});
    const utils = await makeWorkerUtils({ pgPool, logger: new Logger(() => () => {}) });
    await utils.migrate();
    const addStarted = performance.now();
    for (let start = 0; start < N; start += 1000) {
      await utils.addJobs(
        Array.from({ length: Math.min(1000, N - start) }, (_, i) => ({
          identifier: "noop",
          payload: { i: start + i },
        })),
      );
    }
    const addMs = performance.now() - addStarted;
    let done = 0;
    let finished: () => void = () => {};
    const allDone = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const runStarted = performance.now();
    const runner = await run({
      pgPool,
      concurrency: 24,
      noHandleSignals: true,
      pollInterval: 1000,
      logger: new Logger(() => () => {}),
      taskList: {
        noop: async () => {
          done++;
          if (done === N) finished();
        },
      },
      preset: {
        worker: {
          localQueue: { size: 500 },
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
        },
      },
    });
    await allDone;
    // Completions are batched: wait until the jobs table is empty as well.
    for (;;) {
      const left = await utils.withPgClient((c) =>
        c.query<{ n: number }>("select count(*)::int as n from graphile_worker.jobs"),
      );
      if (left.rows[0]?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const runMs = performance.now() - runStarted;
    await runner.stop();
    await utils.release();
    await pgPool.end();
    return { addMs, runMs };
  } finally {
    await adminDb.query(`drop database if exists ${name} with (force)`);
    await adminDb.close();
  }
}

const rate = (ms: number) => N / (ms / 1000);

const lite = process.env.BENCH_SKIP_PGLITE ? null : await pgliteBenchDb();
if (lite)
  try {
    const ms = await ourPipeline(lite);
    console.log(
      `pglite: Alimi pipeline ${fmt(N)} messages end to end: ${fmt(ms)} ms (${fmt(rate(ms))} msg/s)`,
    );
  } finally {
    await lite.dispose();
  }
else console.log("pglite: skipped (BENCH_SKIP_PGLITE)");

const url = process.env.DATABASE_URL;
if (url) {
  const pg = await postgresBenchDb(url);
  let ours: number;
  try {
    ours = await ourPipeline(pg);
  } finally {
    await pg.dispose();
  }
  const gw = await graphileNoop(url);
  console.log(
    [
      `postgres: Alimi pipeline ${fmt(N)} messages end to end (accept → dispatch → report → settle): ${fmt(ours)} ms (${fmt(rate(ours))} msg/s)`,
      `postgres: Graphile Worker ${fmt(N)} no-op jobs, batched: ${fmt(gw.runMs)} ms to process (${fmt(rate(gw.runMs))} jobs/s); adding them took ${fmt(gw.addMs)} ms more`,
      `ratio Alimi / Graphile Worker (processing only): ${fmt(rate(ours) / rate(gw.runMs), 2)} (goal ≥ 1.00: ${rate(ours) >= rate(gw.runMs) ? "met" : "MISSED"})`,
      `ratio Alimi / Graphile Worker (add + process): ${fmt(rate(ours) / rate(gw.runMs + gw.addMs), 2)}`,
    ].join("\n"),
  );
}
