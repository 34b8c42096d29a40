import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { TemplateButton } from "../../domain/template.ts";
import { TEMPLATE_STATUSES, type TemplateStatus } from "../../domain/vocabulary.ts";
import { orgs } from "./orgs.ts";

export { TEMPLATE_STATUSES, type TemplateStatus };

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
    /**
     * The vendor account whose template API reviews it (SOLAPI, NHN); null
     * while the platform operator does, or before any review.
     */
    reviewAccountId: text("review_account_id"),
    /** The vendor's id for it: SOLAPI's templateId ("KA01TP…"), NHN's templateCode. */
    vendorTemplateId: text("vendor_template_id"),
    /** The KakaoTalk channel it was registered under: NHN's senderKey, SOLAPI's pfId. */
    vendorSenderKey: text("vendor_sender_key"),
    /** The vendor's own word for its state, as last read ("INSPECTING", "TSC03"). */
    vendorStatus: text("vendor_status"),
    requestedAt: timestamp("requested_at", { withTimezone: true }),
    /** When it was approved or rejected. */
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    /** When the vendor was last asked about it. */
    reviewCheckedAt: timestamp("review_checked_at", { withTimezone: true }),
    /** When the vendor is next asked (the review poller's queue). */
    reviewNextCheckAt: timestamp("review_next_check_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("templates_org_code_key").on(t.orgId, t.code),
    check(
      "templates_status_check",
      sql`${t.status} in ('draft', 'requested', 'inspecting', 'approved', 'rejected')`,
    ),
    // The review poller's queue across organizations: only templates a vendor is reviewing.
    index("templates_review_due_idx")
      .on(t.reviewNextCheckAt)
      .where(sql`${t.status} in ('requested', 'inspecting') and ${t.reviewAccountId} is not null`),
  ],
);
