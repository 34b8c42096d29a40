// The scheduler's work, one round at a time: claim the due schedules,
// record each occurrence once, move the schedules on, then carry the runs out.
//
// Exactly once, whatever the number of processes and restarts:
// - a claim locks due schedules `for update skip locked` and, in the same
//   transaction, inserts their occurrences into schedule_runs under the
//   unique (schedule_id, occurrence_at) with `on conflict do nothing` and
//   moves next_run_at on. A second scheduler skips the locked schedules, and
//   an occurrence recorded already (a clock set back, a next_run_at
//   rewritten by a change that raced the claim) inserts nothing, so only one
//   scheduler ever holds a run;
// - the run's work happens after that commit, under a lease on the run row
//   (lease_until, renewed while the work lasts). A scheduler killed mid-run
//   leaves it `running`; once its lease has run out another scheduler takes
//   it over (a new attempt, `attempts` + 1) and does the work again, which
//   finds what the first did instead of repeating it. A message target's
//   campaign and the run's success are committed together (sendCampaigns),
//   so an attempt that died left no campaign; room posts are keyed by the
//   run id in the rooms module;
// - only the attempt holding the run writes its outcome: an attempt whose run
//   was taken over rolls its campaign back.
import type { FastifyBaseLogger } from "fastify";
import type { Db, Queryable } from "../../db/client.ts";
import { HolidaysUnknownError } from "../../domain/korean-holidays.ts";
import { decideDue } from "../../domain/schedule-due.ts";
import { AppError } from "../../lib/errors.ts";
import { newIds } from "../../lib/ids.ts";
import { type CreatedResponse, type Idempotency, runIdempotent } from "../idempotency/index.ts";
import type { LinkTracking } from "../links/index.ts";
import type { SendRequest } from "../messages/index.ts";
import type { RoomPostResult, RoomRunContent } from "../rooms/index.ts";
import { emitEvent } from "../webhooks/index.ts";
import {
  advanceSchedules,
  claimDueSchedules,
  type DueSchedule,
  extendRunLease,
  findRunWork,
  finishRun,
  insertRuns,
  type NewRun,
  type RunOutcome,
  type RunWork,
  takeOverStaleRuns,
} from "./queries.ts";
import { sendRequestOf, type TargetInput } from "./service.ts";

/**
 * The send path's acceptance (src/modules/messages/service.ts acceptSend),
 * handed in by the composition root: holds, opt-outs and the night rules
 * apply to a run's campaign as to any send.
 */
export type SendCampaign = (
  db: Db,
  options: {
    orgId: string;
    input: SendRequest;
    now: Date;
    idempotency: Idempotency | null;
    links?: LinkTracking | null;
    lane?: "bulk";
  },
) => Promise<CreatedResponse<{ campaignId: string; accepted: number }>>;

/** Failed runs in a row that stop a schedule (`error`). */
export const MAX_FAILURES = 3;
/** Attempts at a run whose scheduler kept dying before it is given up as failed. */
const MAX_ATTEMPTS = 3;

export interface SchedulerDeps {
  db: Db;
  now: () => Date;
  logger: FastifyBaseLogger;
  links?: LinkTracking | null;
  /** Sends a run's campaign: the send path's acceptSend (tests wrap it to die around it). */
  send: SendCampaign;
  /** Posts a run's room posts (runRoomPosts, wired with its own dependencies). */
  postToRooms: (input: {
    orgId: string;
    runId: string;
    roomIds: string[];
    content: RoomRunContent;
    windowEndsAt: Date;
  }) => Promise<RoomPostResult[]>;
  /** Told of each accepted campaign after its commit (the metrics). */
  onAccepted?: (campaign: { id: string; accepted: number }) => void;
  /**
   * Told once a batch of runs is carried out, when it accepted campaigns: the
   * dispatcher is woken once per batch rather than once per campaign, which
   * for 10,000 one-message campaigns due at once is 10,000 dispatch rounds
   * of one message each instead of a few full ones.
   */
  onSent?: () => void;
  /** Told of each finished run (metrics). */
  onFinished?: (status: RunOutcome["status"] | "skipped") => void;
}

export interface SchedulerPolicy {
  /** How long a run is held before another scheduler may take it over. */
  leaseMs: number;
  /**
   * An occurrence found this late is still on time (the poll interval and a
   * busy round make every run a little late); later ones were missed and
   * follow the schedule's missed-run policy.
   */
  onTimeMs: number;
  /** Schedules claimed per transaction. */
  claimSize: number;
  /** Runs carried out at once. */
  concurrency: number;
}

export function defaultPolicy(intervalMs: number): SchedulerPolicy {
  return {
    leaseMs: 120_000,
    onTimeMs: Math.max(60_000, 4 * intervalMs),
    claimSize: 200,
    concurrency: 8,
  };
}

/**
 * Claims up to `claimSize` due schedules, records their occurrences (run or
 * skipped) and moves them on, in one transaction. Returns the runs this
 * scheduler now holds, and how many schedules it claimed.
 */
export async function claimDueRuns(
  deps: Pick<SchedulerDeps, "db" | "now" | "logger" | "onFinished">,
  policy: SchedulerPolicy,
): Promise<{ claimed: number; runs: string[] }> {
  const now = deps.now();
  const leaseUntil = new Date(now.getTime() + policy.leaseMs);
  const result = await deps.db.tx(async (q) => {
    const due = await claimDueSchedules(q, { now, limit: policy.claimSize });
    const runs: Omit<NewRun, "id">[] = [];
    const advances: Parameters<typeof advanceSchedules>[1]["advances"][number][] = [];
    for (const s of due) {
      const decision = decide(s, now, policy, deps.logger);
      if ("error" in decision) {
        // The run log says why the schedule stopped.
        runs.push({
          scheduleId: s.id,
          orgId: s.orgId,
          occurrenceAt: s.nextRunAt,
          status: "failed",
          error: decision.error,
        });
        advances.push({ id: s.id, nextRunAt: null, status: "error", ran: 0 });
        continue;
      }
      const occurrences = [
        ...decision.run.map((at) => ({ at, status: "running" as const })),
        ...decision.skipped.map((at) => ({ at, status: "skipped" as const })),
      ].sort((a, b) => a.at.getTime() - b.at.getTime());
      for (const o of occurrences) {
        runs.push({ scheduleId: s.id, orgId: s.orgId, occurrenceAt: o.at, status: o.status });
      }
      advances.push({
        id: s.id,
        nextRunAt: decision.next,
        status: decision.next ? "active" : "completed",
        ran: decision.run.length,
      });
    }
    // Ids in occurrence order, so the run log (newest first by id) reads in time order.
    const ids = newIds("run", runs.length);
    const inserted = await insertRuns(q, {
      runs: runs.map((r, i) => ({ ...r, id: ids[i]! })),
      now,
      leaseUntil,
    });
    // A schedule whose occurrence another scheduler recorded already counts only what it ran.
    const ran = new Map<string, number>();
    for (const r of inserted) {
      if (r.status === "running") ran.set(r.scheduleId, (ran.get(r.scheduleId) ?? 0) + 1);
    }
    await advanceSchedules(q, {
      advances: advances.map((a) => ({ ...a, ran: ran.get(a.id) ?? 0 })),
      now,
    });
    for (const r of inserted) {
      if (r.status !== "failed") continue;
      await emitEvent(q, {
        orgId: r.orgId,
        type: "schedule.run.failed",
        data: {
          runId: r.id,
          scheduleId: r.scheduleId,
          status: "failed",
          campaignId: null,
          posts: [],
          error: r.error,
          durationMs: 0,
          scheduleStatus: "error",
        },
      });
    }
    return { claimed: due.length, inserted };
  });
  for (const r of result.inserted) if (r.status !== "running") deps.onFinished?.(r.status);
  return {
    claimed: result.claimed,
    runs: result.inserted.filter((r) => r.status === "running").map((r) => r.id),
  };
}

function decide(s: DueSchedule, now: Date, policy: SchedulerPolicy, logger: FastifyBaseLogger) {
  try {
    return decideDue({
      recurrence: {
        repeat: s.repeat,
        timeZone: s.timeZone,
        validFrom: s.validFrom,
        validUntil: s.validUntil,
        skipHolidays: s.skipHolidays,
      },
      due: s.nextRunAt,
      now,
      policy: s.missedRunPolicy,
      graceMs: s.graceMinutes * 60_000,
      onTimeMs: policy.onTimeMs,
    });
  } catch (err) {
    // Holidays not known for the year: the schedule cannot tell its next day, so it stops.
    logger.error({ err, scheduleId: s.id }, "schedule stopped: its next occurrence is unknown");
    const known = err instanceof HolidaysUnknownError;
    return {
      error: {
        code: known ? err.code : "INTERNAL",
        message: known ? err.message : "the schedule's next occurrence could not be computed",
      },
    };
  }
}

/** Runs whose lease ran out, taken over by this scheduler (a new attempt each). */
export async function takeOverRuns(
  deps: Pick<SchedulerDeps, "db" | "now">,
  policy: SchedulerPolicy,
): Promise<RunWork[]> {
  const now = deps.now();
  return takeOverStaleRuns(deps.db, {
    now,
    leaseUntil: new Date(now.getTime() + policy.leaseMs),
    limit: policy.claimSize,
  });
}

/** Message runs of one organization accepted in one transaction. */
export const RUNS_PER_TRANSACTION = 20;

/**
 * Carries out runs, `concurrency` units at a time; a run that cannot finish
 * stays for a takeover. A unit is one room run, or up to
 * RUNS_PER_TRANSACTION message runs of one organization: their campaigns
 * take that organization's wallet row one after the other anyway, and one
 * commit for many of them spares the database a flush of its log per run.
 */
export async function executeRuns(
  deps: SchedulerDeps,
  policy: SchedulerPolicy,
  work: RunWork[],
): Promise<void> {
  const units: RunWork[][] = [];
  const byOrg = new Map<string, RunWork[]>();
  for (const run of work) {
    if (!isMessageRun(run) || run.attempts > MAX_ATTEMPTS) {
      units.push([run]);
      continue;
    }
    let unit = byOrg.get(run.orgId);
    if (!unit || unit.length === RUNS_PER_TRANSACTION) {
      unit = [];
      byOrg.set(run.orgId, unit);
      units.push(unit);
    }
    unit.push(run);
  }
  let next = 0;
  const worker = async () => {
    while (next < units.length) {
      const unit = units[next++]!;
      try {
        if (unit.length === 1) await executeRun(deps, policy, unit[0]!);
        else await sendCampaigns(deps, policy, unit);
      } catch (err) {
        // Their leases run out and another attempt (here or elsewhere) finishes them.
        deps.logger.error({ err, runIds: unit.map((r) => r.id) }, "schedule runs interrupted");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(policy.concurrency, units.length) }, worker));
  if (work.some(isMessageRun)) deps.onSent?.();
}

function isMessageRun(run: RunWork): boolean {
  return (run.target as { kind?: string }).kind === "message";
}

/** Keeps the runs' leases while their work lasts; a lost lease means another attempt has one. */
function holdLeases(deps: SchedulerDeps, policy: SchedulerPolicy, runs: RunWork[]): () => void {
  const heartbeat = setInterval(() => {
    for (const run of runs) {
      extendRunLease(deps.db, {
        id: run.id,
        attempts: run.attempts,
        leaseUntil: new Date(deps.now().getTime() + policy.leaseMs),
      }).catch(() => {});
    }
  }, policy.leaseMs / 3);
  return () => clearInterval(heartbeat);
}

type Outcome = Omit<RunOutcome, "durationMs">;

/** Records a run's outcome, with the time since this call; null when another attempt holds it. */
function finisher(deps: SchedulerDeps, run: RunWork) {
  const started = performance.now();
  return (q: Queryable, outcome: Outcome) =>
    finishRun(q, {
      id: run.id,
      attempts: run.attempts,
      outcome: { ...outcome, durationMs: Math.round(performance.now() - started) },
      now: deps.now(),
      maxFailures: MAX_FAILURES,
    });
}

/** One run on its own: a room run, a lone message run, or one interrupted too often. */
export async function executeRun(
  deps: SchedulerDeps,
  policy: SchedulerPolicy,
  run: RunWork,
): Promise<void> {
  const finishIn = finisher(deps, run);
  const finish = async (outcome: Outcome) => {
    if ((await finishIn(deps.db, outcome)) !== null) deps.onFinished?.(outcome.status);
  };
  if (run.attempts > MAX_ATTEMPTS) {
    await finish({
      status: "failed",
      campaignId: null,
      posts: [],
      error: { code: "INTERNAL", message: `the run was interrupted ${MAX_ATTEMPTS} times` },
    });
    return;
  }
  if (isMessageRun(run)) return sendCampaigns(deps, policy, [run]);
  const target = run.target as unknown as TargetInput;
  const release = holdLeases(deps, policy, [run]);
  try {
    const posts = await deps.postToRooms({
      orgId: run.orgId,
      runId: run.id,
      roomIds: target.roomIds ?? [],
      content: target.content as RoomRunContent,
      windowEndsAt: windowEnd(run),
    });
    await finish(roomOutcome(posts));
  } finally {
    release();
  }
}

/** A run's posts must be made before its schedule's next occurrence, and within a day. */
function windowEnd(run: RunWork): Date {
  const day = new Date(run.occurrenceAt.getTime() + 86_400_000);
  return run.nextRunAt && run.nextRunAt < day ? run.nextRunAt : day;
}

/**
 * Sends message runs' campaigns (all of one organization) and records each
 * run's outcome in one transaction, each run inside a savepoint:
 * - a scheduler that dies before the commit leaves none of them, for a
 *   takeover to do again;
 * - a run whose campaign the send path refuses (credits, a template
 *   withdrawn, nobody left to send to) is rolled back to its savepoint and
 *   recorded failed;
 * - a run taken over meanwhile (its outcome matches no row) is rolled back
 *   to its savepoint, leaving it to the attempt that holds it;
 * - any other error rolls back that run only, leaving it `running` for a
 *   takeover once its lease runs out.
 * So each run makes one campaign: only the attempt whose outcome is
 * recorded, in the same transaction, commits one.
 */
async function sendCampaigns(
  deps: SchedulerDeps,
  policy: SchedulerPolicy,
  runs: RunWork[],
): Promise<void> {
  const release = holdLeases(deps, policy, runs);
  const accepted: { id: string; accepted: number }[] = [];
  const finished: Outcome["status"][] = [];
  try {
    // Without an idempotency key, runIdempotent is one transaction handed on as a Db,
    // which acceptSend's own transaction joins.
    await runIdempotent(deps.db, { orgId: runs[0]!.orgId, idempotency: null }, async (q) => {
      for (const run of runs) {
        const finishIn = finisher(deps, run);
        await q.query("savepoint schedule_run");
        try {
          const sent = await deps.send(q, {
            orgId: run.orgId,
            input: sendRequestOf((run.target as unknown as TargetInput).message!),
            now: deps.now(),
            idempotency: null,
            links: deps.links,
            lane: "bulk",
          });
          const outcome = {
            status: "success" as const,
            campaignId: sent.body.campaignId,
            posts: [],
            error: null,
          };
          if ((await finishIn(q, outcome)) === null) {
            await q.query("rollback to savepoint schedule_run");
          } else {
            accepted.push({ id: sent.body.campaignId, accepted: sent.body.accepted });
            finished.push("success");
          }
        } catch (err) {
          await q.query("rollback to savepoint schedule_run");
          if (!(err instanceof AppError) || err.retryable || err.code === "INTERNAL") {
            deps.logger.error({ err, runId: run.id }, "schedule run interrupted");
          } else {
            const failure = {
              status: "failed" as const,
              campaignId: null,
              posts: [],
              error: { code: err.code, message: err.message },
            };
            if ((await finishIn(q, failure)) !== null) finished.push("failed");
          }
        }
        await q.query("release savepoint schedule_run");
      }
      return { statusCode: 200, body: null };
    });
  } finally {
    release();
  }
  for (const campaign of accepted) deps.onAccepted?.(campaign);
  for (const status of finished) deps.onFinished?.(status);
}

/** success: every post made; failed: none; partial: some. */
export function roomOutcome(posts: RoomPostResult[]): Omit<RunOutcome, "durationMs"> {
  const posted = posts.filter((p) => p.status === "posted").length;
  const status =
    posted === posts.length && posted > 0 ? "success" : posted === 0 ? "failed" : "partial";
  const failed = posts.find((p) => p.status !== "posted");
  return {
    status,
    campaignId: null,
    posts,
    error:
      status === "failed"
        ? (failed?.error ?? { code: "NO_POSTS", message: "no post was made" })
        : null,
  };
}

/**
 * One scheduler round: take over abandoned runs, claim what is due, carry it
 * all out. Returns true when a full batch was claimed (there may be more).
 */
export async function runSchedulerRound(
  deps: SchedulerDeps,
  policy: SchedulerPolicy,
): Promise<boolean> {
  const taken = await takeOverRuns(deps, policy);
  const claimed = await claimDueRuns(deps, policy);
  const work = [...taken, ...(await findRunWork(deps.db, claimed.runs))];
  await executeRuns(deps, policy, work);
  return claimed.claimed === policy.claimSize || taken.length === policy.claimSize;
}
