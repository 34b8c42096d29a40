import { sql } from "drizzle-orm";
import { bigint, bigserial, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * An organization's sending figures per hour (UTC hour buckets) and message
 * type, kept as appended deltas like `campaign_counts`: statement triggers on
 * `messages` add what each statement sent, delivered, failed, charged and
 * refunded, the click recorder adds messages clicked for the first time, and
 * no writer ever updates a row, so concurrent transitions never contend. A
 * bucket's figures are the sum of its rows; an upkeep pass folds many rows of
 * a bucket into one (one transaction: delete them, insert their sums). Day
 * series in an organization's time zone are sums of its hours. Reads never
 * count messages.
 */
export const statsDeltas = pgTable(
  "stats_deltas",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    orgId: text("org_id").notNull(),
    /** The start of the UTC hour the events happened in. */
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    type: text("type").notNull(),
    /**
     * Messages accepted (created, out of a draft), by the hour they were
     * created in; `pending`: of them, those not final yet (accepted, queued,
     * sending or sent), so a message moves out of its creation hour's
     * pending when it becomes final. The other figures count by the hour of
     * the event itself.
     */
    accepted: bigint("accepted", { mode: "number" }).notNull().default(0),
    pending: bigint("pending", { mode: "number" }).notNull().default(0),
    /** Messages handed to a vendor (sent_at set). */
    sent: bigint("sent", { mode: "number" }).notNull().default(0),
    delivered: bigint("delivered", { mode: "number" }).notNull().default(0),
    /** Of them, messages that carried a tracked link: what a click rate is out of. */
    deliveredTracked: bigint("delivered_tracked", { mode: "number" }).notNull().default(0),
    failed: bigint("failed", { mode: "number" }).notNull().default(0),
    expired: bigint("expired", { mode: "number" }).notNull().default(0),
    /** Messages clicked for the first time. */
    clicked: bigint("clicked", { mode: "number" }).notNull().default(0),
    charged: bigint("charged", { mode: "bigint" }).notNull().default(sql`0`),
    refunded: bigint("refunded", { mode: "bigint" }).notNull().default(sql`0`),
  },
  (t) => [index("stats_deltas_org_hour_idx").on(t.orgId, t.hour)],
);
