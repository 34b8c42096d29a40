import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import {
  ORG_KINDS,
  type OrgKind,
  type OrgStatus,
  type WalletMode,
} from "../../domain/vocabulary.ts";
import { plans } from "./plans.ts";

export { ORG_KINDS, type OrgKind };

/**
 * A tenant node. `path` is the chain of ids from the root, each followed by
 * "/" ("org_root/org_hq/"), so a subtree is `path LIKE '<ancestor path>%'`.
 */
export const orgs = pgTable(
  "orgs",
  {
    id: text("id").primaryKey(),
    parentId: text("parent_id").references((): AnyPgColumn => orgs.id),
    kind: text("kind").$type<OrgKind>().notNull(),
    name: text("name").notNull(),
    path: text("path").notNull(),
    depth: integer("depth").notNull(),
    timezone: text("timezone").notNull().default("Asia/Seoul"),
    /** A suspended organization's sends are refused (403 ORG_SUSPENDED). */
    status: text("status").$type<OrgStatus>().notNull().default("active"),
    /** Requests a second each of its keys and users may make; null: ALIMI_RATE_LIMIT. */
    rateLimit: integer("rate_limit"),
    /** Whose wallet it spends: its own, or its nearest ancestor's with `own` (the platform always has its own). */
    walletMode: text("wallet_mode").$type<WalletMode>().notNull().default("own"),
    /**
     * The markup its parent sets on the parent's own prices, in hundredths of
     * a percent (0–1000 %). Only below a headquarters: a headquarters is
     * priced by its plan.
     */
    markupBp: integer("markup_bp").notNull().default(0),
    /** A headquarters' plan prices its subtree; its descendants carry the same plan. */
    planId: text("plan_id")
      .notNull()
      .references(() => plans.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("orgs_path_key").on(t.path.op("text_pattern_ops")),
    index("orgs_parent_idx").on(t.parentId),
    uniqueIndex("orgs_single_platform_key").on(t.kind).where(sql`kind = 'platform'`),
    check(
      "orgs_kind_check",
      sql`${t.kind} in ('platform', 'headquarters', 'distributor', 'agency', 'branch')`,
    ),
    check("orgs_status_check", sql`${t.status} in ('active', 'suspended')`),
    check(
      "orgs_rate_limit_check",
      sql`${t.rateLimit} is null or ${t.rateLimit} between 1 and 100000`,
    ),
    check("orgs_wallet_mode_check", sql`${t.walletMode} in ('own', 'parent')`),
    check("orgs_platform_wallet_check", sql`${t.kind} <> 'platform' or ${t.walletMode} = 'own'`),
    check("orgs_markup_check", sql`${t.markupBp} between 0 and 100000`),
    check("orgs_root_check", sql`(${t.parentId} is null) = (${t.kind} = 'platform')`),
  ],
);
