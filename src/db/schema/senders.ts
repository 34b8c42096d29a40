import { sql } from "drizzle-orm";
import { boolean, check, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { orgs } from "./orgs.ts";

/** Registered caller numbers (발신번호), national digits ("0212345678"). */
export const senders = pgTable(
  "senders",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    number: text("number").notNull(),
    status: text("status").$type<"pending" | "verified">().notNull(),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("senders_org_number_key").on(t.orgId, t.number),
    uniqueIndex("senders_single_default_key").on(t.orgId).where(sql`is_default`),
    check("senders_status_check", sql`${t.status} in ('pending', 'verified')`),
    check("senders_default_verified_check", sql`not ${t.isDefault} or ${t.status} = 'verified'`),
  ],
);
