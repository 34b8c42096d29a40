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
import type { TemplateButton } from "../../domain/template.ts";
import { orgs } from "./orgs.ts";

export const CAMPAIGN_STATUSES = [
  "scheduled",
  "queued",
  "sending",
  "completed",
  "canceled",
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * What to send, resolved and frozen at acceptance (templates may change
 * later): the texts keep their #{var} placeholders and are rendered per
 * message at dispatch with the shared variables under each message's own.
 */
export interface CampaignContent {
  templateCode: string | null;
  /** The Alimtalk body, when an Alimtalk path is possible. */
  alimtalk: string | null;
  buttons: TemplateButton[];
  /** The SMS/LMS/MMS text, or the Alimtalk fallback text. */
  text: string | null;
  subject: string | null;
  /** MMS images ("fil_…"), in order; absent on campaigns from before images. */
  imageIds?: string[];
  variables: Record<string, string>;
  /** The KakaoTalk channel Alimtalk goes out under; null: the vendor account's own. */
  kakaoChannel?: { id: string; senderKey: string | null; pfId: string | null } | null;
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
