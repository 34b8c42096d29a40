// Each occurrence runs once on PostgreSQL: two schedulers (two connection
// pools, as two processes have) polling the same due schedules at once; one
// whose claim is held up while another claims; an occurrence offered twice;
// and a scheduler that dies in the middle of a run, before or after its
// campaign was accepted, whose run another scheduler finishes — once, even
// when the first comes back.
//
// Checked against broken variants: with `skip locked` taken out of
// claimDueSchedules the held-up claim waits for the lock and the second
// test times out; with the `on conflict … do nothing` and the unique
// (schedule_id, occurrence_at) taken out the rewound occurrence is run again
// (a second run and campaign) in the third.
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDatabaseUrl } from "../../../test/db.ts";
import { type Db, openPostgres } from "../../db/client.ts";
import { acceptSend, estimateSend } from "../messages/service.ts";
import { ensurePlatform } from "../orgs/service.ts";
import { finishRun, type RunWork } from "./queries.ts";
import {
  claimDueRuns,
  defaultPolicy,
  executeRun,
  runSchedulerRound,
  type SchedulerDeps,
  type SchedulerPolicy,
} from "./scheduler.ts";
import { createSchedule } from "./service.ts";

const T0 = new Date("2026-12-07T08:00:00+09:00");
const DUE = new Date("2026-12-07T09:00:00+09:00");

describe("each occurrence runs once (PostgreSQL)", async () => {
  const url = await createTestDatabaseUrl();
  const pools: Db[] = [
    openPostgres({ url, poolSize: 10 }),
    openPostgres({ url, poolSize: 10 }),
    openPostgres({ url, poolSize: 3 }),
  ];
  afterAll(() => Promise.all(pools.map((p) => p.close())));
  const [a, b, locker] = pools as [Db, Db, Db];
  await ensurePlatform(a);
  const clock = { now: T0 };
  const logger = pino({ level: "silent" });
  const policy: SchedulerPolicy = { ...defaultPolicy(15_000), claimSize: 7, concurrency: 4 };

  const schedulerOn = (db: Db, extra: Partial<SchedulerDeps> = {}): SchedulerDeps => ({
    db,
    now: () => clock.now,
    logger,
    send: acceptSend,
    postToRooms: async () => [],
    ...extra,
  });

  /** `n` daily schedules at 09:00, each sending one SMS, for a new organization. */
  async function dueSchedules(n: number, name: string) {
    const org = await createSendingOrg(a, { credits: 10_000, name });
    clock.now = T0;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const made = await createSchedule(
        { db: a, now: () => clock.now, estimate: estimateSend },
        {
          orgId: org.orgId,
          createdBy: null,
          idempotency: null,
          input: {
            title: `일정 ${i}`,
            repeat: { kind: "daily", time: "09:00" },
            target: {
              kind: "message",
              message: { type: "sms", text: `안내 ${i}`, recipients: [{ to: "010-3000-0001" }] },
            },
          },
        },
      );
      ids.push(made.body.id);
    }
    clock.now = new Date(DUE.getTime() + 1_000);
    return { orgId: org.orgId, ids };
  }

  async function tally(orgId: string) {
    const r = await a.query<{
      runs: string;
      occurrences: string;
      campaigns: string;
      linked: string;
    }>(
      `select (select count(*) from schedule_runs where org_id = $1) as runs,
         (select count(distinct (schedule_id, occurrence_at)) from schedule_runs where org_id = $1)
           as occurrences,
         (select count(*) from campaigns where org_id = $1) as campaigns,
         (select count(distinct campaign_id) from schedule_runs
          where org_id = $1 and status = 'success') as linked`,
      [orgId],
    );
    const row = r.rows[0]!;
    return {
      runs: Number(row.runs),
      occurrences: Number(row.occurrences),
      campaigns: Number(row.campaigns),
      linked: Number(row.linked),
    };
  }

  async function drain(deps: SchedulerDeps) {
    while (await runSchedulerRound(deps, policy)) {}
  }

  it("two schedulers polling the same due schedules at once run each occurrence once", async () => {
    const { orgId } = await dueSchedules(60, "동시 매장");
    const ran = { a: 0, b: 0 };
    const counting = (db: Db, who: "a" | "b") =>
      schedulerOn(db, { onFinished: (status) => status === "success" && ran[who]++ });
    await Promise.all([
      drain(counting(a, "a")),
      drain(counting(b, "b")),
      drain(counting(a, "a")),
      drain(counting(b, "b")),
    ]);
    expect(await tally(orgId)).toEqual({ runs: 60, occurrences: 60, campaigns: 60, linked: 60 });
    expect(ran.a + ran.b).toBe(60);
    const held = await a.query<{ held: string }>(
      "select held::text as held from wallets where org_id = $1",
      [orgId],
    );
    expect(held.rows[0]!.held).toBe(String(60 * 15_000_000));
  });

  it("a scheduler claims past another's locked schedules instead of waiting for them", async () => {
    const { orgId, ids } = await dueSchedules(10, "잠금 매장");
    const locked = ids.slice(0, 5);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lockTaken!: () => void;
    const taken = new Promise<void>((resolve) => {
      lockTaken = resolve;
    });
    // Another scheduler in the middle of its claim: five of the schedules are locked.
    const holder = locker.tx(async (q) => {
      await q.query("select id from schedules where id = any($1::text[]) for update", [locked]);
      lockTaken();
      await held;
    });
    await taken;
    const claim = claimDueRuns(schedulerOn(b), { ...policy, claimSize: 100 });
    const timeout = new Promise<"blocked">((resolve) =>
      setTimeout(() => resolve("blocked"), 15_000),
    );
    const first = await Promise.race([claim, timeout]);
    release();
    await holder;
    expect(first).not.toBe("blocked");
    const claimed = first as Awaited<typeof claim>;
    expect(claimed.runs).toHaveLength(5);
    await drain(schedulerOn(a));
    const runs = await a.query<{ scheduleId: string }>(
      `select schedule_id as "scheduleId" from schedule_runs where org_id = $1`,
      [orgId],
    );
    expect(runs.rows.map((r) => r.scheduleId).sort()).toEqual([...ids].sort());
    // The runs claimed first are still to be carried out: their lease makes them another's later.
    expect((await tally(orgId)).occurrences).toBe(10);
  });

  it("an occurrence offered again (next_run_at set back) is not run a second time", async () => {
    const { orgId, ids } = await dueSchedules(3, "되감기 매장");
    await drain(schedulerOn(a));
    expect(await tally(orgId)).toEqual({ runs: 3, occurrences: 3, campaigns: 3, linked: 3 });
    await a.query("update schedules set next_run_at = $2 where id = any($1::text[])", [ids, DUE]);
    await Promise.all([drain(schedulerOn(a)), drain(schedulerOn(b))]);
    expect(await tally(orgId)).toEqual({ runs: 3, occurrences: 3, campaigns: 3, linked: 3 });
    const next = await a.query<{ at: Date }>(
      `select distinct next_run_at as at from schedules where id = any($1::text[])`,
      [ids],
    );
    expect(next.rows.map((r) => r.at.toISOString())).toEqual(["2026-12-08T00:00:00.000Z"]);
  });

  for (const when of ["before", "after"] as const) {
    it(`a scheduler that dies ${when} its run's campaign is accepted: another finishes the run once`, async () => {
      const { orgId, ids } = await dueSchedules(1, `사고 매장 ${when}`);
      const dying = schedulerOn(a, {
        async send(db, options) {
          if (when === "before") throw new Error("killed before the campaign");
          await acceptSend(db, options);
          throw new Error("killed after the campaign, before the run's outcome");
        },
      });
      await drain(dying);
      const stuck = await a.query<{ id: string; status: string; attempts: number }>(
        "select id, status, attempts from schedule_runs where schedule_id = $1",
        [ids[0]],
      );
      expect(stuck.rows).toMatchObject([{ status: "running", attempts: 1 }]);
      // The campaign and the run's outcome commit together: a death before that leaves neither.
      expect((await tally(orgId)).campaigns).toBe(0);

      // Within its lease nobody else touches it.
      await drain(schedulerOn(b));
      expect((await tally(orgId)).runs).toBe(1);
      const still = await a.query<{ status: string }>(
        "select status from schedule_runs where schedule_id = $1",
        [ids[0]],
      );
      expect(still.rows[0]!.status).toBe("running");

      // Past it, another scheduler (another pool) takes the run over and finishes it.
      clock.now = new Date(clock.now.getTime() + policy.leaseMs + 1_000);
      await Promise.all([drain(schedulerOn(b)), drain(schedulerOn(a))]);
      const done = await a.query<{ status: string; attempts: number; campaignId: string }>(
        `select status, attempts, campaign_id as "campaignId" from schedule_runs
         where schedule_id = $1`,
        [ids[0]],
      );
      expect(done.rows).toMatchObject([{ status: "success", attempts: 2 }]);
      expect(await tally(orgId)).toEqual({ runs: 1, occurrences: 1, campaigns: 1, linked: 1 });
      const campaign = await a.query<{ id: string }>("select id from campaigns where org_id = $1", [
        orgId,
      ]);
      expect(done.rows[0]!.campaignId).toBe(campaign.rows[0]!.id);
      const wallet = await a.query<{ held: string }>(
        "select held::text as held from wallets where org_id = $1",
        [orgId],
      );
      expect(wallet.rows[0]!.held).toBe("15000000");
      // The first attempt, were it only stalled and to come back now, sends nothing more.
      const [work] = await a
        .query<RunWork>(
          `select r.id, r.schedule_id as "scheduleId", r.org_id as "orgId",
           r.occurrence_at as "occurrenceAt", 1 as attempts, s.target, s.next_run_at as "nextRunAt"
         from schedule_runs r join schedules s on s.id = r.schedule_id where r.schedule_id = $1`,
          [ids[0]],
        )
        .then((r) => r.rows);
      // Its campaign is rolled back with its outcome, which matches no row.
      await executeRun(schedulerOn(b), policy, work!);
      expect(await tally(orgId)).toEqual({ runs: 1, occurrences: 1, campaigns: 1, linked: 1 });
      const late = await finishRun(a, {
        id: stuck.rows[0]!.id,
        attempts: 1,
        outcome: { status: "failed", campaignId: null, posts: [], error: null, durationMs: 1 },
        now: clock.now,
        maxFailures: 3,
      });
      expect(late).toBeNull();
    });
  }
});
