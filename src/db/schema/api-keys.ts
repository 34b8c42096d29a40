import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { orgs } from "./orgs.ts";

/** API keys are stored as a SHA-256 of the secret; the secret is shown once. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").array().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** Refused from this time on; null: no expiry. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** Addresses and CIDR ranges the key is accepted from; empty: anywhere. */
    allowedIps: text("allowed_ips").array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [
    uniqueIndex("api_keys_secret_hash_key").on(t.secretHash),
    index("api_keys_org_idx").on(t.orgId),
  ],
);
