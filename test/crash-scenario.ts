// Worker processes killed with SIGKILL, again and again, while a campaign is
// in flight; then one worker left to finish. The API and the sandbox vendor
// live in this process, so the vendor remembers what it received across the
// workers' deaths, as a real vendor would.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { benchOrg } from "../bench/support.ts";
import { openPostgres } from "../src/db/client.ts";
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import { runDoctor, type Violation } from "../src/modules/doctor/service.ts";
import { acceptSend } from "../src/modules/messages/service.ts";
import { createPipeline } from "./pipeline.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

export interface CrashReport {
  messages: number;
  kills: number;
  /** Sends the vendor saw again for an id it already had (answered with the same vendor id). */
  resendsDeduped: number;
  /** Ids the vendor received more than once: must be 0. */
  receivedTwice: number;
  notFinal: number;
  unsettled: number;
  badSettlements: number;
  ledger: { hold: bigint; capture: bigint; release: bigint };
  violations: Violation[];
  durationMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCrashScenario(options: {
  url: string;
  messages: number;
  kills: number;
  log?: (line: string) => void;
}): Promise<CrashReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const db = openPostgres({ url: options.url, poolSize: 10 });
  const secretKey = randomBytes(32);
  const pipeline = await createPipeline(db, { workers: false, secretKey, delayMs: 50 });
  const children = new Set<ChildProcess>();

  const spawnWorker = () => {
    const child = spawn(process.execPath, [MAIN, "serve", "--role", "worker"], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: options.url,
        ALIMI_SECRET_KEY: secretKey.toString("hex"),
        ALIMI_PUBLIC_URL: pipeline.url,
        ALIMI_LEASE: "2s",
        LOG_LEVEL: "error",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.add(child);
    child.on("exit", () => children.delete(child));
    return child;
  };

  try {
    const { orgId } = await benchOrg(db, BigInt(options.messages) * 100n * MICRO_PER_CREDIT);
    // Mostly ordinary numbers, plus the ones that fail over to SMS, fail, and retry.
    const recipients = Array.from({ length: options.messages - 3 }, (_, i) => ({
      to: `010-${String(3000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
      variables: { name: `고객${i}` },
    }));
    for (const n of ["0001", "0002", "0003"])
      recipients.push({ to: `010-0000-${n}`, variables: { name: n } });
    const accepted = await acceptSend(db, {
      orgId,
      input: { template: { code: "WELCOME_001", variables: { shop: "Alimi" } }, recipients },
      now: new Date(),
      idempotency: null,
    });
    const campaignId = accepted.body.campaignId;

    for (let k = 0; k < options.kills; k++) {
      const worker = spawnWorker();
      await sleep(700 + Math.floor(Math.random() * 900));
      worker.kill("SIGKILL");
      await new Promise((resolve) => worker.once("exit", resolve));
      const progress = await db.query<{ status: string; n: number }>(
        "select status, count(*)::int as n from messages where campaign_id = $1 group by status order by status",
        [campaignId],
      );
      log(`kill ${k + 1}: ${progress.rows.map((r) => `${r.status} ${r.n}`).join(", ")}`);
    }

    const survivor = spawnWorker();
    const deadline = Date.now() + 120_000;
    for (;;) {
      const done = await db.query<{ completed: Date | null }>(
        "select completed_at as completed from campaigns where id = $1",
        [campaignId],
      );
      if (done.rows[0]?.completed) break;
      if (Date.now() > deadline) throw new Error("the campaign did not complete after the crashes");
      await sleep(100);
    }
    survivor.kill("SIGTERM");
    await new Promise((resolve) => survivor.once("exit", resolve));

    const ids = await db.query<{ id: string }>("select id from messages where campaign_id = $1", [
      campaignId,
    ]);
    let resendsDeduped = 0;
    let receivedTwice = 0;
    for (const { id } of ids.rows) {
      if ((await pipeline.sandbox.received(id)) > 1) receivedTwice++;
      resendsDeduped += Math.max(0, (await pipeline.sandbox.seen(id)) - 1);
    }
    const checks = await db.query<{ notFinal: number; unsettled: number; bad: number }>(
      `select
         count(*) filter (where status not in ('delivered', 'failed', 'canceled', 'expired'))::int
           as "notFinal",
         count(*) filter (where settled_at is null)::int as unsettled,
         count(*) filter (where price_charged + price_released <> price_held
           and not (type = 'alimtalk' and status = 'failed'
                    and exists (select 1 from messages c where c.fallback_of = messages.id)))::int
           as bad
       from messages where campaign_id = $1`,
      [campaignId],
    );
    const ledger = await db.query<{ kind: string; total: bigint }>(
      `select kind, sum(amount)::bigint as total from ledger_entries
       where campaign_id = $1 group by kind`,
      [campaignId],
    );
    const total = (kind: string) => ledger.rows.find((r) => r.kind === kind)?.total ?? 0n;
    return {
      messages: ids.rows.length,
      kills: options.kills,
      resendsDeduped,
      receivedTwice,
      notFinal: checks.rows[0]!.notFinal,
      unsettled: checks.rows[0]!.unsettled,
      badSettlements: checks.rows[0]!.bad,
      ledger: { hold: total("hold"), capture: total("capture"), release: total("release") },
      violations: (await runDoctor(db)).violations,
      durationMs: Date.now() - started,
    };
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await pipeline.close();
    await db.close();
  }
}
