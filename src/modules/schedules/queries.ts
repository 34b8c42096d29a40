// Schedules and their runs. Every statement a caller reaches is scoped to the
// organization; the scheduler's statements name a run by its id and the
// attempt it holds, so a scheduler whose lease another took over changes
// nothing (its statements match no row).
import type { Queryable } from "../../db/client.ts";
import type { Repeat } from "../../domain/recurrence.ts";
import type { ScheduleRunStatus, ScheduleStatus } from "../../domain/vocabulary.ts";
import { emitEvent } from "../webhooks/index.ts";

export interface ScheduleRow {
  id: string;
  orgId: string;
  createdBy: string | null;
  title: string;
  description: string | null;
  repeat: Repeat;
  timeZone: string;
  validFrom: Date | null;
  validUntil: Date | null;
  skipHolidays: boolean;
  missedRunPolicy: "catch_up" | "skip";
  graceMinutes: number;
  target: Record<string, unknown>;
  status: ScheduleStatus;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastRunStatus: ScheduleRunStatus | null;
  runCount: number;
  consecutiveFailures: number;
  createdAt: Date;
  updatedAt: Date;
}

const SCHEDULE_COLUMNS = `s.id, s.org_id as "orgId", s.created_by as "createdBy", s.title,
  s.description, s.repeat, s.time_zone as "timeZone", s.valid_from as "validFrom",
  s.valid_until as "validUntil", s.skip_holidays as "skipHolidays",
  s.missed_run_policy as "missedRunPolicy", s.grace_minutes as "graceMinutes", s.target,
  s.status, s.next_run_at as "nextRunAt", s.last_run_at as "lastRunAt",
  (select r.status from schedule_runs r where r.schedule_id = s.id and r.status <> 'running'
   order by r.occurrence_at desc limit 1) as "lastRunStatus",
  s.run_count as "runCount", s.consecutive_failures as "consecutiveFailures",
  s.created_at as "createdAt", s.updated_at as "updatedAt"`;

/** What a schedule is made of, as stored (created or replaced whole by a change). */
export interface ScheduleFields {
  title: string;
  description: string | null;
  repeat: Repeat;
  timeZone: string;
  validFrom: Date | null;
  validUntil: Date | null;
  skipHolidays: boolean;
  missedRunPolicy: "catch_up" | "skip";
  graceMinutes: number;
  target: Record<string, unknown>;
  status: ScheduleStatus;
  nextRunAt: Date | null;
}

export async function insertSchedule(
  q: Queryable,
  row: ScheduleFields & { id: string; orgId: string; createdBy: string | null; now: Date },
): Promise<ScheduleRow> {
  const r = await q.query<ScheduleRow>(
    `insert into schedules as s (id, org_id, created_by, title, description, repeat, time_zone,
       valid_from, valid_until, skip_holidays, missed_run_policy, grace_minutes, target, status,
       next_run_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
     returning ${SCHEDULE_COLUMNS}`,
    [
      row.id,
      row.orgId,
      row.createdBy,
      row.title,
      row.description,
      JSON.stringify(row.repeat),
      row.timeZone,
      row.validFrom,
      row.validUntil,
      row.skipHolidays,
      row.missedRunPolicy,
      row.graceMinutes,
      JSON.stringify(row.target),
      row.status,
      row.nextRunAt,
      row.now,
    ],
  );
  return r.rows[0]!;
}

export async function findSchedule(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<ScheduleRow | null> {
  const r = await q.query<ScheduleRow>(
    `select ${SCHEDULE_COLUMNS} from schedules s where s.id = $1 and s.org_id = $2`,
    [id, orgId],
  );
  return r.rows[0] ?? null;
}

/** The schedule, locked for a change by its caller (a PATCH, a toggle). */
export async function lockSchedule(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<ScheduleRow | null> {
  const r = await q.query<ScheduleRow>(
    `select ${SCHEDULE_COLUMNS} from schedules s where s.id = $1 and s.org_id = $2 for update`,
    [id, orgId],
  );
  return r.rows[0] ?? null;
}

/** A page of the organization's schedules, newest first, optionally of one status. */
export async function listSchedules(
  q: Queryable,
  options: { orgId: string; status: ScheduleStatus | null; before: string | null; limit: number },
): Promise<ScheduleRow[]> {
  const r = await q.query<ScheduleRow>(
    `select ${SCHEDULE_COLUMNS} from schedules s
     where s.org_id = $1 and ($2::text is null or s.status = $2)
       and ($3::text is null or s.id < $3)
     order by s.id desc limit $4`,
    [options.orgId, options.status, options.before, options.limit],
  );
  return r.rows;
}

/**
 * Replaces what a schedule is made of. A schedule switched on again, or
 * changed, starts its count of failures in a row afresh.
 */
export async function updateSchedule(
  q: Queryable,
  orgId: string,
  id: string,
  fields: ScheduleFields & { now: Date },
): Promise<ScheduleRow | null> {
  const r = await q.query<ScheduleRow>(
    `update schedules s set title = $3, description = $4, repeat = $5, time_zone = $6,
       valid_from = $7, valid_until = $8, skip_holidays = $9, missed_run_policy = $10,
       grace_minutes = $11, target = $12, status = $13, next_run_at = $14,
       consecutive_failures = 0, updated_at = $15
     where s.id = $1 and s.org_id = $2
     returning ${SCHEDULE_COLUMNS}`,
    [
      id,
      orgId,
      fields.title,
      fields.description,
      JSON.stringify(fields.repeat),
      fields.timeZone,
      fields.validFrom,
      fields.validUntil,
      fields.skipHolidays,
      fields.missedRunPolicy,
      fields.graceMinutes,
      JSON.stringify(fields.target),
      fields.status,
      fields.nextRunAt,
      fields.now,
    ],
  );
  return r.rows[0] ?? null;
}

/** Deletes a schedule and its run log; a run under way finishes without a row to write to. */
export async function deleteSchedule(q: Queryable, orgId: string, id: string): Promise<boolean> {
  const r = await q.query("delete from schedules where id = $1 and org_id = $2 returning id", [
    id,
    orgId,
  ]);
  return r.rows.length > 0;
}

/** A due schedule as the scheduler claimed it. */
export interface DueSchedule {
  id: string;
  orgId: string;
  repeat: Repeat;
  timeZone: string;
  validFrom: Date | null;
  validUntil: Date | null;
  skipHolidays: boolean;
  missedRunPolicy: "catch_up" | "skip";
  graceMinutes: number;
  target: Record<string, unknown>;
  nextRunAt: Date;
}

/**
 * Locks up to `limit` active schedules that are due, oldest first, for the
 * caller's transaction. SKIP LOCKED: schedulers in other processes claim
 * other schedules at the same moment instead of queueing behind this one's
 * locks, so two processes split a burst of due schedules rather than one
 * waiting for the other to commit. Whatever the locks, an occurrence is run
 * once because of the runs' unique key (insertRuns).
 */
export async function claimDueSchedules(
  q: Queryable,
  options: { now: Date; limit: number },
): Promise<DueSchedule[]> {
  const r = await q.query<DueSchedule>(
    `select id, org_id as "orgId", repeat, time_zone as "timeZone", valid_from as "validFrom",
       valid_until as "validUntil", skip_holidays as "skipHolidays",
       missed_run_policy as "missedRunPolicy", grace_minutes as "graceMinutes", target,
       next_run_at as "nextRunAt"
     from schedules
     where status = 'active' and next_run_at <= $1
     order by next_run_at
     limit $2
     for update skip locked`,
    [options.now, options.limit],
  );
  return r.rows;
}

export interface NewRun {
  id: string;
  scheduleId: string;
  orgId: string;
  occurrenceAt: Date;
  /** failed: the occurrence could not be decided (its error says why). */
  status: "running" | "skipped" | "failed";
  error?: { code: string; message: string };
}

/**
 * Records occurrences, each once: a run whose (schedule, occurrence) is
 * already recorded is not inserted, and only the runs returned are the
 * caller's to carry out. `running` runs get a lease until `leaseUntil`.
 */
export async function insertRuns(
  q: Queryable,
  options: { runs: readonly NewRun[]; now: Date; leaseUntil: Date },
): Promise<
  {
    id: string;
    scheduleId: string;
    orgId: string;
    status: NewRun["status"];
    error: NewRun["error"] | null;
  }[]
> {
  if (options.runs.length === 0) return [];
  const { runs } = options;
  const r = await q.query<{
    id: string;
    scheduleId: string;
    orgId: string;
    status: NewRun["status"];
    error: NewRun["error"] | null;
  }>(
    `insert into schedule_runs (id, schedule_id, org_id, occurrence_at, started_at, status,
       completed_at, duration_ms, lease_until, error)
     select id, schedule_id, org_id, occurrence_at, $5, status,
       case when status <> 'running' then $5::timestamptz end,
       case when status <> 'running' then 0 end,
       case when status = 'running' then $6::timestamptz end,
       error
     from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $7::text[], $8::jsonb[])
       as t(id, schedule_id, org_id, occurrence_at, status, error)
     on conflict (schedule_id, occurrence_at) do nothing
     returning id, schedule_id as "scheduleId", org_id as "orgId", status, error`,
    [
      runs.map((x) => x.id),
      runs.map((x) => x.scheduleId),
      runs.map((x) => x.orgId),
      runs.map((x) => x.occurrenceAt),
      options.now,
      options.leaseUntil,
      runs.map((x) => x.status),
      runs.map((x) => (x.error ? JSON.stringify(x.error) : null)),
    ],
  );
  return r.rows;
}

/**
 * Moves claimed schedules on to their next occurrence: none left makes the
 * schedule `completed`; a recurrence that cannot be computed (holidays not
 * known for the year) makes it `error`.
 */
export async function advanceSchedules(
  q: Queryable,
  options: {
    advances: readonly {
      id: string;
      nextRunAt: Date | null;
      status: ScheduleStatus;
      ran: number;
    }[];
    now: Date;
  },
): Promise<void> {
  const { advances } = options;
  if (advances.length === 0) return;
  await q.query(
    `update schedules s set next_run_at = t.next_run_at, status = t.status,
       run_count = s.run_count + t.ran,
       last_run_at = case when t.ran > 0 then $5 else s.last_run_at end,
       updated_at = $5
     from unnest($1::text[], $2::timestamptz[], $3::text[], $4::int[])
       as t(id, next_run_at, status, ran)
     where s.id = t.id`,
    [
      advances.map((a) => a.id),
      advances.map((a) => a.nextRunAt),
      advances.map((a) => a.status),
      advances.map((a) => a.ran),
      options.now,
    ],
  );
}

/** A run to carry out, with what its schedule targets. */
export interface RunWork {
  id: string;
  scheduleId: string;
  orgId: string;
  occurrenceAt: Date;
  attempts: number;
  target: Record<string, unknown>;
  /** The schedule's next occurrence: a run's room posts end before it. */
  nextRunAt: Date | null;
}

const WORK_COLUMNS = `r.id, r.schedule_id as "scheduleId", r.org_id as "orgId",
  r.occurrence_at as "occurrenceAt", r.attempts, s.target, s.next_run_at as "nextRunAt"`;

export async function findRunWork(q: Queryable, ids: readonly string[]): Promise<RunWork[]> {
  if (ids.length === 0) return [];
  const r = await q.query<RunWork>(
    `select ${WORK_COLUMNS} from schedule_runs r join schedules s on s.id = r.schedule_id
     where r.id = any($1::text[]) and r.status = 'running'
     order by r.occurrence_at`,
    [ids],
  );
  return r.rows;
}

/**
 * Takes over `running` runs whose lease ran out (their scheduler died or
 * hung): a new attempt with a new lease. The old attempt's writes then match
 * nothing; what it did outside (a campaign, room posts) is keyed by the run,
 * so the new attempt finds it instead of doing it again.
 */
export async function takeOverStaleRuns(
  q: Queryable,
  options: { now: Date; leaseUntil: Date; limit: number },
): Promise<RunWork[]> {
  const r = await q.query<RunWork>(
    `with stale as (
       select id from schedule_runs
       where status = 'running' and lease_until <= $1
       order by lease_until limit $3
       for update skip locked
     ), taken as (
       update schedule_runs r set attempts = r.attempts + 1, lease_until = $2
       from stale where r.id = stale.id
       returning r.*
     )
     select ${WORK_COLUMNS} from taken r join schedules s on s.id = r.schedule_id`,
    [options.now, options.leaseUntil, options.limit],
  );
  return r.rows;
}

/** Keeps a long run's lease (room posts wait for their rate limits). */
export async function extendRunLease(
  q: Queryable,
  options: { id: string; attempts: number; leaseUntil: Date },
): Promise<boolean> {
  const r = await q.query(
    `update schedule_runs set lease_until = $3
     where id = $1 and attempts = $2 and status = 'running' returning id`,
    [options.id, options.attempts, options.leaseUntil],
  );
  return r.rows.length > 0;
}

export interface RunOutcome {
  status: "success" | "partial" | "failed";
  campaignId: string | null;
  posts: unknown[];
  error: { code: string; message: string } | null;
  durationMs: number;
}

/**
 * Finishes a run, once: only the attempt holding it writes. A failed run adds
 * to its schedule's failures in a row, and the third stops an active
 * schedule (`error`); any other outcome starts the count again. Returns the
 * schedule's status after it, or null when the run was not this attempt's.
 */
export async function finishRun(
  q: Queryable,
  options: { id: string; attempts: number; outcome: RunOutcome; now: Date; maxFailures: number },
): Promise<ScheduleStatus | null> {
  const { outcome } = options;
  const r = await q.query<{ status: ScheduleStatus; id: string; orgId: string }>(
    `with done as (
       update schedule_runs set status = $3, campaign_id = $4, posts = $5, error = $6,
         duration_ms = $7, completed_at = $8, lease_until = null
       where id = $1 and attempts = $2 and status = 'running'
       returning schedule_id
     )
     update schedules s set
       consecutive_failures = case when $3 = 'failed' then s.consecutive_failures + 1 else 0 end,
       status = case when $3 = 'failed' and s.status = 'active'
                      and s.consecutive_failures + 1 >= $9 then 'error' else s.status end,
       updated_at = $8
     from done where s.id = done.schedule_id
     returning s.status, s.id, s.org_id as "orgId"`,
    [
      options.id,
      options.attempts,
      outcome.status,
      outcome.campaignId,
      JSON.stringify(outcome.posts),
      outcome.error === null ? null : JSON.stringify(outcome.error),
      outcome.durationMs,
      options.now,
      options.maxFailures,
    ],
  );
  const schedule = r.rows[0];
  if (!schedule) return null;
  // Told to the organization's webhook endpoints with the run, in its transaction.
  await emitEvent(q, {
    orgId: schedule.orgId,
    type: outcome.status === "failed" ? "schedule.run.failed" : "schedule.run.completed",
    data: {
      runId: options.id,
      scheduleId: schedule.id,
      status: outcome.status,
      campaignId: outcome.campaignId,
      posts: outcome.posts,
      error: outcome.error,
      durationMs: outcome.durationMs,
      scheduleStatus: schedule.status,
    },
  });
  return schedule.status;
}

export interface RunRow {
  id: string;
  scheduleId: string;
  scheduleTitle: string;
  occurrenceAt: Date;
  startedAt: Date;
  completedAt: Date | null;
  durationMs: number | null;
  status: ScheduleRunStatus;
  campaignId: string | null;
  posts: unknown[] | null;
  error: { code: string; message: string } | null;
}

/** A page of the organization's runs, newest first, by schedule, status and start time. */
export async function listRuns(
  q: Queryable,
  options: {
    orgId: string;
    scheduleId: string | null;
    status: ScheduleRunStatus | null;
    from: Date | null;
    to: Date | null;
    before: string | null;
    limit: number;
  },
): Promise<RunRow[]> {
  const r = await q.query<RunRow>(
    `select r.id, r.schedule_id as "scheduleId", s.title as "scheduleTitle",
       r.occurrence_at as "occurrenceAt", r.started_at as "startedAt",
       r.completed_at as "completedAt", r.duration_ms as "durationMs", r.status,
       r.campaign_id as "campaignId", r.posts, r.error
     from schedule_runs r join schedules s on s.id = r.schedule_id
     where r.org_id = $1 and ($2::text is null or r.schedule_id = $2)
       and ($3::text is null or r.status = $3)
       and ($4::timestamptz is null or r.started_at >= $4)
       and ($5::timestamptz is null or r.started_at < $5)
       and ($6::text is null or r.id < $6)
     order by r.id desc limit $7`,
    [
      options.orgId,
      options.scheduleId,
      options.status,
      options.from,
      options.to,
      options.before,
      options.limit,
    ],
  );
  return r.rows;
}

/** The scheduler's health: when the oldest due active schedule was due (null: none is). */
export async function findOldestDue(q: Queryable, now: Date): Promise<Date | null> {
  const r = await q.query<{ at: Date | null }>(
    `select min(next_run_at) as at from schedules where status = 'active' and next_run_at <= $1`,
    [now],
  );
  return r.rows[0]?.at ?? null;
}
