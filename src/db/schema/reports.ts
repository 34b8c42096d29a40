import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * What vendors told us, stored once per (account, vendor message id, status)
 * and applied to messages in batches. A report whose message is not known
 * yet (its acceptance not recorded) is parked: unapplied, re-checked with
 * backoff (`checks`, `next_attempt_at`) and made due at once when the
 * message's acceptance is recorded, until ALIMI_UNKNOWN_REPORT_WINDOW after
 * it came; then it is deleted and counted in `report_drops`.
 */
export const deliveryReports = pgTable(
  "delivery_reports",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    vendorAccountId: text("vendor_account_id").notNull(),
    vendorMessageId: text("vendor_message_id").notNull(),
    status: text("status").notNull(),
    type: text("type").notNull(),
    fallbackOf: text("fallback_of"),
    errorCode: text("error_code"),
    rawCode: text("raw_code"),
    errorMessage: text("error_message"),
    reportedAt: timestamp("reported_at", { withTimezone: true }).notNull(),
    source: text("source").notNull(),
    raw: jsonb("raw"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    messageId: text("message_id"),
    appliedAt: timestamp("applied_at", { withTimezone: true }),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** Times a parked report was looked at and its message was still unknown. */
    checks: integer("checks").notNull().default(0),
  },
  (t) => [
    uniqueIndex("delivery_reports_key").on(t.vendorAccountId, t.vendorMessageId, t.status),
    index("delivery_reports_pending_idx").on(t.nextAttemptAt).where(sql`applied_at is null`),
    // How many reports an account has parked (its bound), the parked reports
    // of one message (made due when its acceptance is recorded: by the vendor
    // id too, or every such lookup reads all the account's parked reports),
    // and those a vendor's native fallback report waits on.
    index("delivery_reports_parked_idx")
      .on(t.vendorAccountId, t.vendorMessageId)
      .where(sql`applied_at is null`),
    index("delivery_reports_parked_fallback_idx")
      .on(t.vendorAccountId, t.fallbackOf)
      .where(sql`applied_at is null and fallback_of is not null`),
    index("delivery_reports_message_idx").on(t.messageId),
    check("delivery_reports_status_check", sql`${t.status} in ('sent', 'delivered', 'failed')`),
  ],
);

export const REPORT_DROP_REASONS = ["expired", "over_limit"] as const;
export type ReportDropReason = (typeof REPORT_DROP_REASONS)[number];

/**
 * Reports dropped without being applied, counted per account and reason:
 * `expired` — parked for the whole window and its message never appeared;
 * `over_limit` — the account already had its maximum of parked reports.
 * One row per (account, reason), so a flood costs a counter, not rows.
 */
export const reportDrops = pgTable(
  "report_drops",
  {
    vendorAccountId: text("vendor_account_id").notNull(),
    reason: text("reason").$type<ReportDropReason>().notNull(),
    count: bigint("count", { mode: "bigint" }).notNull(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.vendorAccountId, t.reason] }),
    check("report_drops_reason_check", sql`${t.reason} in ('expired', 'over_limit')`),
  ],
);
