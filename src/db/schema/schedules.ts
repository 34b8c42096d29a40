import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { Repeat } from "../../domain/recurrence.ts";
import type { ScheduleRunStatus, ScheduleStatus } from "../../domain/vocabulary.ts";
import { orgs } from "./orgs.ts";

/**
 * A recurring rule that creates a campaign (or room posts) at each of its
 * occurrences inside its validity window. `next_run_at` is the occurrence the
 * schedule waits for; the scheduler claims due schedules with
 * `for update skip locked`, records each occurrence in `schedule_runs` and
 * moves `next_run_at` on in the same transaction.
 */
export const schedules = pgTable(
  "schedules",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    /** The user or API key that created it (`usr_…` / `key_…`). */
    createdBy: text("created_by"),
    title: text("title").notNull(),
    description: text("description"),
    repeat: jsonb("repeat").$type<Repeat>().notNull(),
    timeZone: text("time_zone").notNull(),
    validFrom: timestamp("valid_from", { withTimezone: true }),
    validUntil: timestamp("valid_until", { withTimezone: true }),
    skipHolidays: boolean("skip_holidays").notNull().default(false),
    missedRunPolicy: text("missed_run_policy").$type<"catch_up" | "skip">().notNull(),
    graceMinutes: integer("grace_minutes").notNull(),
    /** `{ kind: "message", message }` or `{ kind: "rooms", roomIds, content }` (API-2.md). */
    target: jsonb("target").$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<ScheduleStatus>().notNull(),
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    lastRunAt: timestamp("last_run_at", { withTimezone: true }),
    runCount: integer("run_count").notNull().default(0),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("schedules_org_idx").on(t.orgId, t.id),
    // The scheduler's poll: only active schedules, oldest due first.
    index("schedules_due_idx").on(t.nextRunAt).where(sql`${t.status} = 'active'`),
    check(
      "schedules_status_check",
      sql`${t.status} in ('active', 'inactive', 'completed', 'error')`,
    ),
    check("schedules_missed_run_policy_check", sql`${t.missedRunPolicy} in ('catch_up', 'skip')`),
  ],
);

/**
 * One occurrence of a schedule, run or skipped. The unique
 * (schedule_id, occurrence_at) is what makes an occurrence run once: the
 * scheduler inserts it with `on conflict do nothing`, and only the inserter
 * carries it out. A `running` run holds a lease (`lease_until`); when it runs
 * out (its scheduler died) another takes the run over, `attempts` telling the
 * old one that its writes are no longer wanted.
 */
export const scheduleRuns = pgTable(
  "schedule_runs",
  {
    id: text("id").primaryKey(),
    scheduleId: text("schedule_id")
      .notNull()
      .references(() => schedules.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    occurrenceAt: timestamp("occurrence_at", { withTimezone: true }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
    status: text("status").$type<ScheduleRunStatus>().notNull(),
    campaignId: text("campaign_id"),
    posts: jsonb("posts").$type<unknown[]>(),
    error: jsonb("error").$type<{ code: string; message: string }>(),
    attempts: integer("attempts").notNull().default(1),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("schedule_runs_occurrence_key").on(t.scheduleId, t.occurrenceAt),
    index("schedule_runs_org_idx").on(t.orgId, t.id),
    index("schedule_runs_schedule_idx").on(t.scheduleId, t.id),
    // Runs whose scheduler may have died: few rows, whatever the history.
    index("schedule_runs_lease_idx").on(t.leaseUntil).where(sql`${t.status} = 'running'`),
    check(
      "schedule_runs_status_check",
      sql`${t.status} in ('running', 'success', 'partial', 'failed', 'skipped')`,
    ),
  ],
);
