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

import {
  FINAL_STATUSES,
  MESSAGE_STATUSES,
  type MessageStatus,
  sqlList,
} from "../../domain/message-status.ts";

export { MESSAGE_STATUSES, type MessageStatus };

// Partial-index predicates, built from the domain's statuses (a misspelt
// status does not compile, and sqlList refuses anything else).
const statusIs = (status: MessageStatus) => sql.raw(`status = ${sqlList([status])}`);
const isQueued = statusIs("queued");
const isSending = statusIs("sending");
const isSent = statusIs("sent");
// Settlement's work: final messages, and messages captured when the vendor
// accepted them (sent through an account their organization controls).
const isUnsettled = sql.raw(
  `settled_at is null and (status in (${sqlList(FINAL_STATUSES)}) or (status = 'sent' and capture_on_accept))`,
);

/**
 * One recipient of one campaign on one channel. Messages are also the work
 * queue (status, run_at, attempts, lease). `price_held` is the hold this
 * message carries (what acceptance held for it, or for a fallback what its
 * Alimtalk message handed over; a failed Alimtalk message that handed its
 * hold to its fallback keeps 0); `settled_at` is set exactly once, by
 * settlement, when the hold is captured (`price_charged`) or released
 * (`price_released`): when the message is final, or — sent through a vendor
 * account its organization controls (`capture_on_accept`) — as soon as the
 * vendor has accepted it. `variables` are the
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
    /**
     * The contact group the recipient was sent to as a member of: the first of
     * the request's groupIds it is in. Null for a recipient the request gave
     * itself (it wins over its membership). A fallback keeps its original's.
     */
    groupId: text("group_id"),
    variables: jsonb("variables").$type<Record<string, string>>(),
    type: text("type").notNull(),
    fallbackType: text("fallback_type"),
    fallbackOf: text("fallback_of"),
    status: text("status").$type<MessageStatus>().notNull(),
    /** 0 goes before 1: single sends and fallbacks before bulk work. */
    priority: smallint("priority").notNull().default(1),
    /** The price of this message's own type: what delivery captures (never above the hold). */
    unitPrice: bigint("unit_price", { mode: "bigint" }).notNull(),
    /**
     * The price of this message's own type when it goes through a vendor account its
     * organization controls (the plan's own-account prices); null: the same as unit_price.
     */
    unitPriceOwn: bigint("unit_price_own", { mode: "bigint" }),
    priceHeld: bigint("price_held", { mode: "bigint" }).notNull(),
    priceCharged: bigint("price_charged", { mode: "bigint" }).notNull().default(sql`0`),
    priceReleased: bigint("price_released", { mode: "bigint" }).notNull().default(sql`0`),
    /** Sent with the vendor's own fallback: the vendor, not us, sends the SMS if Alimtalk fails. */
    nativeFallback: boolean("native_fallback").notNull().default(false),
    /**
     * Sent through a vendor account that the platform does not own (the organization's own,
     * or an ancestor's): whoever holds that account also holds its delivery reports, so the
     * message is captured at `unit_price_own` when the vendor accepts it, and no later report
     * releases it. Written with the vendor's acceptance (markSent), or at creation for a
     * fallback the vendor sends itself through such an account.
     */
    captureOnAccept: boolean("capture_on_accept").notNull().default(false),
    /** The campaign was canceled while this message was with the vendor or on its way there. */
    inFlightAtCancel: boolean("in_flight_at_cancel").notNull().default(false),
    settledAt: timestamp("settled_at", { withTimezone: true }),
    runAt: timestamp("run_at", { withTimezone: true }).notNull(),
    /** Vendor calls made for this message (claims that called no vendor do not count). */
    attempts: integer("attempts").notNull().default(0),
    /** Claims in a row that found no vendor account to send through; too many fail it NO_ROUTE. */
    routeMisses: integer("route_misses").notNull().default(0),
    /** The claim holding the message: a fresh token per claim, compared by every completion. */
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
    // A campaign's messages in id order: its pages, and the releaser's pass over a
    // launched draft. Not by status: that would put a page of a small campaign
    // behind a sort, and every transition already rewrites each index.
    index("messages_campaign_idx").on(t.campaignId, t.id),
    // A number's messages across its organization's campaigns, newest first
    // (GET /v1/messages?to=, messages/search-queries.ts): one range of this
    // index per number, the cursor a bound in it, led by the organization as
    // every hot index is. Its price: no move of a message is a HOT update, so
    // each move writes an entry here too (5 per message; the figures are with
    // the query).
    index("messages_recipient_idx").on(t.orgId, t.recipient, t.id),
    // The dispatcher's lanes: per organization, priority first, then due time.
    index("messages_queue_idx").on(t.orgId, t.priority, t.runAt).where(isQueued),
    // The express lane: single sends and fallbacks only, so that finding them
    // never walks past a bulk campaign's queue (and bulk inserts skip it).
    index("messages_express_idx").on(t.orgId, t.runAt).where(sql`${isQueued} and priority = 0`),
    index("messages_lease_idx").on(t.lockedUntil).where(isSending),
    uniqueIndex("messages_vendor_key")
      .on(t.vendorAccountId, t.vendorMessageId)
      .where(sql`vendor_message_id is not null`),
    // At most one fallback per message, whoever tries to create it.
    uniqueIndex("messages_fallback_of_key").on(t.fallbackOf).where(sql`fallback_of is not null`),
    // The reconciler's: polls due, never polled (null, by sent_at) or due again
    // (by next_poll_at, which never passes the expiry, so expiry is a due poll).
    index("messages_poll_idx").on(t.nextPollAt, t.sentAt).where(isSent),
    // The settler's skip scan over organizations, then each one's oldest.
    index("messages_settle_idx").on(t.orgId, t.id).where(isUnsettled),
    check("messages_status_check", sql`${t.status} in (${sql.raw(sqlList(MESSAGE_STATUSES))})`),
    check("messages_type_check", sql`${t.type} in ('alimtalk', 'sms', 'lms', 'mms')`),
    check(
      "messages_price_check",
      sql`${t.priceHeld} >= 0 and ${t.priceCharged} >= 0 and ${t.priceReleased} >= 0 and ${t.priceCharged} + ${t.priceReleased} <= ${t.priceHeld}`,
    ),
  ],
);
