import { sql } from "drizzle-orm";
import { bigint, boolean, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/** A price list in micro-credits per message type. */
export const plans = pgTable(
  "plans",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    priceAlimtalk: bigint("price_alimtalk", { mode: "bigint" }).notNull(),
    priceSms: bigint("price_sms", { mode: "bigint" }).notNull(),
    priceLms: bigint("price_lms", { mode: "bigint" }).notNull(),
    priceMms: bigint("price_mms", { mode: "bigint" }).notNull(),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("plans_single_default_key").on(t.isDefault).where(sql`is_default`)],
);
