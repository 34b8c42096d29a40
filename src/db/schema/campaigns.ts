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
import type { StoredLevel } from "../../domain/pricing.ts";
import type { TemplateInfo } from "../../domain/send-plan.ts";
import type { TemplateButton } from "../../domain/template.ts";
import { CAMPAIGN_STATUSES, type CampaignStatus } from "../../domain/vocabulary.ts";
import { orgs } from "./orgs.ts";

export { CAMPAIGN_STATUSES, type CampaignStatus };

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
  /**
   * The template's id at the vendor account that reviewed it (SOLAPI's templateId): what an
   * Alimtalk sent through that account names instead of the code. Absent: the code is sent.
   */
  vendorTemplate?: { accountId: string; templateId: string } | null;
  /**
   * Tracked links (modules/links): the texts and buttons hold `{prefix}{placeholder}`
   * where a link was, filled in per message at dispatch with a code made with the
   * link's key and secret (by placeholder number). Absent: no link is tracked.
   */
  links?: CampaignContentLinks;
}

export interface CampaignContentLinks {
  /** `{ALIMI_LINK_BASE_URL}/r/` as it was at acceptance: the bytes the texts were counted with. */
  prefix: string;
  /** By placeholder number: the link's key and its code secret (base64url). */
  links: { key: string; secret: string }[];
}

export interface CampaignDraft {
  request: Record<string, unknown>;
  /** Recipients given in its parts so far, rejected ones too: where the next part's indexes start. */
  given: number;
  template: TemplateInfo | null;
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
    /**
     * The wallet its holds and charges move, fixed at acceptance: its own
     * organization's, or with wallet mode `parent` the nearest ancestor's.
     */
    walletOrgId: text("wallet_org_id")
      .notNull()
      .references(() => orgs.id),
    /**
     * Its organization's prices and those of each ancestor down to the
     * headquarters, sender first, frozen at acceptance: every part of a draft
     * is priced by it, and settlement books the ancestors' margins from it.
     */
    priceChain: jsonb("price_chain").$type<StoredLevel[]>(),
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
    /**
     * A draft's request without its recipients, and the template as it was when the draft
     * was made: every part of the draft is planned and priced against these.
     */
    draft: jsonb("draft").$type<CampaignDraft>(),
    /** A draft's launch; its messages are then moved to the queue in batches. */
    launchedAt: timestamp("launched_at", { withTimezone: true }),
    /** When the last of a launched draft's messages was queued. */
    releasedAt: timestamp("released_at", { withTimezone: true }),
    /** The releaser's place in a launched draft: messages are queued in id order. */
    releasedThrough: text("released_through"),
  },
  (t) => [
    index("campaigns_org_idx").on(t.orgId, t.id),
    index("campaigns_scheduled_idx").on(t.sendAt).where(sql`status = 'scheduled'`),
    // Launched drafts whose messages are still being queued (the releaser's work).
    index("campaigns_releasing_idx")
      .on(t.id)
      .where(sql`launched_at is not null and released_at is null`),
    check(
      "campaigns_status_check",
      sql`${t.status} in (${sql.raw(CAMPAIGN_STATUSES.map((s) => `'${s}'`).join(", "))})`,
    ),
  ],
);
