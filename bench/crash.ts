// bench:crash — kill -9 the worker process repeatedly while 20,000 messages
// are in flight on PostgreSQL; after a last worker finishes, every message
// must be final and settled exactly once and the sandbox must have received
// each message at most once per our id.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:crash
import { randomBytes } from "node:crypto";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { runCrashScenario } from "../test/crash-scenario.ts";
import { fmt } from "./support.ts";

const base = process.env.DATABASE_URL;
if (!base) throw new Error("bench:crash needs DATABASE_URL (PostgreSQL)");
const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const kills = Number(process.env.BENCH_KILLS ?? 8);

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
  const report = await runCrashScenario({ url: url.toString(), messages, kills, log: console.log });
  const ok =
    report.receivedTwice === 0 &&
    report.notFinal === 0 &&
    report.unsettled === 0 &&
    report.badSettlements === 0 &&
    report.violations.length === 0 &&
    report.ledger.capture + report.ledger.release === report.ledger.hold;
  console.log(
    [
      `crash: ${fmt(report.messages)} messages, ${report.kills} SIGKILLs, ${fmt(report.durationMs)} ms`,
      `  resends deduplicated by the vendor: ${fmt(report.resendsDeduped)}`,
      `  received twice: ${report.receivedTwice}, not final: ${report.notFinal}, unsettled: ${report.unsettled}, bad settlements: ${report.badSettlements}`,
      `  ledger: hold ${report.ledger.hold} = capture ${report.ledger.capture} + release ${report.ledger.release}`,
      `  doctor violations: ${report.violations.length}`,
      `  result: ${ok ? "PASS" : "FAIL"}`,
    ].join("\n"),
  );
  if (!ok) process.exitCode = 1;
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.close();
}
