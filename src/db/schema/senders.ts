import { sql } from "drizzle-orm";
import { boolean, check, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { orgs } from "./orgs.ts";

/** Registered caller numbers (발신번호), national digits ("0212345678"). */
export const senders = pgTable(
  "senders",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    number: text("number").notNull(),
    status: text("status").$type<"pending" | "verified">().notNull(),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("senders_org_number_key").on(t.orgId, t.number),
    uniqueIndex("senders_single_default_key").on(t.orgId).where(sql`is_default`),
    check("senders_status_check", sql`${t.status} in ('pending', 'verified')`),
    check("senders_default_verified_check", sql`not ${t.isDefault} or ${t.status} = 'verified'`),
  ],
);

/**
 * An organization's KakaoTalk channels (the sender profile Alimtalk goes out
 * under): NHN and Aligo call its id a sender key, SOLAPI a pfId. A branch
 * without its own uses its nearest ancestor's default channel.
 *
 * A sender key or pfId belongs to one organization on the whole platform,
 * and a channel is usable only once verified (by the platform operator, as
 * caller numbers are): otherwise anyone could register another's key and
 * send under it through a shared vendor account.
 */
export const kakaoChannels = pgTable(
  "kakao_channels",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    senderKey: text("sender_key"),
    pfId: text("pf_id"),
    status: text("status").$type<"pending" | "verified">().notNull().default("pending"),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("kakao_channels_single_default_key").on(t.orgId).where(sql`is_default`),
    uniqueIndex("kakao_channels_sender_key_key").on(t.senderKey),
    uniqueIndex("kakao_channels_pf_id_key").on(t.pfId),
    check("kakao_channels_id_check", sql`${t.senderKey} is not null or ${t.pfId} is not null`),
    check("kakao_channels_status_check", sql`${t.status} in ('pending', 'verified')`),
    check(
      "kakao_channels_default_verified_check",
      sql`not ${t.isDefault} or ${t.status} = 'verified'`,
    ),
  ],
);
