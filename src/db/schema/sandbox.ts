import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

// The built-in sandbox vendor's own memory, as a real vendor keeps it on its
// side: what it accepted and the reports it still owes. It lives in our
// database only because the sandbox is built in; nothing of Alimi reads these
// tables except the sandbox (vendors/sandbox/store-db.ts).

/**
 * One message the sandbox has seen, by our id (its deduplication key): how
 * many send requests carried it, and once accepted its sandbox ids and what
 * it will report (`plan`: PlannedReport[] from behaviour.ts).
 */
export const sandboxMessages = pgTable(
  "sandbox_messages",
  {
    customId: text("custom_id").primaryKey(),
    seen: integer("seen").notNull().default(0),
    vendorId: text("vendor_id"),
    fallbackVendorId: text("fallback_vendor_id"),
    type: text("type").notNull(),
    plan: jsonb("plan").$type<unknown[]>().notNull().default([]),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("sandbox_messages_vendor_key").on(t.vendorId).where(sql`vendor_id is not null`),
    uniqueIndex("sandbox_messages_fallback_key")
      .on(t.fallbackVendorId)
      .where(sql`fallback_vendor_id is not null`),
  ],
);

/** Where reports go: a webhook URL and the key they are signed with (sealed). */
export const sandboxWebhooks = pgTable("sandbox_webhooks", {
  /** sha256 of URL and secret: the same target always has the same id. */
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  secretSealed: text("secret_sealed").notNull(),
});

/**
 * A report the sandbox owes: due at `due_at`, POSTed (in batches) until the
 * webhook answers 2xx, then deleted. `locked_until` is the lease of the
 * deliverer that took it (a crashed deliverer's reports are due again when it
 * ends; not indexed, so taking a report is a HOT update); a failed POST moves
 * `due_at` by the backoff of `attempts`.
 */
export const sandboxReports = pgTable(
  "sandbox_reports",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    webhookId: text("webhook_id").notNull(),
    /** The WireReport as JSON text, exactly as it will be POSTed (never parsed here). */
    report: text("report").notNull(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
  },
  (t) => [index("sandbox_reports_due_idx").on(t.dueAt)],
);
