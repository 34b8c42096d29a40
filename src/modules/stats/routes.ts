// GET /v1/stats/summary and /v1/stats/series: an organization's (or its
// subtree's) figures from stats_deltas, never from a count of messages.
import Type from "typebox";
import { PRICED_TYPES } from "../../domain/pricing.ts";
import { principalOf } from "../../http/auth.ts";
import { Credits, errorResponses, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { MAX_BUCKETS, statsSeries, statsSummary } from "./service.ts";

const count = Type.Integer({ minimum: 0 });
const Rate = (description: string) => Nullable(Type.Number({ minimum: 0, description }));

const includeChildren = Type.Optional(
  Type.Boolean({
    default: false,
    description: "Sum the organization's whole subtree (its descendants' figures too)",
  }),
);

const HOURS =
  "Figures are kept per hour: `from` is taken to the start of its hour (of its local day for a day series), and an hour counts when it starts before `to`.";

const SummaryQuery = Type.Object(
  {
    from: Type.Optional(IsoTime),
    to: Type.Optional(IsoTime),
    includeChildren,
  },
  { additionalProperties: false },
);

const Summary = Type.Object({
  from: Nullable(IsoTime),
  to: Nullable(IsoTime),
  contacts: Type.Integer({ description: "Contacts kept now" }),
  groups: Type.Integer({ description: "Contact groups kept now, 미지정 included" }),
  messages: Type.Object({
    total: Type.Integer({ description: "Messages accepted in the range (fallbacks included)" }),
    delivered: count,
    failed: count,
    pending: Type.Integer({
      description: "Of the messages accepted in the range, those without a final result yet",
    }),
    sent: Type.Integer({ description: "Messages handed to a vendor in the range" }),
    expired: Type.Integer({ description: "Messages that never got a final report" }),
    clicked: Type.Integer({ description: "Messages clicked for the first time in the range" }),
    deliveredTracked: Type.Integer({
      description: "Of the messages delivered, those that carried a tracked link",
    }),
  }),
  successRate: Rate("delivered / (delivered + failed + expired); null when there are none"),
  clickRate: Rate(
    "messages clicked / delivered messages that carried a tracked link (deliveredTracked); null when there are none. A message may be clicked before its delivery report comes, or in a range its delivery is not in",
  ),
  credits: Type.Object({ charged: Credits, refunded: Credits }),
});

const SeriesQuery = Type.Object(
  {
    granularity: Type.Optional(Type.Enum(["hour", "day"], { default: "hour" })),
    from: Type.Optional(
      Type.String({
        format: "date-time",
        description: "Default: 24 hours (a day series: 30 days) before `to`",
      }),
    ),
    to: Type.Optional(Type.String({ format: "date-time", description: "Default: now" })),
    type: Type.Optional(
      Type.Enum([...PRICED_TYPES, "all"], {
        description:
          "One message type, or `all` (summed over types); without it, each type the range saw",
      }),
    ),
    includeChildren,
  },
  { additionalProperties: false },
);

const Point = Type.Object({
  at: Type.String({
    format: "date-time",
    description: "The bucket's start in the organization's time zone, with its offset",
    examples: ["2026-12-01T00:00:00+09:00"],
  }),
  type: Type.String(),
  accepted: count,
  sent: count,
  delivered: count,
  deliveredTracked: Type.Integer({
    minimum: 0,
    description: "Of the messages delivered, those that carried a tracked link",
  }),
  failed: count,
  expired: count,
  clicked: count,
  charged: Credits,
  refunded: Credits,
});

const Series = Type.Object({
  granularity: Type.Enum(["hour", "day"]),
  timeZone: Type.String(),
  from: Type.String({ format: "date-time" }),
  to: Type.String({ format: "date-time" }),
  data: Type.Array(Point),
});

export function statsRoutes(app: App, deps: RouteDeps) {
  app.get(
    "/v1/stats/summary",
    {
      config: { scope: "read" },
      schema: {
        tags: ["stats"],
        operationId: "getStatsSummary",
        summary: "Messages, results, rates and credits of a range",
        description: `Results (delivered, failed, expired, sent, clicked) and credits (charged, refunded) count in the hour they happened; total and pending are the messages accepted in the range. ${HOURS} Without from or to the range is unbounded on that side.`,
        querystring: SummaryQuery,
        response: { 200: Summary, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const query = request.query;
      return statsSummary(deps.db, {
        caller: p,
        includeChildren: query.includeChildren === true,
        from: query.from ? new Date(query.from) : null,
        to: query.to ? new Date(query.to) : null,
      });
    },
  );

  app.get(
    "/v1/stats/series",
    {
      config: { scope: "read" },
      schema: {
        tags: ["stats"],
        operationId: "getStatsSeries",
        summary: "Figures per hour or per day of the organization's time zone",
        description: `Every bucket of the range, zeros included, oldest first, per message type; at most ${MAX_BUCKETS} buckets. A day is a local day of the organization's time zone (an hour counts in the day it starts in). ${HOURS}`,
        querystring: SeriesQuery,
        response: { 200: Series, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      return statsSeries(deps.db, {
        caller: principalOf(request),
        includeChildren: query.includeChildren === true,
        granularity: query.granularity ?? "hour",
        from: query.from ? new Date(query.from) : null,
        to: query.to ? new Date(query.to) : null,
        type: query.type ?? null,
        now: deps.now(),
      });
    },
  );
}
