import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { campaigns } from "./campaigns.ts";
import { orgs } from "./orgs.ts";

/**
 * A distinct tracked link of a campaign, written with the campaign. Its
 * `key` starts every code of the link (domain/link-codes.ts); the code's
 * MAC is keyed by a secret derived from the key and the server's signing
 * key, so the row holds no secret. There is no row per message: a message's
 * code is derived from the key, its recipient's index and its type.
 */
export const campaignLinks = pgTable(
  "campaign_links",
  {
    key: text("key").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    /** Its number in the campaign: the order in which the content first names it. */
    idx: smallint("idx").notNull(),
    url: text("url").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("campaign_links_campaign_idx").on(t.campaignId, t.idx)],
);

/**
 * Clicks of one link by one recipient of its campaign (whichever of the
 * recipient's messages carried it): a link's unique clicks are its rows, its
 * clicks their totals. Written only by the click recorder's flush, an upsert
 * that adds to `total`; no foreign keys, since that flush joins every row to
 * its link already.
 */
export const linkClicks = pgTable(
  "link_clicks",
  {
    linkKey: text("link_key").notNull(),
    recipientIndex: integer("recipient_index").notNull(),
    orgId: text("org_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    total: bigint("total", { mode: "number" }).notNull(),
    firstAt: timestamp("first_at", { withTimezone: true }).notNull(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.linkKey, t.recipientIndex] }),
    check("link_clicks_total_check", sql`${t.total} > 0`),
  ],
);

/**
 * Clicks on the links one message carried, all its links together. A
 * message is named by its campaign, its recipient's index and its type: a
 * recipient has at most one message of each type in a campaign (an Alimtalk,
 * and the SMS/LMS it fell back to), and a link's code carries the type of
 * the message it was sent in, so a click is the message's that carried it,
 * known without reading messages, even before a vendor's own fallback is
 * reported. The row's insertion is the message's first click: the same
 * statement appends it to stats_deltas (`clicked`), once per message.
 */
export const messageClicks = pgTable(
  "message_clicks",
  {
    campaignId: text("campaign_id").notNull(),
    recipientIndex: integer("recipient_index").notNull(),
    type: text("type").notNull(),
    orgId: text("org_id").notNull(),
    total: bigint("total", { mode: "number" }).notNull(),
    firstAt: timestamp("first_at", { withTimezone: true }).notNull(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.recipientIndex, t.type] }),
    // The flush tells a message's first click by its total equalling what it added.
    check("message_clicks_total_check", sql`${t.total} > 0`),
  ],
);
