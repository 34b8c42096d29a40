// bench:accept — one POST /v1/messages with 100,000 recipients over real HTTP
// (parse, validate, route, price, insert, hold), against the raw cost of
// inserting as many rows with one unnest statement per 1,000 rows.
//
//   npm run bench:accept                      # PGlite
//   DATABASE_URL=postgres://… npm run bench:accept   # PGlite and PostgreSQL
import type { Db } from "../src/db/client.ts";
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import {
  type BenchDb,
  benchOrg,
  benchServer,
  fmt,
  pgliteBenchDb,
  postgresBenchDb,
} from "./support.ts";

const N = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const TARGET_MS = { pglite: 3500, postgres: 2000 };

function recipients(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    to: `010-${String(1000 + Math.floor(i / 10000)).padStart(4, "0")}-${String(i % 10000).padStart(4, "0")}`,
    variables: { name: `고객${i}` },
  }));
}

async function timeAccept(db: Db): Promise<number> {
  const { apiKey } = await benchOrg(db, BigInt(N) * 100n * MICRO_PER_CREDIT);
  const server = await benchServer(db);
  const { url } = server;
  const body = JSON.stringify({
    template: { code: "WELCOME_001", variables: { shop: "Alimi" } },
    recipients: recipients(N),
  });
  try {
    const started = performance.now();
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body,
    });
    const answer = (await res.json()) as { accepted?: number };
    const ms = performance.now() - started;
    if (res.status !== 202 || answer.accepted !== N) {
      throw new Error(`accept failed: ${res.status} ${JSON.stringify(answer).slice(0, 300)}`);
    }
    return ms;
  } finally {
    await server.close();
  }
}

/** The floor: the same number of rows of the same width, one unnest per 1,000 rows. */
async function timeRawInsert(db: Db): Promise<number> {
  await db.query(`create table bench_raw (id text primary key, org_id text, recipient text,
    variables jsonb, type text, price_held bigint, created_at timestamptz default now())`);
  const rows = recipients(N);
  const started = performance.now();
  await db.tx(async (q) => {
    for (let start = 0; start < N; start += 1000) {
      const batch = rows.slice(start, start + 1000);
      await q.query(
        `insert into bench_raw (id, org_id, recipient, variables, type, price_held)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::bigint[])`,
        [
          batch.map((_, i) => `raw_${start + i}`),
          batch.map(() => "org_bench"),
          batch.map((r) => r.to),
          batch.map((r) => JSON.stringify(r.variables)),
          batch.map(() => "alimtalk"),
          batch.map(() => "45000000"),
        ],
      );
    }
  });
  return performance.now() - started;
}

async function run(open: () => Promise<BenchDb>) {
  const bench = await open();
  try {
    const accept = await timeAccept(bench.db);
    const raw = await timeRawInsert(bench.db);
    const acceptRate = N / (accept / 1000);
    const rawRate = N / (raw / 1000);
    const target = TARGET_MS[bench.engine];
    console.log(
      [
        `${bench.engine}:`,
        `  accept ${fmt(N)} recipients over HTTP: ${fmt(accept)} ms (${fmt(acceptRate)} msg/s; target ≤ ${fmt(target)} ms: ${accept <= target ? "met" : "MISSED"})`,
        `  raw unnest insert of ${fmt(N)} rows:  ${fmt(raw)} ms (${fmt(rawRate)} rows/s)`,
        `  ratio accept/raw rate: ${fmt(acceptRate / rawRate, 2)} (target ≥ 0.50: ${acceptRate / rawRate >= 0.5 ? "met" : "MISSED"})`,
      ].join("\n"),
    );
  } finally {
    await bench.dispose();
  }
}

await run(pgliteBenchDb);
if (process.env.DATABASE_URL) await run(() => postgresBenchDb(process.env.DATABASE_URL!));
