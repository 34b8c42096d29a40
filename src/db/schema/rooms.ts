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
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { BotGatewayKind, RoomMode, RoomPostStatus } from "../../domain/vocabulary.ts";
import { orgs } from "./orgs.ts";

/**
 * A customer's bot gateway: KakaoTalk has no public API for posting into
 * chat rooms, so Alimi POSTs each post to the customer's bot (`http`, signed
 * with Standard Webhooks headers under `secret_enc`, sealed like vendor
 * credentials) or records it (`sandbox`). Removed gateways keep their row
 * (`deleted_at`): the posts made through them still name them.
 */
export const botGateways = pgTable(
  "bot_gateways",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    kind: text("kind").$type<BotGatewayKind>().notNull(),
    url: text("url"),
    /** The signing secret (`whsec_…`), sealed with the SecretBox. */
    secretEnc: text("secret_enc"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    index("bot_gateways_org_idx").on(t.orgId, t.id).where(sql`${t.deletedAt} is null`),
    check("bot_gateways_kind_check", sql`${t.kind} in ('http', 'sandbox')`),
    check(
      "bot_gateways_http_check",
      sql`(${t.kind} = 'http') = (${t.url} is not null and ${t.secretEnc} is not null)`,
    ),
  ],
);

/**
 * A chat room reachable through a gateway of its organization or of an
 * ancestor. A deleted room keeps its row (`deleted_at`) for its posts'
 * history and gets nothing more; its organization can change (a move), and a
 * schedule of the old one then gets nothing either. `last_slot_at` and the
 * day's count are derived from room_posts under this row's lock.
 */
export const rooms = pgTable(
  "rooms",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    gatewayId: text("gateway_id")
      .notNull()
      .references(() => botGateways.id),
    name: text("name").notNull(),
    /** The room as the gateway knows it. */
    externalId: text("external_id").notNull(),
    mode: text("mode").$type<RoomMode>().notNull().default("live"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    index("rooms_org_idx").on(t.orgId, t.id).where(sql`${t.deletedAt} is null`),
    // One room per chat on a gateway: two would post everything twice.
    uniqueIndex("rooms_gateway_external_key")
      .on(t.gatewayId, t.externalId)
      .where(sql`${t.deletedAt} is null`),
    check("rooms_mode_check", sql`${t.mode} in ('live', 'test')`),
  ],
);

/**
 * One post of a schedule run to one room. The unique (run_id, room_id, seq)
 * is what makes a rerun of a run after a crash post nothing twice: the row
 * is reserved (with its rate-limit slot and its hold) before the gateway is
 * called, and a rerun finds it. The sandbox gateway and test rooms record
 * their posts here and nowhere else.
 */
export const roomPosts = pgTable(
  "room_posts",
  {
    id: text("id").primaryKey(),
    /** The schedule's organization, which owned the room when the post was reserved. */
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    runId: text("run_id").notNull(),
    roomId: text("room_id")
      .notNull()
      .references(() => rooms.id),
    gatewayId: text("gateway_id").notNull(),
    seq: integer("seq").notNull(),
    kind: text("kind").$type<"text" | "image">().notNull(),
    fileId: text("file_id"),
    status: text("status").$type<RoomPostStatus>().notNull(),
    /** The rate-limit slot it took; null when it took none (refused before a slot was given). */
    slotAt: timestamp("slot_at", { withTimezone: true }),
    postedAt: timestamp("posted_at", { withTimezone: true }),
    /** A test room's post: recorded, not sent, not charged. */
    test: boolean("test").notNull().default(false),
    /** The wallet its hold is on. */
    walletOrgId: text("wallet_org_id"),
    priceHeld: bigint("price_held", { mode: "bigint" }).notNull().default(sql`0`),
    priceCharged: bigint("price_charged", { mode: "bigint" }).notNull().default(sql`0`),
    /** The price chain it was held at, sender first, for the ancestors' margins. */
    priceChain: jsonb("price_chain"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    /** The gateway's answer (status and body), as the run log shows it. */
    response: jsonb("response"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("room_posts_run_room_seq_key").on(t.runId, t.roomId, t.seq),
    // The limits: a room's last slot and its slots in a day.
    index("room_posts_room_slot_idx").on(t.roomId, t.slotAt).where(sql`${t.slotAt} is not null`),
    index("room_posts_room_idx").on(t.roomId, t.id),
    check(
      "room_posts_status_check",
      sql`${t.status} in ('reserved', 'posted', 'failed', 'rate_limited', 'skipped')`,
    ),
    check("room_posts_kind_check", sql`${t.kind} in ('text', 'image')`),
    check(
      "room_posts_money_check",
      sql`${t.priceHeld} >= 0 and ${t.priceCharged} >= 0 and ${t.priceCharged} <= ${t.priceHeld}`,
    ),
  ],
);

/**
 * An organization's own room limits, stricter than the platform's (one post
 * per 30 s and 50 a day per room), never looser: they apply to its rooms and
 * its descendants' (the strictest on the way up wins).
 */
export const roomLimits = pgTable(
  "room_limits",
  {
    orgId: text("org_id")
      .primaryKey()
      .references(() => orgs.id),
    minIntervalSeconds: integer("min_interval_seconds").notNull(),
    dailyLimit: integer("daily_limit").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("room_limits_interval_check", sql`${t.minIntervalSeconds} between 30 and 86400`),
    check("room_limits_daily_check", sql`${t.dailyLimit} between 1 and 50`),
  ],
);
