import type { Db } from "../src/db/client.ts";
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import { createPipeline } from "../test/pipeline.ts";
import { benchOrg, postgresBenchDb } from "./support.ts";

const N = 100_000;
const bench = await postgresBenchDb("postgres://postgres@127.0.0.1:5432/postgres");
const stats = new Map<string, { n: number; ms: number }>();
const wrap = (db: Db): Db => {
  const rec = (sql: string, ms: number) => {
    const k = sql.replace(/\s+/g, " ").trim().slice(0, 60);
    const s = stats.get(k) ?? { n: 0, ms: 0 };
    s.n++;
    s.ms += ms;
    stats.set(k, s);
  };
  const q = (inner: any) => async (text: string, params?: unknown[]) => {
    const t = performance.now();
    try {
      return await inner(text, params);
    } finally {
      rec(text, performance.now() - t);
    }
  };
  return {
    ...db,
    query: q(db.query.bind(db)),
    tx: (fn: any) => db.tx((t: any) => fn({ ...t, query: q(t.query.bind(t)) })),
  } as Db;
};
const db = wrap(bench.db);
const pipeline = await createPipeline(db, {
  delayMs: 0,
  dispatchConcurrency: 4,
  directoryTtlMs: 30_000,
});
const { apiKey } = await benchOrg(db, BigInt(N) * 100n * MICRO_PER_CREDIT);
const body = JSON.stringify({
  type: "sms",
  text: "#{name}님, 발송되었습니다.",
  recipients: Array.from({ length: N }, (_, i) => ({
    to: `010-${String(4000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
    variables: { name: `고객${i}` },
  })),
});
const t0 = performance.now();
const res = await fetch(`${pipeline.url}/v1/messages`, {
  method: "POST",
  headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
  body,
});
const { campaignId } = (await res.json()) as any;
for (;;) {
  const d = await bench.db.query<any>("select completed_at from campaigns where id=$1", [
    campaignId,
  ]);
  if (d.rows[0].completed_at) break;
  await new Promise((r) => setTimeout(r, 100));
}
console.log("total", Math.round(performance.now() - t0));
console.log(
  [...stats]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 14)
    .map(([k, s]) => `${Math.round(s.ms)}ms n=${s.n} avg=${(s.ms / s.n).toFixed(1)} ${k}`)
    .join("\n"),
);
await pipeline.close();
await bench.dispose();
