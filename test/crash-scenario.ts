// The whole all-in-one server (`node src/main.ts serve`: API, sandbox vendor
// and workers in one process) killed with SIGKILL, again and again, while a
// campaign sent over HTTP is in flight, and restarted each time. The sandbox
// dies with it, so what it accepted and the reports it owes must survive in
// the database, as they would at a real vendor. After the last restart every
// message must become final — as its sandbox recipient dictates — within
// ALIMI_POLL_AFTER plus a minute, each charged or released exactly once, with
// `alimi doctor` clean.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { benchOrg } from "../bench/support.ts";
import { openPostgres } from "../src/db/client.ts";
import { parseDuration } from "../src/domain/duration.ts";
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import { runDoctor, type Violation } from "../src/modules/doctor/service.ts";
import { freePort, type Spawned, spawnProcess } from "./processes.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

export interface CrashReport {
  messages: number;
  kills: number;
  durationMs: number;
  /** From the last restart to every message final and settled (010-0000-0004 expired included). */
  lastRestartToFinalMs: number;
  /** From the last restart to every message final but 010-0000-0004 (which waits for its expiry). */
  lastRestartToReportedMs: number;
  /** The bound that must hold: ALIMI_POLL_AFTER plus a minute. */
  boundMs: number;
  /** Reports the sandbox still owed at each kill (they died with it, unless kept in the database). */
  owedAtKills: number[];
  /** Messages in `sending` or `sent` at each kill. */
  inFlightAtKills: number[];
  /** Sends the vendor saw again for an id it already had (answered with the same vendor id). */
  resendsDeduped: number;
  /** Our messages the sandbox holds under another id than the one we recorded: must be 0. */
  receivedTwice: number;
  notFinal: number;
  /** Final, but not as the recipient's sandbox behaviour dictates. */
  wrongOutcome: number;
  unsettled: number;
  badSettlements: number;
  ledger: { hold: bigint; capture: bigint; release: bigint };
  violations: Violation[];
}

export function crashPassed(report: CrashReport): boolean {
  return (
    report.receivedTwice === 0 &&
    report.notFinal === 0 &&
    report.wrongOutcome === 0 &&
    report.unsettled === 0 &&
    report.badSettlements === 0 &&
    report.violations.length === 0 &&
    report.ledger.capture + report.ledger.release === report.ledger.hold &&
    report.lastRestartToFinalMs <= report.boundMs
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The sandbox's magic numbers, and what each one's messages must end as.
const MAGIC = ["0001", "0002", "0003", "0004", "0005"].map((n) => `010-0000-${n}`);
const EXPECTED_SQL = `case
  when recipient = '+821000000001' and type = 'alimtalk' then 'failed'
  when recipient = '+821000000002' then 'failed'
  when recipient = '+821000000004' then 'expired'
  else 'delivered' end`;

export async function runCrashScenario(options: {
  url: string;
  messages: number;
  kills: number;
  /** ALIMI_POLL_AFTER for the server (default 5s). */
  pollAfter?: string;
  /** ALIMI_EXPIRE_AFTER for the server (default 40s): when 010-0000-0004 expires. */
  expireAfter?: string;
  /**
   * ALIMI_SANDBOX_DELAY_MS (default 1000): long enough that each kill finds
   * reports the sandbox still owes.
   */
  sandboxDelayMs?: number;
  /** How long each life of the server lasts before its kill, at random in [min, max] ms. */
  lifeMs?: [number, number];
  log?: (line: string) => void;
}): Promise<CrashReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const pollAfter = options.pollAfter ?? "5s";
  const pollAfterParsed = parseDuration(pollAfter);
  if (!pollAfterParsed.ok) throw new Error(pollAfterParsed.message);
  const boundMs = pollAfterParsed.ms + 60_000;
  const db = openPostgres({ url: options.url, poolSize: 4 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: options.url,
    ALIMI_SECRET_KEY: randomBytes(32).toString("hex"),
    PORT: String(port),
    HOST: "127.0.0.1",
    ALIMI_PUBLIC_URL: base,
    ALIMI_LEASE: "2s",
    // A lease must be at least twice the longest vendor call.
    ALIMI_VENDOR_TIMEOUT_MAX: "1s",
    ALIMI_POLL_AFTER: pollAfter,
    // 010-0000-0004 never reports: it expires within the bound.
    ALIMI_EXPIRE_AFTER: options.expireAfter ?? "40s",
    ALIMI_SANDBOX_DELAY_MS: String(options.sandboxDelayMs ?? 1000),
    ALIMI_DB_POOL_SIZE: "10",
    LOG_LEVEL: "error",
  };
  let server: Spawned | null = null;

  /** Starts the whole server and waits until it answers /health. */
  const start = async () => {
    server = spawnProcess(process.execPath, [MAIN, "serve"], { env });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const health = await fetch(`${base}/health`).catch(() => null);
      if (health?.ok) return;
      if (Date.now() > deadline) throw new Error(`the server did not start: ${server.stderr()}`);
      await sleep(50);
    }
  };

  try {
    await start();
    // The server made the platform organization and its sandbox account.
    const { apiKey } = await benchOrg(db, BigInt(options.messages) * 100n * MICRO_PER_CREDIT);
    const recipients = Array.from({ length: options.messages - MAGIC.length }, (_, i) => ({
      to: `010-${String(3000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
      variables: { name: `고객${i}` },
    }));
    for (const to of MAGIC) recipients.push({ to, variables: { name: to } });
    const sent = await fetch(`${base}/v1/messages`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        "idempotency-key": "crash-campaign",
      },
      body: JSON.stringify({
        template: { code: "WELCOME_001", variables: { shop: "Alimi" } },
        recipients,
      }),
    });
    if (!sent.ok) throw new Error(`the send was refused: ${sent.status} ${await sent.text()}`);
    const { campaignId } = (await sent.json()) as { campaignId: string };

    let lastRestart = Date.now();
    const owedAtKills: number[] = [];
    const inFlightAtKills: number[] = [];
    for (let k = 0; k < options.kills; k++) {
      // Long enough for each life to take leases, send and get reports; short enough to die mid-flight.
      const [shortest, longest] = options.lifeMs ?? [1000, 2500];
      await sleep(shortest + Math.floor(Math.random() * (longest - shortest)));
      await (server as Spawned | null)?.stop("SIGKILL");
      const progress = await db.query<{ status: string; n: number }>(
        "select status, count(*)::int as n from messages where campaign_id = $1 group by status order by status",
        [campaignId],
      );
      const owed = await db.query<{ n: number }>("select count(*)::int as n from sandbox_reports");
      owedAtKills.push(owed.rows[0]?.n ?? 0);
      inFlightAtKills.push(
        progress.rows
          .filter((r) => r.status === "sending" || r.status === "sent")
          .reduce((sum, r) => sum + r.n, 0),
      );
      log(
        `kill ${k + 1}: ${progress.rows.map((r) => `${r.status} ${r.n}`).join(", ")}; ` +
          `reports the sandbox owes: ${owed.rows[0]?.n}`,
      );
      lastRestart = Date.now();
      await start();
    }

    const deadline = lastRestart + boundMs + 30_000;
    let finalAt = Number.POSITIVE_INFINITY;
    let reportedAt = Number.POSITIVE_INFINITY;
    for (;;) {
      const done = await db.query<{ completed: Date | null; open: number }>(
        `select c.completed_at as completed,
           (select count(*)::int from messages m where m.campaign_id = c.id
              and m.recipient <> '+821000000004'
              and (m.settled_at is null or m.status in ('accepted', 'queued', 'sending', 'sent')))
             as open
         from campaigns c where c.id = $1`,
        [campaignId],
      );
      if (done.rows[0]?.open === 0 && reportedAt === Number.POSITIVE_INFINITY) {
        reportedAt = Date.now();
      }
      if (done.rows[0]?.completed) {
        finalAt = Date.now();
        break;
      }
      if (Date.now() > deadline) break;
      await sleep(100);
    }
    await (server as Spawned | null)?.stop("SIGTERM", 15_000);
    server = null;

    const checks = await db.query<{
      total: number;
      notFinal: number;
      wrong: number;
      unsettled: number;
      bad: number;
    }>(
      `select count(*)::int as total,
         count(*) filter (where status not in ('delivered', 'failed', 'canceled', 'expired'))::int
           as "notFinal",
         count(*) filter (where status in ('delivered', 'failed', 'canceled', 'expired')
           and status <> ${EXPECTED_SQL})::int as wrong,
         count(*) filter (where settled_at is null)::int as unsettled,
         count(*) filter (where price_charged + price_released <> price_held
           and not (type = 'alimtalk' and status = 'failed'
                    and exists (select 1 from messages c where c.fallback_of = messages.id)))::int
           as bad
       from messages where campaign_id = $1`,
      [campaignId],
    );
    const vendor = await db.query<{ deduped: number; twice: number }>(
      `select coalesce(sum(s.seen - 1), 0)::int as deduped,
         count(*) filter (where s.vendor_id is distinct from m.vendor_message_id)::int as twice
       from messages m join sandbox_messages s on s.custom_id = m.id
       where m.campaign_id = $1 and s.vendor_id is not null`,
      [campaignId],
    );
    const ledger = await db.query<{ kind: string; total: bigint }>(
      `select kind, sum(amount)::bigint as total from ledger_entries
       where campaign_id = $1 group by kind`,
      [campaignId],
    );
    const total = (kind: string) => ledger.rows.find((r) => r.kind === kind)?.total ?? 0n;
    const row = checks.rows[0]!;
    return {
      messages: row.total,
      kills: options.kills,
      owedAtKills,
      inFlightAtKills,
      durationMs: Date.now() - started,
      lastRestartToFinalMs: finalAt - lastRestart,
      lastRestartToReportedMs: reportedAt - lastRestart,
      boundMs,
      resendsDeduped: vendor.rows[0]!.deduped,
      receivedTwice: vendor.rows[0]!.twice,
      notFinal: row.notFinal,
      wrongOutcome: row.wrong,
      unsettled: row.unsettled,
      badSettlements: row.bad,
      ledger: { hold: total("hold"), capture: total("capture"), release: total("release") },
      violations: (await runDoctor(db)).violations,
    };
  } finally {
    await (server as Spawned | null)?.stop("SIGKILL").catch(() => {});
    await db.close();
  }
}
