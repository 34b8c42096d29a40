// bench:crash — kill -9 the whole all-in-one server (API, sandbox vendor and
// workers in one process, as `npm start` runs it) five times while 20,000
// messages are in flight on PostgreSQL, restarting it each time. Every message
// must end final as its sandbox recipient dictates and settled exactly once,
// with `alimi doctor` clean, within ALIMI_POLL_AFTER plus a minute of the last
// restart.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:crash
import { randomBytes } from "node:crypto";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { crashPassed, runCrashScenario } from "../test/crash-scenario.ts";
import { fmt } from "./support.ts";

const base = process.env.DATABASE_URL;
if (!base) throw new Error("bench:crash needs DATABASE_URL (PostgreSQL)");
const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const kills = Number(process.env.BENCH_KILLS ?? 5);
const pollAfter = process.env.BENCH_POLL_AFTER ?? "5s";

const name = `alimi_crash_${randomBytes(4).toString("hex")}`;
const adminUrl = new URL(base);
adminUrl.pathname = "/postgres";
const admin = openPostgres({ url: adminUrl.toString(), poolSize: 1 });
await admin.query(`create database ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
try {
  const db = openPostgres({ url: url.toString(), poolSize: 1 });
  await migrate(db);
  await db.close();
  const report = await runCrashScenario({
    url: url.toString(),
    messages,
    kills,
    pollAfter,
    // Reports 3 s after acceptance and short lives: every kill finds work in flight.
    sandboxDelayMs: 3000,
    lifeMs: [1000, 2000],
    log: console.log,
  });
  const ok = crashPassed(report);
  console.log(
    [
      `crash: ${fmt(report.messages)} messages, ${report.kills} SIGKILLs of the whole server, ${fmt(report.durationMs)} ms`,
      `  last restart → all final: ${fmt(report.lastRestartToFinalMs)} ms (bound: ALIMI_POLL_AFTER ${pollAfter} + 1 min = ${fmt(report.boundMs)} ms; 010-0000-0004 expires ALIMI_EXPIRE_AFTER 40s after it was sent)`,
      `  last restart → all but 010-0000-0004 final: ${fmt(report.lastRestartToReportedMs)} ms`,
      `  resends deduplicated by the vendor: ${fmt(report.resendsDeduped)}`,
      `  received twice: ${report.receivedTwice}, not final: ${report.notFinal}, wrong outcome: ${report.wrongOutcome}, unsettled: ${report.unsettled}, bad settlements: ${report.badSettlements}`,
      `  ledger: hold ${report.ledger.hold} = capture ${report.ledger.capture} + release ${report.ledger.release}: ${report.ledger.capture + report.ledger.release === report.ledger.hold}`,
      `  doctor violations: ${report.violations.length}`,
      `  result: ${ok ? "PASS" : "FAIL"}`,
    ].join("\n"),
  );
  if (!ok) process.exitCode = 1;
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.close();
}
