import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { LEDGER_KINDS, type LedgerKind } from "../../domain/vocabulary.ts";
import { orgs } from "./orgs.ts";

/**
 * An organization's credit account. `available = balance - held` is derived.
 * The checks make an overdraft impossible even for a buggy statement.
 */
export const wallets = pgTable(
  "wallets",
  {
    orgId: text("org_id")
      .primaryKey()
      .references(() => orgs.id),
    balance: bigint("balance", { mode: "bigint" }).notNull().default(sql`0`),
    held: bigint("held", { mode: "bigint" }).notNull().default(sql`0`),
    lowBalanceThreshold: bigint("low_balance_threshold", { mode: "bigint" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("wallets_balance_check", sql`${t.balance} >= 0`),
    check("wallets_held_check", sql`${t.held} >= 0 and ${t.held} <= ${t.balance}`),
  ],
);

export { LEDGER_KINDS, type LedgerKind };

/**
 * Append-only movements. `balance_delta` sums to the wallet's balance and
 * `held_delta` to its held amount; `amount` is the magnitude shown to users.
 * The unique idempotency key is what makes every movement happen once.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: text("id").primaryKey(),
    /** The wallet that moved. */
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    /**
     * The organization the movement was for, when it is not the wallet's own:
     * one spending its parent's wallet, or an ancestor earning a margin into
     * the wallet it spends.
     */
    forOrgId: text("for_org_id").references(() => orgs.id),
    kind: text("kind").$type<LedgerKind>().notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    balanceDelta: bigint("balance_delta", { mode: "bigint" }).notNull(),
    heldDelta: bigint("held_delta", { mode: "bigint" }).notNull(),
    balanceAfter: bigint("balance_after", { mode: "bigint" }).notNull(),
    heldAfter: bigint("held_after", { mode: "bigint" }).notNull(),
    campaignId: text("campaign_id"),
    idempotencyKey: text("idempotency_key").notNull(),
    memo: text("memo"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ledger_entries_idempotency_key").on(t.idempotencyKey),
    index("ledger_entries_org_idx").on(t.orgId, t.id),
    index("ledger_entries_campaign_idx").on(t.campaignId),
    index("ledger_entries_for_org_idx").on(t.forOrgId, t.id).where(sql`for_org_id is not null`),
    check(
      "ledger_entries_kind_check",
      sql`${t.kind} in ('grant', 'purchase', 'hold', 'capture', 'release', 'refund', 'adjustment', 'transfer', 'margin')`,
    ),
    check("ledger_entries_amount_check", sql`${t.amount} >= 0`),
  ],
);

/**
 * What an ancestor earned on one settlement batch of one campaign sent below
 * it: the messages its child's subtree bought, what it sold them at, and the
 * margin (also a `margin` ledger entry when above 0). One row per ancestor,
 * campaign and batch, for the margin report.
 */
export const marginBookings = pgTable(
  "margin_bookings",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    childId: text("child_id")
      .notNull()
      .references(() => orgs.id),
    senderOrgId: text("sender_org_id")
      .notNull()
      .references(() => orgs.id),
    campaignId: text("campaign_id").notNull(),
    messages: integer("messages").notNull(),
    charged: bigint("charged", { mode: "bigint" }).notNull(),
    margin: bigint("margin", { mode: "bigint" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("margin_bookings_org_idx").on(t.orgId, t.createdAt),
    index("margin_bookings_campaign_idx").on(t.campaignId),
    check("margin_bookings_margin_check", sql`${t.margin} >= 0`),
  ],
);
