import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { orgs } from "./orgs.ts";

export const CAMPAIGN_STATUSES = [
  "scheduled",
  "queued",
  "sending",
  "completed",
  "canceled",
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** What was asked for, frozen at acceptance (templates may change later). */
export interface CampaignContent {
  template: {
    code: string;
    body: string;
    buttons: unknown[];
    fallbackText: string | null;
    fallbackSubject: string | null;
    variables: Record<string, string>;
  } | null;
  text: string | null;
  subject: string | null;
  fallback: { text: string | null; subject: string | null } | null;
}

/** One send request. A single API send is a campaign of one. */
export const campaigns = pgTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    status: text("status").$type<CampaignStatus>().notNull(),
    type: text("type").notNull(),
    strategy: text("strategy").notNull(),
    fromNumber: text("from_number"),
    content: jsonb("content").$type<CampaignContent>().notNull(),
    advertising: boolean("advertising").notNull().default(false),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    sendAt: timestamp("send_at", { withTimezone: true }),
    totalCount: integer("total_count").notNull(),
    heldTotal: bigint("held_total", { mode: "bigint" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    canceledAt: timestamp("canceled_at", { withTimezone: true }),
  },
  (t) => [
    index("campaigns_org_idx").on(t.orgId, t.id),
    index("campaigns_scheduled_idx").on(t.sendAt).where(sql`status = 'scheduled'`),
    check(
      "campaigns_status_check",
      sql`${t.status} in ('scheduled', 'queued', 'sending', 'completed', 'canceled')`,
    ),
  ],
);
