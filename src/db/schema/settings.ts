import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Platform-wide settings and facts, by key (for example the demo organization's id). */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
