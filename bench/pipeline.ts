// bench:pipeline — as users run it: the real server process (`alimi serve`
// with the product's defaults, sandbox report delay 0), 100,000 SMS accepted
// in one request over HTTP from this process, dispatched to the sandbox,
// reported back over HTTP, applied and settled: messages per second end to
// end, and what one message costs PostgreSQL (WAL, rows, index entries). In
// the same run, Graphile Worker processes 100,000 no-op jobs on the same
// PostgreSQL server in its batched mode (local queue, batched completion);
// the ratio compares the two rates. On PGlite, the same figure and its ratio
// to PostgreSQL's.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:pipeline
//   BENCH_ROLES=api,worker DATABASE_URL=… npm run bench:pipeline   # separate processes
//   (without DATABASE_URL: our pipeline on PGlite only)
import { randomBytes } from "node:crypto";
import { Logger, makeWorkerUtils, run } from "graphile-worker";
import pg from "pg";
import { pgCostMeter } from "./pg-cost.ts";
import { type Engine, type Role, request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const N = Number(process.env.BENCH_MESSAGES ?? 100_000);
const ROLES = (process.env.BENCH_ROLES?.split(",") ?? ["all"]) as Role[];

interface Campaign {
  status: string;
  completedAt: string | null;
  counts: Record<string, number>;
}

async function ourPipeline(engine: Engine, roles: Role[]): Promise<{ ms: number; cost: string[] }> {
  const server = await startServer({
    engine,
    databaseUrl: process.env.DATABASE_URL,
    roles,
    env: { ALIMI_SANDBOX_DELAY_MS: "0" },
  });
  try {
    const { apiKey } = await server.tenant("Bench", N * 100);
    const meter = server.databaseUrl ? await pgCostMeter(server.databaseUrl) : null;
    const body = {
      type: "sms",
      text: "#{name}님, 주문하신 상품이 발송되었습니다.",
      recipients: Array.from({ length: N }, (_, i) => ({
        to: `010-${String(4000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
        variables: { name: `고객${i}` },
      })),
    };
    const started = performance.now();
    const { campaignId } = await request<{ campaignId: string }>(
      `${server.url}/v1/messages`,
      apiKey,
      { body },
    );
    let campaign: Campaign;
    for (;;) {
      campaign = await request<Campaign>(`${server.url}/v1/campaigns/${campaignId}`, apiKey);
      if (campaign.completedAt) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ms = performance.now() - started;
    if (campaign.counts.delivered !== N) {
      throw new Error(`only ${campaign.counts.delivered} of ${N} delivered`);
    }
    const cost = meter ? await meter.report(N) : [];
    await meter?.close();
    const doctor = (await server.cli("doctor")) as { ok: boolean; violations: unknown[] };
    if (!doctor.ok) throw new Error(`doctor: ${JSON.stringify(doctor.violations)}`);
    return { ms, cost };
  } finally {
    await server.stop();
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

let lite: number | null = null;
if (!process.env.BENCH_SKIP_PGLITE && ROLES.length === 1) {
  lite = (await ourPipeline("pglite", ["all"])).ms;
  console.log(
    `pglite, all (the real server process): Alimi pipeline ${fmt(N)} messages end to end: ${fmt(lite)} ms (${fmt(rate(lite))} msg/s)`,
  );
} else console.log("pglite: skipped (BENCH_SKIP_PGLITE, or several roles)");

const url = process.env.DATABASE_URL;
if (url) {
  const ours = await ourPipeline("postgres", ROLES);
  const gw = await graphileNoop(url);
  console.log(
    [
      `postgres, ${ROLES.join(" + ")} (the real server process): Alimi pipeline ${fmt(N)} messages end to end (accept → dispatch → report → settle): ${fmt(ours.ms)} ms (${fmt(rate(ours.ms))} msg/s)`,
      ...ours.cost,
      `postgres: Graphile Worker ${fmt(N)} no-op jobs, batched: ${fmt(gw.runMs)} ms to process (${fmt(rate(gw.runMs))} jobs/s); adding them took ${fmt(gw.addMs)} ms more`,
      `ratio Alimi / Graphile Worker (processing only): ${fmt(rate(ours.ms) / rate(gw.runMs), 2)} (goal ≥ 1.00: ${rate(ours.ms) >= rate(gw.runMs) ? "met" : "MISSED"})`,
      `ratio Alimi / Graphile Worker (add + process): ${fmt(rate(ours.ms) / rate(gw.runMs + gw.addMs), 2)}`,
      ...(lite === null
        ? []
        : [`ratio PGlite / PostgreSQL (Alimi): ${fmt(rate(lite) / rate(ours.ms), 2)}`]),
    ].join("\n"),
  );
}
