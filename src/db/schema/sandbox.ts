import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

// The built-in sandbox vendor's own memory, as a real vendor keeps it on its
// side: what it accepted and the reports it still owes, per customer account
// (the vendor account id it authenticated as). It lives in our database only
// because the sandbox is built in; nothing of Alimi reads these tables except
// the sandbox (vendors/sandbox/store-db.ts). It keeps no secrets: where an
// account's reports go, and their signing key, are the account's own
// (vendors/sandbox/accounts.ts).

/**
 * One message the sandbox has seen from one account, by our id (the
 * account's deduplication key): how many send requests carried it, and once
 * accepted its sandbox ids (random, unique across accounts) and what it will
 * report (`plan`: PlannedReport[] from behaviour.ts).
 */
export const sandboxMessages = pgTable(
  "sandbox_messages",
  {
    customId: text("custom_id").notNull(),
    accountId: text("account_id").notNull(),
    seen: integer("seen").notNull().default(0),
    vendorId: text("vendor_id"),
    fallbackVendorId: text("fallback_vendor_id"),
    type: text("type").notNull(),
    plan: jsonb("plan").$type<unknown[]>().notNull().default([]),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
  },
  (t) => [
    // Our id first: it is unique on its own in practice, and tests look it up alone.
    primaryKey({ columns: [t.customId, t.accountId] }),
    uniqueIndex("sandbox_messages_vendor_key").on(t.vendorId).where(sql`vendor_id is not null`),
    uniqueIndex("sandbox_messages_fallback_key")
      .on(t.fallbackVendorId)
      .where(sql`fallback_vendor_id is not null`),
  ],
);

/**
 * A report the sandbox owes an account: due at `due_at`, POSTed (in batches)
 * to the account's webhook until it answers 2xx, then deleted — or deleted
 * after the last of a bounded number of attempts (REPORT_MAX_ATTEMPTS), so
 * no row is retried for ever. `locked_until` is the lease of the deliverer
 * that took it (a crashed deliverer's reports are due again when it ends;
 * not indexed, so taking a report is a HOT update); a failed POST moves
 * `due_at` by the backoff of `attempts`.
 */
export const sandboxReports = pgTable(
  "sandbox_reports",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    accountId: text("account_id").notNull(),
    /** The WireReport as JSON text, exactly as it will be POSTed (never parsed here). */
    report: text("report").notNull(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
  },
  (t) => [index("sandbox_reports_due_idx").on(t.dueAt)],
);
