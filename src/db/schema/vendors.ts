import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { ROUTING_CHANNELS, type RoutingChannel } from "../../domain/vocabulary.ts";
import { orgs } from "./orgs.ts";

/**
 * Credentials and settings for one vendor, owned by an organization or by
 * the platform. Secrets are AES-256-GCM encrypted (lib/secret-box.ts).
 */
export const vendorAccounts = pgTable(
  "vendor_accounts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    vendor: text("vendor").notNull(),
    name: text("name").notNull(),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    credentialsEnc: text("credentials_enc").notNull(),
    webhookSecretEnc: text("webhook_secret_enc").notNull(),
    version: integer("version").notNull().default(1),
    status: text("status").notNull().default("active"),
    lastTestedAt: timestamp("last_tested_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("vendor_accounts_org_idx").on(t.orgId),
    check(
      "vendor_accounts_vendor_check",
      sql`${t.vendor} in ('sandbox', 'solapi', 'nhn', 'aligo')`,
    ),
  ],
);

export { ROUTING_CHANNELS, type RoutingChannel };

/**
 * Which vendor accounts an organization sends through, per channel (`sms`
 * covers LMS and MMS). An organization without a row for a channel inherits
 * its nearest ancestor's; the root falls back to the platform default.
 */
export const orgRouting = pgTable(
  "org_routing",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    channel: text("channel").$type<RoutingChannel>().notNull(),
    primaryAccountId: text("primary_account_id")
      .notNull()
      .references(() => vendorAccounts.id),
    secondaryAccountId: text("secondary_account_id").references(() => vendorAccounts.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.channel] }),
    index("org_routing_primary_idx").on(t.primaryAccountId),
    index("org_routing_secondary_idx").on(t.secondaryAccountId),
    check("org_routing_channel_check", sql`${t.channel} in ('alimtalk', 'sms')`),
    check(
      "org_routing_distinct_check",
      sql`${t.secondaryAccountId} is null or ${t.secondaryAccountId} <> ${t.primaryAccountId}`,
    ),
  ],
);
