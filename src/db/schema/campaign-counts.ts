import { bigint, bigserial, index, pgTable, text } from "drizzle-orm/pg-core";

/**
 * A campaign's counts and money by message status, kept as deltas so that no
 * read counts a million messages and no write waits on a shared counter row.
 *
 * Rows are appended by statement-level triggers on `messages` (migration
 * 0014): every statement that inserts, changes or deletes messages adds, per
 * campaign and status it touched, what it added and took away. No statement
 * updates a row here, so concurrent transitions never contend. A campaign's
 * figures are the sum of its rows; the campaign upkeep loop folds many rows
 * of a campaign into one per status (one transaction: delete them, insert
 * their sums), which changes no sum, so every read is exact in its snapshot:
 * campaigns still running whose rows are among the newest, and every campaign
 * as it completes. Completion itself is decided from these sums.
 * `alimi doctor` compares the sums with a count of the messages.
 */
export const campaignCounts = pgTable(
  "campaign_counts",
  {
    /** Appended in order: the newest rows are where busy campaigns are found. */
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    /** The campaign's organization: rows co-locate with it when sharded by organization. */
    orgId: text("org_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    status: text("status").notNull(),
    messages: bigint("messages", { mode: "number" }).notNull(),
    /** Of them, fallbacks (fallback_of is not null). */
    fallbacks: bigint("fallbacks", { mode: "number" }).notNull(),
    inFlightAtCancel: bigint("in_flight_at_cancel", { mode: "number" }).notNull(),
    /** Of them, not settled yet (settled_at is null): a campaign completes when none is left. */
    unsettled: bigint("unsettled", { mode: "number" }).notNull(),
    /** price_held of the messages not settled yet. */
    held: bigint("held", { mode: "bigint" }).notNull(),
    charged: bigint("charged", { mode: "bigint" }).notNull(),
    released: bigint("released", { mode: "bigint" }).notNull(),
  },
  (t) => [index("campaign_counts_campaign_idx").on(t.campaignId)],
);
