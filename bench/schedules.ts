// bench:schedules — 10,000 active schedules due in the same minute, through
// the real server process (`alimi serve`) on PostgreSQL: each a message to
// one recipient on the sandbox vendor, made with POST /v1/schedules. The
// server's clock (ALIMI_TEST_CLOCK) is then moved past that minute, and the
// figure is how long until every occurrence has run, each once: as many
// runs, distinct occurrences and campaigns as schedules.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:schedules
//   BENCH_SCHEDULES=2000 …   # fewer schedules
//   BENCH_ORGS=1 …           # all in one organization (default 10, 1,000 each)
//
// With one organization every run's credit hold takes the same wallet row,
// and settlement of the runs already sent takes it too: the runs then go
// one wallet commit at a time. Ten organizations with a wallet each are the
// shape of a headquarters' branches.
import { openPostgres } from "../src/db/client.ts";
import { request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const N = Number(process.env.BENCH_SCHEDULES ?? 10_000);
const TARGET_MS = 60_000;
const CREATE_CONCURRENCY = 16;
const ORGS = Number(process.env.BENCH_ORGS ?? 10);

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("bench:schedules runs on PostgreSQL: set DATABASE_URL");
  process.exit(2);
}

const server = await startServer({
  engine: "postgres",
  databaseUrl,
  env: { ALIMI_TEST_CLOCK: "true" },
});
const db = openPostgres({ url: server.databaseUrl!, poolSize: 2 });
try {
  const tenants = await Promise.all(
    Array.from({ length: ORGS }, (_, i) =>
      server.tenant(`Schedules ${i}`, Math.ceil(N / ORGS) * 30),
    ),
  );
  const orgIds = tenants.map((t) => t.orgId);
  // Every schedule once, at a second of the same minute two hours from now.
  const minute = Math.ceil((Date.now() + 2 * 3_600_000) / 60_000) * 60_000;
  const made = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        await request(`${server.url}/v1/schedules`, tenants[i % ORGS]!.apiKey, {
          expect: 201,
          body: {
            title: `예약 ${i}`,
            repeat: { kind: "once", at: new Date(minute + (i % 60) * 1000).toISOString() },
            target: {
              kind: "message",
              message: {
                type: "sms",
                text: `예약 안내 ${i}`,
                recipients: [
                  {
                    to: `010-${String(6000 + Math.floor(i / 10_000)).padStart(4, "0")}-${String(i % 10_000).padStart(4, "0")}`,
                  },
                ],
              },
            },
          },
        });
      }
    }),
  );
  const madeMs = performance.now() - made;

  // Past the minute: all N are due at once.
  const moveBy = minute + 61_000 - Date.now();
  const started = performance.now();
  const res = await fetch(`${server.url}/test/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ advanceMs: moveBy }),
  });
  if (!res.ok) throw new Error(`POST /test/clock answered ${res.status}: ${await res.text()}`);

  let finished = 0;
  while (performance.now() - started < 10 * TARGET_MS) {
    const r = await db.query<{ n: string }>(
      "select count(*) as n from schedule_runs where org_id = any($1::text[]) and status <> 'running'",
      [orgIds],
    );
    finished = Number(r.rows[0]!.n);
    if (finished >= N) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const ranMs = performance.now() - started;

  const tally = await db.query<Record<string, string>>(
    `select (select count(*) from schedule_runs where org_id = any($1::text[])) as runs,
       (select count(distinct (schedule_id, occurrence_at)) from schedule_runs where org_id = any($1::text[]))
         as occurrences,
       (select count(*) from schedule_runs where org_id = any($1::text[]) and status = 'success') as success,
       (select count(distinct campaign_id) from schedule_runs where org_id = any($1::text[])) as linked,
       (select count(*) from campaigns where org_id = any($1::text[])) as campaigns,
       (select count(*) from schedules where org_id = any($1::text[]) and status = 'completed') as completed`,
    [orgIds],
  );
  const t = Object.fromEntries(Object.entries(tally.rows[0]!).map(([k, v]) => [k, Number(v)]));
  const once =
    t.runs === N && t.occurrences === N && t.success === N && t.linked === N && t.campaigns === N;

  console.log(
    `bench:schedules — ${fmt(N)} once-schedules due in the same minute, ${ORGS} organization(s), PostgreSQL`,
  );
  console.log(
    `  made with POST /v1/schedules: ${fmt(madeMs / 1000, 1)} s (${fmt(N / (madeMs / 1000))}/s)`,
  );
  console.log(
    `  clock moved → every occurrence run: ${fmt(ranMs / 1000, 1)} s (${fmt(finished / (ranMs / 1000))} runs/s); target ≤ ${TARGET_MS / 1000} s: ${ranMs <= TARGET_MS && finished >= N ? "met" : "NOT met"}`,
  );
  console.log(
    `  runs ${fmt(t.runs!)}, distinct occurrences ${fmt(t.occurrences!)}, success ${fmt(t.success!)}, campaigns ${fmt(t.campaigns!)} (linked ${fmt(t.linked!)}), schedules completed ${fmt(t.completed!)}: ${once ? "each once" : "NOT each once"}`,
  );
  if (!once || finished < N) process.exitCode = 1;
} finally {
  await db.close();
  await server.stop();
}
