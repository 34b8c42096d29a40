import { sql } from "drizzle-orm";
import { bigint, boolean, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export interface PlanPurchase {
  /** Credits one KRW buys, a decimal string ("1", "0.1"). */
  creditsPerKrw: string;
  /** Extra credits from a payment of at least minKrw, the highest tier that applies. */
  bonusTiers: { minKrw: number; bonusPercent: number }[];
}

/**
 * A price list in micro-credits per message type. The `price_own_*` prices
 * are for messages sent through a vendor account the organization controls
 * (its own or an ancestor's, not the platform's): those are charged when the
 * vendor accepts them, and may be priced apart (a platform fee rather than
 * the carriage). Null: the same as the platform's price for that type.
 */
export const plans = pgTable(
  "plans",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    priceAlimtalk: bigint("price_alimtalk", { mode: "bigint" }).notNull(),
    priceSms: bigint("price_sms", { mode: "bigint" }).notNull(),
    priceLms: bigint("price_lms", { mode: "bigint" }).notNull(),
    priceMms: bigint("price_mms", { mode: "bigint" }).notNull(),
    /** A post to a chat room through a bot gateway. */
    priceBot: bigint("price_bot", { mode: "bigint" }).notNull().default(sql`10000000`),
    priceOwnAlimtalk: bigint("price_own_alimtalk", { mode: "bigint" }),
    priceOwnSms: bigint("price_own_sms", { mode: "bigint" }),
    priceOwnLms: bigint("price_own_lms", { mode: "bigint" }),
    priceOwnMms: bigint("price_own_mms", { mode: "bigint" }),
    /** How credits are bought with Toss Payments: credits per KRW and bonus tiers. */
    purchase: jsonb("purchase")
      .$type<PlanPurchase>()
      .notNull()
      .default(sql`'{"creditsPerKrw": "1", "bonusTiers": []}'::jsonb`),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("plans_single_default_key").on(t.isDefault).where(sql`is_default`)],
);
