import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { orgs } from "./orgs.ts";
import { templates } from "./templates.ts";

export type TemplateCommentSource = "operator" | "vendor";

/**
 * What reviewers said about a template: the platform operator's reason for a
 * rejection, or the comments a vendor's inspection carries (Kakao's
 * reviewers, and the customer's own inquiries there), kept once each.
 * Appended, never changed; they go with their template.
 */
export const templateComments = pgTable(
  "template_comments",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    templateId: text("template_id")
      .notNull()
      .references(() => templates.id, { onDelete: "cascade" }),
    source: text("source").$type<TemplateCommentSource>().notNull(),
    /** Who wrote it, as the vendor names them; null for the platform operator. */
    author: text("author"),
    body: text("body").notNull(),
    /** The vendor's word for the comment ("REJ", "APR", "INQ"), when it gives one. */
    vendorStatus: text("vendor_status"),
    /** The vendor's comment, identified: a comment read again is not kept twice. */
    vendorKey: text("vendor_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("template_comments_vendor_key").on(t.templateId, t.vendorKey),
    index("template_comments_template_idx").on(t.templateId, t.createdAt, t.id),
    check("template_comments_source_check", sql`${t.source} in ('operator', 'vendor')`),
  ],
);
