// GET /v1/messages: an organization's messages across its campaigns, by
// recipient number, status, campaign and time.
import Type from "typebox";
import { parseOffsetDateTime } from "../../domain/iso-time.ts";
import { MESSAGE_STATUSES } from "../../domain/message-status.ts";
import { normalizePhone } from "../../domain/phone.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { errorResponses } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { Message, type MessageRow, messageView, renderContents } from "../campaigns/index.ts";
import { findMessageClicks } from "../links/index.ts";
import { findOrgCampaign, searchMessages } from "./search-queries.ts";

const TO = Type.String({ minLength: 1, maxLength: 40 });

export const MessageSearchQuery = Type.Object(
  {
    to: Type.Optional(
      Type.Union([TO, Type.Array(TO, { minItems: 1, maxItems: 2 })], {
        description:
          'The recipient\'s number, as recipients are given ("010-1234-5678", "+821012345678"). The contract also names the end of the time range `to`: a `to` that is a date-time with an offset ("2026-12-02T00:00:00+09:00") is read as that end (the same as `until`), so `?to=010…&to=2026-…` gives both.',
        examples: ["010-1234-5678"],
      }),
    ),
    status: Type.Optional(Type.Enum([...MESSAGE_STATUSES])),
    campaignId: Type.Optional(Type.String({ pattern: "^cmp_[0-9A-Za-z]{1,60}$" })),
    from: Type.Optional(
      Type.String({ format: "date-time", description: "Created at or after this time" }),
    ),
    until: Type.Optional(
      Type.String({
        format: "date-time",
        description: "Created before this time (the end of the range; `to` when it is a date-time)",
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

function invalid(detail: ErrorDetail & { path: string; message: string }): AppError {
  return new AppError("VALIDATION_FAILED", `${detail.path}: ${detail.message}`, {
    details: [detail],
  });
}

/** `to` as the contract has it: the recipient's number, or (a date-time) the end of the range. */
export function readTo(
  to: string | string[] | undefined,
  until: string | undefined,
): { phone: string | null; until: Date | null } {
  let phone: string | null = null;
  let end: Date | null = until ? new Date(until) : null;
  const values = to === undefined ? [] : Array.isArray(to) ? to : [to];
  for (const value of values) {
    const at = parseOffsetDateTime(value.trim());
    if (at !== null) {
      if (end !== null) {
        throw invalid({
          path: "/querystring/to",
          code: "DUPLICATE_VALUE",
          message: "the end of the range is given twice (until, or a date-time to)",
        });
      }
      end = at;
      continue;
    }
    if (phone !== null) {
      throw invalid({
        path: "/querystring/to",
        code: "DUPLICATE_VALUE",
        message: "one recipient number at a time",
      });
    }
    // A "+" left unencoded in a query string arrives as a space.
    const text = /^ \d/.test(value) ? `+${value.slice(1)}` : value;
    const normalized = normalizePhone(text);
    if (!normalized.ok) {
      throw invalid({
        path: "/querystring/to",
        code: normalized.code,
        message: normalized.message,
      });
    }
    phone = normalized.e164;
  }
  return { phone, until: end };
}

/** The cursor: the page's last message, and its campaign's when the search walks campaigns. */
function readCursor(cursor: string | undefined) {
  const key = decodeCursor(cursor);
  if (key === null) return null;
  const [first, second] = key.split("-");
  const messageId = second ?? first!;
  const campaignId = second === undefined ? null : first!;
  if (!messageId.startsWith("msg_") || (campaignId !== null && !campaignId.startsWith("cmp_"))) {
    throw invalid({ path: "/querystring/cursor", code: "INVALID_VALUE", message: "not a cursor" });
  }
  return { messageId, campaignId };
}

export function messageSearchRoutes(app: App, deps: RouteDeps) {
  app.get(
    "/v1/messages",
    {
      config: { scope: "read" },
      schema: {
        tags: ["messages"],
        summary: "The organization's messages across its campaigns, newest first",
        description:
          "Search by the recipient's number (`to`), status, campaign and the time they were created (`from`, `until`). The contract names both the number and the end of the range `to`: here `to` is the number, and a `to` that is a date-time is read as the end of the range (`until`). With a number or a campaign, newest first by message; with neither, newest campaign first, then newest message.",
        querystring: MessageSearchQuery,
        response: { 200: Page(Message), ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      const p = principalOf(request);
      const { phone, until } = readTo(query.to, query.until);
      const from = query.from ? new Date(query.from) : null;
      if (from && until && from >= until) {
        throw invalid({
          path: "/querystring/until",
          code: "INVALID_RANGE",
          message: "must be after from",
        });
      }
      const campaignId = query.campaignId ?? null;
      if (campaignId !== null && !(await findOrgCampaign(deps.db, p.orgId, campaignId))) {
        throw new AppError("NOT_FOUND", "campaign not found");
      }
      const byCampaigns = phone === null && campaignId === null;
      const before = readCursor(query.cursor);
      if (before && byCampaigns !== (before.campaignId !== null)) {
        throw invalid({
          path: "/querystring/cursor",
          code: "INVALID_VALUE",
          message: "the cursor is from another search",
        });
      }
      const limit = query.limit ?? 50;
      const rows = await searchMessages(deps.db, {
        orgId: p.orgId,
        phone,
        status: query.status ?? null,
        campaignId,
        from,
        until,
        before,
        limit: limit + 1,
      });
      const clicks = await findMessageClicks(deps.db, {
        messageIds: rows.map((m) => m.id),
        scopePath: p.orgPath,
      });
      const contents = await renderContents(deps.db, rows);
      return toPage(
        rows,
        limit,
        (m: MessageRow) => (byCampaigns ? `${m.campaignId}-${m.id}` : m.id),
        (m) => messageView(m, clicks.get(m.id), contents.get(m.id)),
      );
    },
  );
}
