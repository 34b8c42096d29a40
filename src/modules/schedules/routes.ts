// Schedules (API-2.md, "Schedules"): made, read, changed, switched on and
// off and deleted by callers; their runs, by schedule and as one send log.
// Every read shows the next occurrence and the five after it.
import type { Db } from "../../db/client.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { idempotencyOf } from "../idempotency/index.ts";
import type { LinkTracking } from "../links/index.ts";
import { findSchedule, listRuns, listSchedules, type RunRow } from "./queries.ts";
import {
  Preview,
  PreviewBody,
  RunListQuery,
  RunLogQuery,
  Schedule,
  ScheduleBody,
  ScheduleListQuery,
  SchedulePatch,
  ScheduleRun,
} from "./schemas.ts";
import {
  changeSchedule,
  createSchedule,
  type EstimateSend,
  getSchedule,
  previewRuns,
  removeSchedule,
  scheduleView,
  toggleSchedule,
} from "./service.ts";

export interface ScheduleRouteDeps {
  db: Db;
  now: () => Date;
  estimate: EstimateSend;
  links?: LinkTracking | null;
  /** Called after a schedule is made or changed: the scheduler may have to run it sooner. */
  onChanged: () => void;
}

/** Large enough for a message target with 10,000 recipients. */
const SCHEDULE_BODY_LIMIT = 4 * 1024 * 1024;

function runView(r: RunRow) {
  return {
    id: r.id,
    scheduleId: r.scheduleId,
    scheduleTitle: r.scheduleTitle,
    occurrenceAt: r.occurrenceAt.toISOString(),
    startedAt: r.startedAt.toISOString(),
    completedAt: r.completedAt?.toISOString() ?? null,
    durationMs: r.durationMs,
    status: r.status,
    campaignId: r.campaignId,
    posts: (r.posts ?? []) as { roomId: string; kind: string; status: string }[],
    error: r.error,
  };
}

export function scheduleRoutes(app: App, deps: ScheduleRouteDeps) {
  const { db } = deps;

  app.post(
    "/v1/schedules",
    {
      bodyLimit: SCHEDULE_BODY_LIMIT,
      config: { scope: "send" },
      schema: {
        tags: ["schedules"],
        summary: "Make a schedule: a message or room posts at each occurrence",
        description:
          "The repeat is checked in its time zone, and a message target is priced as a send would be now, so a template, sender or text that cannot be sent is refused here, with its path under /target/message.",
        body: ScheduleBody,
        response: { 201: Schedule, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const result = await createSchedule(deps, {
        orgId: p.orgId,
        createdBy: p.userId ?? p.keyId,
        input: request.body,
        idempotency: idempotencyOf(request, "POST /v1/schedules"),
      });
      deps.onChanged();
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.post(
    "/v1/schedules/preview",
    {
      config: { scope: "read" },
      schema: {
        tags: ["schedules"],
        summary: "The next five occurrences of a repeat, without storing anything",
        body: PreviewBody,
        response: { 200: Preview, ...errorResponses },
      },
    },
    async (request) => previewRuns(request.body, deps.now()),
  );

  app.get(
    "/v1/schedules",
    {
      config: { scope: "read" },
      schema: {
        tags: ["schedules"],
        summary: "The organization's schedules, newest first",
        querystring: ScheduleListQuery,
        response: { 200: Page(Schedule), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listSchedules(db, {
        orgId: principalOf(request).orgId,
        status: request.query.status ?? null,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (s) => s.id, scheduleView);
    },
  );

  app.get(
    "/v1/schedules/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["schedules"],
        summary: "A schedule, with its next five occurrences",
        params: IdParams,
        response: { 200: Schedule, ...errorResponses },
      },
    },
    async (request) => getSchedule(db, principalOf(request).orgId, request.params.id),
  );

  app.patch(
    "/v1/schedules/:id",
    {
      bodyLimit: SCHEDULE_BODY_LIMIT,
      config: { scope: "send" },
      schema: {
        tags: ["schedules"],
        summary: "Change a schedule: the fields given replace the stored ones",
        description:
          "The whole is checked again. A change of its timing, or switching it on, makes it wait for its next occurrence after now.",
        params: IdParams,
        body: SchedulePatch,
        response: { 200: Schedule, ...errorResponses },
      },
    },
    async (request) => {
      const view = await changeSchedule(deps, {
        orgId: principalOf(request).orgId,
        id: request.params.id,
        patch: request.body,
      });
      deps.onChanged();
      return view;
    },
  );

  app.delete(
    "/v1/schedules/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["schedules"],
        summary: "Delete a schedule and its run log",
        params: IdParams,
        response: { 204: { type: "null" }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await removeSchedule(db, principalOf(request).orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/v1/schedules/:id/toggle",
    {
      config: { scope: "send" },
      schema: {
        tags: ["schedules"],
        summary: "Switch a schedule off, or on again",
        description:
          "An active schedule becomes inactive; any other (inactive, completed, error) active again, waiting for its next occurrence after now.",
        params: IdParams,
        response: { 200: Schedule, ...errorResponses },
      },
    },
    async (request) => {
      const view = await toggleSchedule(deps, {
        orgId: principalOf(request).orgId,
        id: request.params.id,
      });
      deps.onChanged();
      return view;
    },
  );

  app.get(
    "/v1/schedules/:id/runs",
    {
      config: { scope: "read" },
      schema: {
        tags: ["schedules"],
        summary: "A schedule's runs, newest first",
        params: IdParams,
        querystring: RunListQuery,
        response: { 200: Page(ScheduleRun), ...errorResponses },
      },
    },
    async (request) => {
      const orgId = principalOf(request).orgId;
      const schedule = await findSchedule(db, orgId, request.params.id);
      if (!schedule) throw new AppError("NOT_FOUND", "schedule not found");
      const limit = request.query.limit ?? 50;
      const rows = await listRuns(db, {
        orgId,
        scheduleId: schedule.id,
        status: request.query.status ?? null,
        from: null,
        to: null,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (r) => r.id, runView);
    },
  );

  app.get(
    "/v1/schedule-runs",
    {
      config: { scope: "read" },
      schema: {
        tags: ["schedules"],
        summary: "The send log: every schedule's runs, newest first",
        description: "from and to bound when a run started (from inclusive, to exclusive).",
        querystring: RunLogQuery,
        response: { 200: Page(ScheduleRun), ...errorResponses },
      },
    },
    async (request) => {
      const { query } = request;
      const limit = query.limit ?? 50;
      const rows = await listRuns(db, {
        orgId: principalOf(request).orgId,
        scheduleId: query.scheduleId ?? null,
        status: query.status ?? null,
        from: query.from ? new Date(query.from) : null,
        to: query.to ? new Date(query.to) : null,
        before: decodeCursor(query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (r) => r.id, runView);
    },
  );
}
