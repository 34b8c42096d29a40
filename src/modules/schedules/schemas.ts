import Type from "typebox";
import { SCHEDULE_RUN_STATUSES, SCHEDULE_STATUSES } from "../../domain/vocabulary.ts";
import { IsoTime, Nullable } from "../../http/schemas.ts";
import { SendBody } from "../messages/index.ts";

const strict = { additionalProperties: false } as const;

export const MAX_ROOM_IMAGES = 10;

export const RepeatBody = Type.Object(
  {
    kind: Type.Enum(["once", "daily", "weekly", "monthly", "cron"]),
    at: Type.Optional(
      Type.String({ maxLength: 40, description: "once: an ISO time with an offset" }),
    ),
    time: Type.Optional(
      Type.String({ maxLength: 5, description: "daily, weekly, monthly: HH:MM in timeZone" }),
    ),
    weekdays: Type.Optional(
      Type.Array(Type.Integer(), {
        maxItems: 7,
        description: "weekly: 1 = Monday … 7 = Sunday",
      }),
    ),
    dayOfMonth: Type.Optional(
      Type.Integer({ description: "monthly: 1–31; past a month's end, its last day" }),
    ),
    cron: Type.Optional(
      Type.String({
        maxLength: 100,
        description: "cron: minute hour day-of-month month day-of-week, in timeZone",
      }),
    ),
  },
  strict,
);

const RoomContent = Type.Object(
  {
    text: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    imageIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: MAX_ROOM_IMAGES,
        description: "images uploaded with POST /v1/files, in posting order",
      }),
    ),
    order: Type.Optional(
      Type.Enum(["text_first", "images_first", "images_only", "text_only"], {
        description: "default text_first",
      }),
    ),
    intervalSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 600, description: "between two posts (default 3)" }),
    ),
  },
  strict,
);

export const MessageTarget = Type.Omit(SendBody, ["sendAt"], {
  additionalProperties: false,
  description: "A POST /v1/messages body without sendAt: a campaign is sent at each run",
});

export const TargetBody = Type.Object(
  {
    kind: Type.Enum(["message", "rooms"]),
    message: Type.Optional(MessageTarget),
    roomIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 }),
    ),
    content: Type.Optional(RoomContent),
  },
  {
    ...strict,
    description:
      "kind message: `message`; kind rooms: `roomIds` and `content` (posted through the rooms' bot gateways)",
  },
);

const timing = {
  repeat: RepeatBody,
  timeZone: Type.Optional(
    Type.String({ maxLength: 64, description: "an IANA zone (default Asia/Seoul)" }),
  ),
  validFrom: Type.Optional(Nullable(IsoTime)),
  validUntil: Type.Optional(Nullable(IsoTime)),
  skipHolidays: Type.Optional(
    Type.Boolean({ description: "skip Korean public holidays (lunar and substitute included)" }),
  ),
};

export const ScheduleBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    ...timing,
    missedRunPolicy: Type.Optional(
      Type.Enum(["catch_up", "skip"], {
        description:
          "an occurrence missed while Alimi was down: run it on return within graceMinutes (catch_up, the default), or log it skipped",
      }),
    ),
    graceMinutes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10_080, description: "default 60" }),
    ),
    target: TargetBody,
    status: Type.Optional(Type.Enum(["active", "inactive"], { description: "default active" })),
  },
  strict,
);

export const SchedulePatch = Type.Partial(ScheduleBody, strict);

export const PreviewBody = Type.Object(timing, strict);

export const Preview = Type.Object({ nextRuns: Type.Array(IsoTime) });

export const Schedule = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  repeat: Type.Object({}, { additionalProperties: true }),
  timeZone: Type.String(),
  validFrom: Nullable(IsoTime),
  validUntil: Nullable(IsoTime),
  skipHolidays: Type.Boolean(),
  missedRunPolicy: Type.Enum(["catch_up", "skip"]),
  graceMinutes: Type.Integer(),
  target: Type.Object({}, { additionalProperties: true }),
  status: Type.Enum([...SCHEDULE_STATUSES]),
  nextRunAt: Nullable(IsoTime),
  nextRuns: Type.Array(IsoTime, { description: "the next five occurrences (fewer near the end)" }),
  lastRunAt: Nullable(IsoTime),
  lastRunStatus: Nullable(Type.Enum([...SCHEDULE_RUN_STATUSES])),
  runCount: Type.Integer(),
  consecutiveFailures: Type.Integer(),
  createdBy: Nullable(Type.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

const RunError = Type.Object({ code: Type.String(), message: Type.String() });

export const ScheduleRun = Type.Object({
  id: Type.String(),
  scheduleId: Type.String(),
  scheduleTitle: Type.String(),
  occurrenceAt: IsoTime,
  startedAt: IsoTime,
  completedAt: Nullable(IsoTime),
  durationMs: Nullable(Type.Integer()),
  status: Type.Enum([...SCHEDULE_RUN_STATUSES]),
  campaignId: Nullable(Type.String()),
  posts: Type.Array(
    Type.Object(
      {
        roomId: Type.String(),
        kind: Type.String(),
        status: Type.String(),
        fileId: Type.Optional(Type.String()),
        error: Type.Optional(RunError),
        response: Type.Optional(Type.Unknown()),
      },
      { additionalProperties: true },
    ),
  ),
  error: Nullable(RunError),
});

export const ScheduleListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...SCHEDULE_STATUSES])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const RunListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...SCHEDULE_RUN_STATUSES])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const RunLogQuery = Type.Object(
  {
    from: Type.Optional(IsoTime),
    to: Type.Optional(IsoTime),
    status: Type.Optional(Type.Enum([...SCHEDULE_RUN_STATUSES])),
    scheduleId: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);
