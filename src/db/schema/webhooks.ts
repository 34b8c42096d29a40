import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { WebhookDeliveryStatus, WebhookEndpointStatus } from "../../domain/webhook-events.ts";
import { orgs } from "./orgs.ts";

/**
 * A customer's webhook endpoint: the event types it gets (`events`, a JSON
 * array of types or `["*"]`) and its Standard Webhooks signing secret
 * (`whsec_…`, sealed with the SecretBox like vendor credentials; shown once,
 * when made or rotated). `disabled` endpoints get nothing: set by the
 * customer, or by Alimi when the endpoint answered 410 (`disabled_reason`).
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    url: text("url").notNull(),
    events: jsonb("events").$type<string[]>().notNull(),
    description: text("description"),
    secretEnc: text("secret_enc").notNull(),
    status: text("status").$type<WebhookEndpointStatus>().notNull().default("active"),
    disabledReason: text("disabled_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("webhook_endpoints_org_idx").on(t.orgId, t.id),
    // What every event write looks up: the active endpoints of an organization.
    index("webhook_endpoints_active_idx").on(t.orgId).where(sql`${t.status} = 'active'`),
    check("webhook_endpoints_status_check", sql`${t.status} in ('active', 'disabled')`),
    check("webhook_endpoints_events_check", sql`jsonb_typeof(${t.events}) = 'array'`),
  ],
);

/**
 * The outbox: one row per event, written in the same transaction as the
 * change it reports, and only when an active endpoint of the organization
 * subscribes to its type (its deliveries are written with it). `seq` orders
 * events (ids are random where SQL makes them); `payload` is the body's
 * `data`, and `created_at` its `timestamp`.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: text("id").primaryKey().default(sql`'evt_' || replace(gen_random_uuid()::text, '-', '')`),
    seq: bigint("seq", { mode: "bigint" }).generatedAlwaysAsIdentity().notNull(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    type: text("type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhook_events_org_idx").on(t.orgId, t.seq)],
);

/**
 * One event on its way to one endpoint. The worker claims due `pending`
 * rows (webhook_deliveries_due_idx) under a lease: the claim moves
 * `next_attempt_at` past the lease and stamps `claim`, and only the holder
 * of that claim records the outcome. A replay is a new row for the same event.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey().default(sql`'whd_' || replace(gen_random_uuid()::text, '-', '')`),
    seq: bigint("seq", { mode: "bigint" }).generatedAlwaysAsIdentity().notNull(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    status: text("status").$type<WebhookDeliveryStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    claim: text("claim"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.seq),
    index("webhook_deliveries_event_idx").on(t.eventId),
    check(
      "webhook_deliveries_status_check",
      sql`${t.status} in ('pending', 'delivered', 'failed')`,
    ),
  ],
);

/**
 * Wallets below their low-balance threshold, remembered so `credits.low` is
 * reported once per crossing: the row is made when the available balance
 * falls below the threshold (and the event written), removed when it is
 * back at or above it (re-armed). Kept by the wallets trigger.
 */
export const walletLowAlerts = pgTable("wallet_low_alerts", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id),
  crossedAt: timestamp("crossed_at", { withTimezone: true }).notNull().defaultNow(),
});
