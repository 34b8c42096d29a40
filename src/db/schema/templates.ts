import { sql } from "drizzle-orm";
import { check, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { TemplateButton } from "../../domain/template.ts";
import { orgs } from "./orgs.ts";

export type TemplateStatus = "requested" | "inspecting" | "approved" | "rejected";

/** Alimtalk templates: a body with #{var} placeholders, buttons and a fallback. */
export const templates = pgTable(
  "templates",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    code: text("code").notNull(),
    body: text("body").notNull(),
    buttons: jsonb("buttons").$type<TemplateButton[]>().notNull().default([]),
    variables: text("variables").array().notNull(),
    fallbackText: text("fallback_text"),
    fallbackSubject: text("fallback_subject"),
    status: text("status").$type<TemplateStatus>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("templates_org_code_key").on(t.orgId, t.code),
    check(
      "templates_status_check",
      sql`${t.status} in ('requested', 'inspecting', 'approved', 'rejected')`,
    ),
  ],
);
