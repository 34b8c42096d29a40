// Schedules as callers make and change them: the request checked whole (its
// recurrence, its target as the send path or the rooms would take it) before
// anything is stored, the next occurrence computed, and every read showing
// the next five.
import type { Db, Queryable } from "../../db/client.ts";
import {
  checkRecurrence,
  HolidaysUnknownError,
  nextOccurrence,
  type Recurrence,
  type Repeat,
} from "../../domain/recurrence.ts";
import type { ScheduleStatus } from "../../domain/vocabulary.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { findOrgImages } from "../files/index.ts";
import { type CreatedResponse, type Idempotency, runIdempotent } from "../idempotency/index.ts";
import type { LinkTracking } from "../links/index.ts";
import type { SendRequest } from "../messages/index.ts";
import {
  deleteSchedule,
  findSchedule,
  insertSchedule,
  lockSchedule,
  type ScheduleFields,
  type ScheduleRow,
  updateSchedule,
} from "./queries.ts";
import { findMissingRooms } from "./rooms.ts";
import { MAX_ROOM_IMAGES } from "./schemas.ts";

export const DEFAULT_TIME_ZONE = "Asia/Seoul";
const NEXT_RUNS = 5;

export interface RepeatInput {
  kind: Repeat["kind"];
  at?: string;
  time?: string;
  weekdays?: number[];
  dayOfMonth?: number;
  cron?: string;
}

export interface TimingInput {
  repeat: RepeatInput;
  timeZone?: string;
  validFrom?: string | null;
  validUntil?: string | null;
  skipHolidays?: boolean;
}

export interface TargetInput {
  kind: "message" | "rooms";
  message?: Omit<SendRequest, "recipients"> & { recipients?: SendRequest["recipients"] };
  roomIds?: string[];
  content?: {
    text?: string | null;
    imageIds?: string[];
    order?: "text_first" | "images_first" | "images_only" | "text_only";
    intervalSeconds?: number;
  };
}

export interface ScheduleInput extends TimingInput {
  title: string;
  description?: string | null;
  missedRunPolicy?: "catch_up" | "skip";
  graceMinutes?: number;
  target: TargetInput;
  status?: "active" | "inactive";
}

export interface ScheduleView {
  id: string;
  orgId: string;
  title: string;
  description: string | null;
  repeat: Repeat;
  timeZone: string;
  validFrom: string | null;
  validUntil: string | null;
  skipHolidays: boolean;
  missedRunPolicy: "catch_up" | "skip";
  graceMinutes: number;
  target: Record<string, unknown>;
  status: ScheduleStatus;
  nextRunAt: string | null;
  nextRuns: string[];
  lastRunAt: string | null;
  lastRunStatus: ScheduleRow["lastRunStatus"];
  runCount: number;
  consecutiveFailures: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The send path's estimate (src/modules/messages/service.ts estimateSend), handed in. */
export type EstimateSend = (
  db: Db,
  options: { orgId: string; input: SendRequest; now: Date; links?: LinkTracking | null },
) => Promise<unknown>;

export interface ScheduleDeps {
  db: Db;
  now: () => Date;
  estimate: EstimateSend;
  links?: LinkTracking | null;
}

const invalid = (details: ErrorDetail[]) =>
  new AppError("VALIDATION_FAILED", "the schedule is not valid", { details });

/** The stored form of a repeat: only the fields its kind uses, each required. */
function repeatOf(input: RepeatInput, details: ErrorDetail[]): Repeat | null {
  const need = <K extends keyof RepeatInput>(field: K): NonNullable<RepeatInput[K]> | null => {
    const value = input[field];
    if (value === undefined || value === null) {
      details.push({
        path: `/repeat/${field}`,
        code: "REQUIRED",
        message: `a ${input.kind} repeat needs ${field}`,
      });
      return null;
    }
    return value as NonNullable<RepeatInput[K]>;
  };
  switch (input.kind) {
    case "once": {
      const at = need("at");
      return at === null ? null : { kind: "once", at };
    }
    case "daily": {
      const time = need("time");
      return time === null ? null : { kind: "daily", time };
    }
    case "weekly": {
      const time = need("time");
      const weekdays = need("weekdays");
      return time === null || weekdays === null
        ? null
        : { kind: "weekly", time, weekdays: [...new Set(weekdays)].sort() };
    }
    case "monthly": {
      const time = need("time");
      const dayOfMonth = need("dayOfMonth");
      return time === null || dayOfMonth === null ? null : { kind: "monthly", time, dayOfMonth };
    }
    case "cron": {
      const cron = need("cron");
      return cron === null ? null : { kind: "cron", cron: cron.trim() };
    }
  }
}

/** A recurrence from a request, or the errors that make it unusable (with their JSON paths). */
export function recurrenceOf(input: TimingInput, details: ErrorDetail[]): Recurrence | null {
  const repeat = repeatOf(input.repeat, details);
  const recurrence: Recurrence | null = repeat && {
    repeat,
    timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
    validFrom: input.validFrom ? new Date(input.validFrom) : null,
    validUntil: input.validUntil ? new Date(input.validUntil) : null,
    skipHolidays: input.skipHolidays ?? false,
  };
  if (!recurrence) return null;
  const problems = checkRecurrence(recurrence);
  details.push(...problems.map((p) => ({ ...p })));
  return problems.length === 0 ? recurrence : null;
}

/** The first occurrences strictly after `after`, stopping short where holidays are not known. */
export function upcoming(recurrence: Recurrence, after: Date, count = NEXT_RUNS): Date[] {
  const found: Date[] = [];
  let cursor = after;
  while (found.length < count) {
    let next: Date | null;
    try {
      next = nextOccurrence(recurrence, cursor);
    } catch (err) {
      if (err instanceof HolidaysUnknownError) break;
      throw err;
    }
    if (!next) break;
    found.push(next);
    cursor = next;
  }
  return found;
}

/** The occurrence an active schedule waits for first, or a 400 saying why there is none. */
function firstOccurrence(recurrence: Recurrence, now: Date): Date {
  try {
    const next = nextOccurrence(recurrence, now);
    if (next) return next;
  } catch (err) {
    if (err instanceof HolidaysUnknownError) {
      throw invalid([{ path: "/skipHolidays", code: err.code, message: err.message }]);
    }
    throw err;
  }
  throw invalid([
    {
      path: recurrence.repeat.kind === "once" ? "/repeat/at" : "/validUntil",
      code: "NO_OCCURRENCE",
      message: "the schedule has no occurrence after now",
    },
  ]);
}

export function recurrenceOfRow(row: ScheduleRow): Recurrence {
  return {
    repeat: row.repeat,
    timeZone: row.timeZone,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    skipHolidays: row.skipHolidays,
  };
}

export function scheduleView(row: ScheduleRow): ScheduleView {
  const next = row.status === "active" ? row.nextRunAt : null;
  const nextRuns = next ? [next, ...upcoming(recurrenceOfRow(row), next, NEXT_RUNS - 1)] : [];
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: row.id,
    orgId: row.orgId,
    title: row.title,
    description: row.description,
    repeat: row.repeat,
    timeZone: row.timeZone,
    validFrom: iso(row.validFrom),
    validUntil: iso(row.validUntil),
    skipHolidays: row.skipHolidays,
    missedRunPolicy: row.missedRunPolicy,
    graceMinutes: row.graceMinutes,
    target: row.target,
    status: row.status,
    nextRunAt: iso(next),
    nextRuns: nextRuns.map((d) => d.toISOString()),
    lastRunAt: iso(row.lastRunAt),
    lastRunStatus: row.lastRunStatus,
    runCount: row.runCount,
    consecutiveFailures: row.consecutiveFailures,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A send request from a message target (the run's campaign is sent from it). */
export function sendRequestOf(message: NonNullable<TargetInput["message"]>): SendRequest {
  return { ...message, recipients: message.recipients ?? [] };
}

/**
 * Checks a target as a run would use it. A message target is priced now as
 * a send (estimateSend): a template that does not exist, a sender that is not
 * registered or text that cannot be sent is refused at once, with its path
 * under /target/message. Only a group without members yet is let through:
 * it may have some by the time the schedule runs.
 */
async function checkTarget(
  deps: ScheduleDeps,
  orgId: string,
  target: TargetInput,
): Promise<Record<string, unknown>> {
  if (target.kind === "message") {
    const misplaced = (["roomIds", "content"] as const).filter((f) => target[f] !== undefined);
    if (!target.message || misplaced.length > 0) {
      throw invalid([
        ...(target.message
          ? []
          : [{ path: "/target/message", code: "REQUIRED", message: "a message target's send" }]),
        ...misplaced.map((f) => ({
          path: `/target/${f}`,
          code: "UNKNOWN_FIELD",
          message: "only for a rooms target",
        })),
      ]);
    }
    const message = target.message;
    if (!message.recipients?.length && !message.groupIds?.length) {
      throw invalid([
        {
          path: "/target/message/recipients",
          code: "REQUIRED",
          message: "give recipients or groupIds",
        },
      ]);
    }
    try {
      await deps.estimate(deps.db, {
        orgId,
        input: sendRequestOf(message),
        now: deps.now(),
        links: deps.links,
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "VALIDATION_FAILED") throw err;
      const details = (err.details ?? []).filter(
        (d) => d.code !== "NO_VALID_RECIPIENTS" && !String(d.path ?? "").startsWith("/recipients/"),
      );
      const onlyEmptyGroups = details.length === 0 && !message.recipients?.length;
      if (!onlyEmptyGroups) {
        throw new AppError("VALIDATION_FAILED", err.message, {
          details: (err.details ?? []).map((d) => ({
            ...d,
            path: `/target/message${d.path ?? ""}`,
          })),
        });
      }
    }
    return { kind: "message", message };
  }

  const details: ErrorDetail[] = [];
  if (target.message !== undefined) {
    details.push({ path: "/target/message", code: "UNKNOWN_FIELD", message: "only for messages" });
  }
  if (!target.roomIds?.length) {
    details.push({ path: "/target/roomIds", code: "REQUIRED", message: "at least one room" });
  }
  const content = target.content ?? {};
  const text = content.text?.trim() ? content.text : null;
  const imageIds = content.imageIds ?? [];
  const order = content.order ?? "text_first";
  if (order !== "images_only" && text === null) {
    details.push({
      path: "/target/content/text",
      code: "REQUIRED",
      message: `${order} needs text`,
    });
  }
  if (order !== "text_only" && order !== "text_first" && imageIds.length === 0) {
    details.push({
      path: "/target/content/imageIds",
      code: "REQUIRED",
      message: `${order} needs at least one image`,
    });
  }
  if (imageIds.length > MAX_ROOM_IMAGES) {
    details.push({
      path: "/target/content/imageIds",
      code: "TOO_MANY_ITEMS",
      message: `at most ${MAX_ROOM_IMAGES}`,
    });
  }
  if (new Set(imageIds).size !== imageIds.length) {
    details.push({ path: "/target/content/imageIds", code: "DUPLICATE", message: "twice" });
  }
  const found = new Set((await findOrgImages(deps.db, orgId, imageIds)).map((f) => f.id));
  imageIds.forEach((id, i) => {
    if (!found.has(id)) {
      details.push({
        path: `/target/content/imageIds/${i}`,
        code: "FILE_NOT_FOUND",
        message: `no file ${id}`,
      });
    }
  });
  const roomIds = [...new Set(target.roomIds ?? [])];
  const missing = new Set(await findMissingRooms(deps.db, orgId, roomIds));
  (target.roomIds ?? []).forEach((id, i) => {
    if (missing.has(id)) {
      details.push({
        path: `/target/roomIds/${i}`,
        code: "ROOM_NOT_FOUND",
        message: `no room ${id}`,
      });
    }
  });
  if (details.length > 0) throw invalid(details);
  return {
    kind: "rooms",
    roomIds,
    content: {
      text,
      imageIds,
      order,
      intervalSeconds: content.intervalSeconds ?? 3,
    },
  };
}

/** The stored form of a request, checked whole; nothing is stored when any part is wrong. */
async function fieldsOf(
  deps: ScheduleDeps,
  orgId: string,
  input: ScheduleInput,
  now: Date,
): Promise<ScheduleFields> {
  const details: ErrorDetail[] = [];
  const recurrence = recurrenceOf(input, details);
  if (!recurrence) throw invalid(details);
  const target = await checkTarget(deps, orgId, input.target);
  const status = input.status ?? "active";
  return {
    title: input.title,
    description: input.description ?? null,
    repeat: recurrence.repeat,
    timeZone: recurrence.timeZone,
    validFrom: recurrence.validFrom,
    validUntil: recurrence.validUntil,
    skipHolidays: recurrence.skipHolidays,
    missedRunPolicy: input.missedRunPolicy ?? "catch_up",
    graceMinutes: input.graceMinutes ?? 60,
    target,
    status,
    nextRunAt: status === "active" ? firstOccurrence(recurrence, now) : null,
  };
}

export async function createSchedule(
  deps: ScheduleDeps,
  options: {
    orgId: string;
    createdBy: string | null;
    input: ScheduleInput;
    idempotency: Idempotency | null;
  },
): Promise<CreatedResponse<ScheduleView>> {
  const { orgId } = options;
  const now = deps.now();
  return runIdempotent(deps.db, { orgId, idempotency: options.idempotency }, async (q) => {
    const fields = await fieldsOf({ ...deps, db: q }, orgId, options.input, now);
    const row = await insertSchedule(q, {
      ...fields,
      id: newId("sch"),
      orgId,
      createdBy: options.createdBy,
      now,
    });
    return { statusCode: 201, body: scheduleView(row) };
  });
}

export async function getSchedule(db: Queryable, orgId: string, id: string): Promise<ScheduleView> {
  const row = await findSchedule(db, orgId, id);
  if (!row) throw new AppError("NOT_FOUND", "schedule not found");
  return scheduleView(row);
}

function inputOf(row: ScheduleRow): ScheduleInput {
  return {
    title: row.title,
    description: row.description,
    repeat: row.repeat,
    timeZone: row.timeZone,
    validFrom: row.validFrom?.toISOString() ?? null,
    validUntil: row.validUntil?.toISOString() ?? null,
    skipHolidays: row.skipHolidays,
    missedRunPolicy: row.missedRunPolicy,
    graceMinutes: row.graceMinutes,
    target: row.target as unknown as TargetInput,
  };
}

const TIMING = ["repeat", "timeZone", "validFrom", "validUntil", "skipHolidays"] as const;

/**
 * Changes a schedule: the fields given replace the stored ones and the whole
 * is checked again. A change of timing, or switching it on, waits for the
 * next occurrence after now; otherwise the occurrence it waits for stays.
 * `status` may be active or inactive; a completed or stopped (`error`)
 * schedule switched on again counts its failures afresh.
 */
export async function changeSchedule(
  deps: ScheduleDeps,
  options: { orgId: string; id: string; patch: Partial<ScheduleInput> },
): Promise<ScheduleView> {
  const { orgId, id, patch } = options;
  const now = deps.now();
  // One transaction, the schedule locked against the scheduler's claim; with no
  // idempotency key, runIdempotent is only that (and hands the target's check a Db).
  const result = await runIdempotent(deps.db, { orgId, idempotency: null }, async (q) => {
    const row = await lockSchedule(q, orgId, id);
    if (!row) throw new AppError("NOT_FOUND", "schedule not found");
    const timed = TIMING.some((f) => patch[f] !== undefined);
    // A finished (completed, error) schedule given new timing runs again; otherwise it stays as it is.
    const kept: ScheduleStatus =
      row.status === "completed" || row.status === "error"
        ? timed
          ? "active"
          : row.status
        : row.status;
    const status: ScheduleStatus = patch.status ?? kept;
    const merged: ScheduleInput = { ...inputOf(row), ...patch, status: "inactive" };
    const fields = await fieldsOf({ ...deps, db: q }, orgId, merged, now);
    let nextRunAt: Date | null = null;
    if (status === "active") {
      const recurrence = recurrenceOf(merged, []);
      const waiting = !timed && row.status === "active" ? row.nextRunAt : null;
      nextRunAt = waiting ?? firstOccurrence(recurrence!, now);
    }
    const changed = await updateSchedule(q, orgId, id, { ...fields, status, nextRunAt, now });
    return { statusCode: 200, body: scheduleView(changed!) };
  });
  return result.body;
}

/** Switches a schedule off, or on again (from inactive, completed or error). */
export async function toggleSchedule(
  deps: ScheduleDeps,
  options: { orgId: string; id: string },
): Promise<ScheduleView> {
  const row = await findSchedule(deps.db, options.orgId, options.id);
  if (!row) throw new AppError("NOT_FOUND", "schedule not found");
  return changeSchedule(deps, {
    ...options,
    patch: { status: row.status === "active" ? "inactive" : "active" },
  });
}

export async function removeSchedule(db: Db, orgId: string, id: string): Promise<void> {
  if (!(await deleteSchedule(db, orgId, id))) {
    throw new AppError("NOT_FOUND", "schedule not found");
  }
}

/** The next five occurrences of a recurrence not stored (the console's live preview). */
export function previewRuns(input: TimingInput, now: Date): { nextRuns: string[] } {
  const details: ErrorDetail[] = [];
  const recurrence = recurrenceOf(input, details);
  if (!recurrence) throw invalid(details);
  return { nextRuns: upcoming(recurrence, now).map((d) => d.toISOString()) };
}
