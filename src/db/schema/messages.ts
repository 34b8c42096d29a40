import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
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

/**
 * One recipient of one campaign on one channel. Messages are also the work
 * queue (status, run_at, attempts, lease). `price_held` is what acceptance
 * held for this message; `settled_at` is set exactly once, when the hold is
 * captured (`price_charged`) or released (`price_released`); a failed
 * Alimtalk message hands its whole hold to its fallback message instead
 * (settled with nothing charged or released). `variables` are the
 * recipient's own; the campaign's shared template variables sit under them.
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
    /** 0 goes before 1: single sends and fallbacks before bulk work. */
    priority: smallint("priority").notNull().default(1),
    /** The price of this message's own type: what delivery captures (never above the hold). */
    unitPrice: bigint("unit_price", { mode: "bigint" }).notNull(),
    priceHeld: bigint("price_held", { mode: "bigint" }).notNull(),
    priceCharged: bigint("price_charged", { mode: "bigint" }).notNull().default(sql`0`),
    priceReleased: bigint("price_released", { mode: "bigint" }).notNull().default(sql`0`),
    /** Sent with the vendor's own fallback: the vendor, not us, sends the SMS if Alimtalk fails. */
    nativeFallback: boolean("native_fallback").notNull().default(false),
    settledAt: timestamp("settled_at", { withTimezone: true }),
    runAt: timestamp("run_at", { withTimezone: true }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lockedBy: text("locked_by"),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    vendorAccountId: text("vendor_account_id"),
    vendorMessageId: text("vendor_message_id"),
    /** Why the message went through its vendor account (primary, or secondary and why). */
    routeReason: text("route_reason"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
    /**
     * When a sent message is next asked of its vendor (reconcile): null until
     * its first poll, which is due ALIMI_POLL_AFTER after `sent_at`; then set
     * with backoff after each poll that left it pending (domain/poll-schedule).
     */
    nextPollAt: timestamp("next_poll_at", { withTimezone: true }),
    /** Polls of the vendor so far that left the message without a final result. */
    polls: integer("polls").notNull().default(0),
  },
  (t) => [
    index("messages_campaign_idx").on(t.campaignId, t.status),
    // The dispatcher's lanes: per organization, priority first, then due time.
    index("messages_queue_idx").on(t.orgId, t.priority, t.runAt).where(sql`status = 'queued'`),
    // The express lane: single sends and fallbacks only, so that finding them
    // never walks past a bulk campaign's queue (and bulk inserts skip it).
    index("messages_express_idx")
      .on(t.orgId, t.runAt)
      .where(sql`status = 'queued' and priority = 0`),
    index("messages_lease_idx").on(t.lockedUntil).where(sql`status = 'sending'`),
    uniqueIndex("messages_vendor_key")
      .on(t.vendorAccountId, t.vendorMessageId)
      .where(sql`vendor_message_id is not null`),
    // At most one fallback per message, whoever tries to create it.
    uniqueIndex("messages_fallback_of_key").on(t.fallbackOf).where(sql`fallback_of is not null`),
    // The reconciler's: polls due, never polled (null, by sent_at) or due again
    // (by next_poll_at, which never passes the expiry, so expiry is a due poll).
    index("messages_poll_idx").on(t.nextPollAt, t.sentAt).where(sql`status = 'sent'`),
    index("messages_settle_idx")
      .on(t.id)
      .where(sql`settled_at is null and status in ('delivered', 'failed', 'canceled', 'expired')`),
    check(
      "messages_status_check",
      sql`${t.status} in ('accepted', 'queued', 'sending', 'sent', 'delivered', 'failed', 'canceled', 'expired')`,
    ),
    check("messages_type_check", sql`${t.type} in ('alimtalk', 'sms', 'lms', 'mms')`),
    check(
      "messages_price_check",
      sql`${t.priceHeld} >= 0 and ${t.priceCharged} >= 0 and ${t.priceReleased} >= 0 and ${t.priceCharged} + ${t.priceReleased} <= ${t.priceHeld}`,
    ),
  ],
);
