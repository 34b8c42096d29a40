// GET /v1/reports/statements and its CSV: a month's charges and refunds per
// organization and message type (and room posts, as `bot`), for the caller's
// organization or with its subtree. The month is the caller's, in its time
// zone; an organization below it in another zone is read by the same hours.
import Type from "typebox";
import type { Queryable } from "../../db/client.ts";
import { formatCredits, MICRO_PER_CREDIT } from "../../domain/money.ts";
import { instantOf, wallClock } from "../../domain/time-zone.ts";
import { principalOf } from "../../http/auth.ts";
import { Credits, errorResponses, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { csvLine, UTF8_BOM } from "../../lib/csv.ts";
import { AppError } from "../../lib/errors.ts";
import { findOrg } from "../orgs/index.ts";
import { type StatementRow, statementRows } from "./queries.ts";

const StatementQuery = Type.Object(
  {
    month: Type.Optional(
      Type.String({
        pattern: "^\\d{4}-(0[1-9]|1[0-2])$",
        description: "YYYY-MM in the organization's time zone (default: this month)",
        examples: ["2026-12"],
      }),
    ),
    includeChildren: Type.Optional(
      Type.Boolean({ default: false, description: "A line for each organization below too" }),
    ),
  },
  { additionalProperties: false },
);

const Line = Type.Object({
  orgId: Type.String(),
  orgName: Type.String(),
  type: Type.Enum(["alimtalk", "sms", "lms", "mms", "bot"]),
  count: Type.Integer({ description: "Messages (or room posts) charged" }),
  unitPrice: Nullable(
    Type.String({
      description:
        "charged / count, to 0.01 credit: the price paid, or its average when the price changed in the month",
    }),
  ),
  charged: Credits,
  refundedCount: Type.Integer({ description: "Messages (or posts) whose hold was given back" }),
  refunded: Credits,
});

const Statement = Type.Object({
  month: Type.String(),
  timeZone: Type.String(),
  from: IsoTime,
  to: IsoTime,
  lines: Type.Array(Line),
  totals: Type.Object({ charged: Credits, refunded: Credits }),
});

const CSV_HEADER = ["조직", "조직 ID", "유형", "건수", "단가", "청구", "환불 건수", "환불"];
const TYPE_LABELS: Record<string, string> = {
  alimtalk: "알림톡",
  sms: "SMS",
  lms: "LMS",
  mms: "MMS",
  bot: "채팅방",
};

/** charged / count rounded half up to 0.01 credit. */
function unitPrice(r: StatementRow): string | null {
  if (r.charged === 0) return null;
  const cent = MICRO_PER_CREDIT / 100n;
  const count = BigInt(r.charged);
  const cents = (r.chargedAmount * 2n + count * cent) / (2n * count * cent);
  return formatCredits(cents * cent);
}

function lineView(r: StatementRow) {
  return {
    orgId: r.orgId,
    orgName: r.orgName,
    type: r.type as "alimtalk" | "sms" | "lms" | "mms" | "bot",
    count: r.charged,
    unitPrice: unitPrice(r),
    charged: formatCredits(r.chargedAmount),
    refundedCount: r.refunded,
    refunded: formatCredits(r.refundedAmount),
  };
}

/** The month's first instant and the next month's, in `timeZone`. */
export function monthRange(month: string, timeZone: string): { from: Date; to: Date } {
  const [year, m] = month.split("-").map(Number) as [number, number];
  const next = m === 12 ? { year: year + 1, month: 1 } : { year, month: m + 1 };
  return {
    from: instantOf({ year, month: m, day: 1, hour: 0 }, timeZone),
    to: instantOf({ ...next, day: 1, hour: 0 }, timeZone),
  };
}

async function readStatement(
  q: Queryable,
  p: { orgId: string; orgPath: string },
  query: { month?: string; includeChildren?: boolean },
  now: Date,
) {
  const org = await findOrg(q, p.orgId);
  if (!org) throw new AppError("NOT_FOUND", "organization not found");
  const here = wallClock(now, org.timezone);
  const month = query.month ?? `${here.year}-${String(here.month).padStart(2, "0")}`;
  const range = monthRange(month, org.timezone);
  const rows = await statementRows(q, {
    scope: query.includeChildren ? { orgPath: p.orgPath } : { orgId: p.orgId },
    ...range,
  });
  return { month, timeZone: org.timezone, range, rows };
}

export function statementRoutes(app: App, deps: RouteDeps) {
  app.get(
    "/v1/reports/statements",
    {
      config: { scope: "read" },
      schema: {
        tags: ["credits"],
        operationId: "getStatement",
        summary: "A month's charges and refunds per organization and type",
        querystring: StatementQuery,
        response: { 200: Statement, ...errorResponses },
      },
    },
    async (request) => {
      const s = await readStatement(deps.db, principalOf(request), request.query, deps.now());
      const lines = s.rows.map(lineView);
      const sum = (pick: (r: StatementRow) => bigint) =>
        formatCredits(s.rows.reduce((total, r) => total + pick(r), 0n));
      return {
        month: s.month,
        timeZone: s.timeZone,
        from: s.range.from.toISOString(),
        to: s.range.to.toISOString(),
        lines,
        totals: { charged: sum((r) => r.chargedAmount), refunded: sum((r) => r.refundedAmount) },
      };
    },
  );

  app.get(
    "/v1/reports/statements.csv",
    {
      config: { scope: "read" },
      schema: {
        tags: ["credits"],
        operationId: "exportStatement",
        summary: "A month's statement as CSV (UTF-8 with BOM: Excel opens it in Korean)",
        description: `Columns ${CSV_HEADER.join(", ")}; the lines of GET /v1/reports/statements.`,
        querystring: StatementQuery,
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const s = await readStatement(deps.db, principalOf(request), request.query, deps.now());
      const body =
        UTF8_BOM +
        csvLine(CSV_HEADER) +
        s.rows
          .map(lineView)
          .map((l) =>
            csvLine([
              l.orgName,
              l.orgId,
              TYPE_LABELS[l.type] ?? l.type,
              l.count,
              l.unitPrice,
              l.charged,
              l.refundedCount,
              l.refunded,
            ]),
          )
          .join("");
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="statement-${s.month}.csv"`)
        .send(body);
    },
  );
}
