import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

export const MESSAGE_STATUSES = [
  "accepted",
  "queued",
  "sending",
  "sent",
  "delivered",
  "failed",
  "canceled",
  "expired",
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const FINAL_MESSAGE_STATUSES = ["delivered", "failed", "canceled", "expired"] as const;

/**
 * One recipient of one campaign on one channel. Messages are also the work
 * queue (status, run_at, attempts, lease). `price_held` is what acceptance
 * held for this message; `settled_at` is set exactly once, when the hold is
 * captured (`price_charged`) or released. `variables` are the recipient's
 * own; the campaign's shared template variables sit under them.
 */
export const messages = pgTable(
  "messages",
  {
    id: text("id").primaryKey(),
    // No foreign keys on this table: messages are only written by the
    // transaction that writes their campaign, and per-row FK checks made a
    // 100,000-message acceptance 40% slower.
    orgId: text("org_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    recipientIndex: integer("recipient_index").notNull(),
    recipient: text("recipient").notNull(),
    name: text("name"),
    variables: jsonb("variables").$type<Record<string, string>>(),
    type: text("type").notNull(),
    fallbackType: text("fallback_type"),
    fallbackOf: text("fallback_of"),
    status: text("status").$type<MessageStatus>().notNull(),
    priceHeld: bigint("price_held", { mode: "bigint" }).notNull(),
    priceCharged: bigint("price_charged", { mode: "bigint" }).notNull().default(sql`0`),
    settledAt: timestamp("settled_at", { withTimezone: true }),
    runAt: timestamp("run_at", { withTimezone: true }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lockedBy: text("locked_by"),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    vendorAccountId: text("vendor_account_id"),
    vendorMessageId: text("vendor_message_id"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
  },
  (t) => [
    index("messages_campaign_idx").on(t.campaignId, t.status),
    index("messages_unsettled_idx").on(t.orgId).where(sql`settled_at is null`),
    index("messages_queue_idx").on(t.runAt).where(sql`status = 'queued'`),
    check(
      "messages_status_check",
      sql`${t.status} in ('accepted', 'queued', 'sending', 'sent', 'delivered', 'failed', 'canceled', 'expired')`,
    ),
    check("messages_type_check", sql`${t.type} in ('alimtalk', 'sms', 'lms', 'mms')`),
    check(
      "messages_price_check",
      sql`${t.priceHeld} >= 0 and ${t.priceCharged} >= 0 and ${t.priceCharged} <= ${t.priceHeld}`,
    ),
  ],
);
