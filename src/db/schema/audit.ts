import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Who changed what, when. Never secret values: for credentials the entry
 * says that they changed, not what they are.
 */
export const auditEntries = pgTable(
  "audit_entries",
  {
    id: text("id").primaryKey(),
    /** The organization whose data changed (scopes who may read the entry). */
    orgId: text("org_id").notNull(),
    /** The caller's own organization: with X-Alimi-Org, not the one it acted for. */
    actorOrgId: text("actor_org_id").notNull(),
    actorKeyId: text("actor_key_id"),
    /** The signed-in user, when a user (not an API key) made the change. */
    actorUserId: text("actor_user_id"),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_entries_org_idx").on(t.orgId, t.id),
    index("audit_entries_target_idx").on(t.targetId, t.id),
  ],
);
