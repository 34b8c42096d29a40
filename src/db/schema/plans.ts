import { sql } from "drizzle-orm";
import { bigint, boolean, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

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
    priceOwnAlimtalk: bigint("price_own_alimtalk", { mode: "bigint" }),
    priceOwnSms: bigint("price_own_sms", { mode: "bigint" }),
    priceOwnLms: bigint("price_own_lms", { mode: "bigint" }),
    priceOwnMms: bigint("price_own_mms", { mode: "bigint" }),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("plans_single_default_key").on(t.isDefault).where(sql`is_default`)],
);
