// Exactly once across real processes: an API process and a scheduler process
// (`alimi serve --role worker`) on one PostgreSQL; the scheduler is killed
// with SIGKILL while it is in the middle of its runs, and two new scheduler
// processes start at once, take over what it held when its lease runs out,
// and run the rest. Every occurrence ends with one run and one campaign.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { benchOrg } from "../bench/support.ts";
import { openPostgres } from "../src/db/client.ts";
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import { runDoctor } from "../src/modules/doctor/service.ts";
import { createTestDatabaseUrl } from "./db.ts";
import { freePort, type Spawned, spawnProcess, useProcesses } from "./processes.ts";

useProcesses();

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const SCHEDULES = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("schedules across processes (PostgreSQL)", () => {
  it("runs each occurrence once when a scheduler process is killed mid-run and two take over", async () => {
    const url = await createTestDatabaseUrl();
    const db = openPostgres({ url, poolSize: 2 });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      ALIMI_SECRET_KEY: randomBytes(32).toString("hex"),
      PORT: String(port),
      HOST: "127.0.0.1",
      ALIMI_PUBLIC_URL: base,
      // A dead scheduler's runs are taken over 3 s after it last renewed them.
      ALIMI_LEASE: "3s",
      ALIMI_VENDOR_TIMEOUT_MAX: "1s",
      ALIMI_SCHEDULER_INTERVAL: "1s",
      ALIMI_SANDBOX_DELAY_MS: "0",
      // The schedules are made as fast as the API takes them.
      ALIMI_RATE_LIMIT: "0",
      LOG_LEVEL: "error",
    };
    const processes: Spawned[] = [];
    const start = (role: "api" | "worker") => {
      const p = spawnProcess(process.execPath, [MAIN, "serve", "--role", role], { env });
      processes.push(p);
      return p;
    };
    try {
      start("api");
      for (let i = 0; ; i++) {
        if ((await fetch(`${base}/health`).catch(() => null))?.ok) break;
        if (i > 300) throw new Error(`the API did not start: ${processes[0]!.stderr()}`);
        await sleep(100);
      }
      const first = start("worker");
      const { apiKey, orgId } = await benchOrg(db, BigInt(SCHEDULES) * 100n * MICRO_PER_CREDIT);

      // Every schedule's one occurrence is due at the same second, once all are made.
      const at = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000);
      const ids: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < SCHEDULES) {
            const i = next++;
            const res = await fetch(`${base}/v1/schedules`, {
              method: "POST",
              headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
              body: JSON.stringify({
                title: `알림 ${i}`,
                repeat: { kind: "once", at: at.toISOString() },
                target: {
                  kind: "message",
                  message: {
                    type: "sms",
                    text: "예약 안내",
                    recipients: [
                      {
                        to: `010-${String(4000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
                      },
                    ],
                  },
                },
              }),
            });
            if (res.status !== 201)
              throw new Error(`schedule ${i}: ${res.status} ${await res.text()}`);
            ids.push(((await res.json()) as { id: string }).id);
          }
        }),
      );
      expect(Date.now()).toBeLessThan(at.getTime());

      // The first scheduler is killed once it has finished some runs and holds others.
      const count = async (status: string) =>
        (
          await db.query<{ n: number }>(
            "select count(*)::int as n from schedule_runs where org_id = $1 and status = $2",
            [orgId, status],
          )
        ).rows[0]!.n;
      for (let i = 0; ; i++) {
        if ((await count("success")) >= 20 && (await count("running")) > 0) break;
        if (i > 600) throw new Error(`no run started: ${first.stderr()}`);
        await sleep(50);
      }
      await first.stop("SIGKILL");
      const heldAtKill = await count("running");
      expect(heldAtKill).toBeGreaterThan(0);

      // Two schedulers at once finish the rest, and what the dead one held.
      start("worker");
      start("worker");
      for (let i = 0; ; i++) {
        if ((await count("success")) === SCHEDULES) break;
        if (i > 1200) {
          throw new Error(
            `${await count("success")} of ${SCHEDULES} runs succeeded; running ${await count("running")}`,
          );
        }
        await sleep(100);
      }

      const runs = await db.query<{
        schedules: number;
        runs: number;
        campaigns: number;
        retried: number;
      }>(
        `select count(distinct schedule_id)::int as schedules, count(*)::int as runs,
           count(distinct campaign_id)::int as campaigns,
           count(*) filter (where attempts > 1)::int as retried
         from schedule_runs where org_id = $1`,
        [orgId],
      );
      // The kill hit runs in flight: some were finished by another attempt.
      expect(runs.rows[0]).toMatchObject({
        schedules: SCHEDULES,
        runs: SCHEDULES,
        campaigns: SCHEDULES,
      });
      expect(runs.rows[0]!.retried).toBeGreaterThan(0);
      const campaigns = await db.query<{ campaigns: number; messages: number }>(
        `select count(distinct c.id)::int as campaigns, count(m.id)::int as messages
         from campaigns c join messages m on m.campaign_id = c.id where c.org_id = $1`,
        [orgId],
      );
      expect(campaigns.rows[0]).toEqual({ campaigns: SCHEDULES, messages: SCHEDULES });
      const completed = await db.query<{ n: number }>(
        "select count(*)::int as n from schedules where org_id = $1 and status = 'completed'",
        [orgId],
      );
      expect(completed.rows[0]!.n).toBe(SCHEDULES);
      // Holds were taken once per campaign: every wallet agrees with its ledger and its messages.
      expect((await runDoctor(db)).violations).toEqual([]);
    } finally {
      await Promise.all(processes.map((p) => p.stop("SIGKILL").catch(() => {})));
      await db.close();
    }
  }, 180_000);
});
