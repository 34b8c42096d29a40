import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { orgs } from "./orgs.ts";

/** A contact's attributes: what `#{key}` variables are filled with. */
export type ContactAttributes = Record<string, string | number | boolean>;

/**
 * A person an organization sends to: one per phone number (E.164) in an
 * organization. Consent is kept as when and from where it was given; a
 * consent withdrawn is null again.
 */
export const contacts = pgTable(
  "contacts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    phone: text("phone").notNull(),
    name: text("name"),
    attributes: jsonb("attributes").$type<ContactAttributes>().notNull().default({}),
    adConsentAt: timestamp("ad_consent_at", { withTimezone: true }),
    adConsentSource: text("ad_consent_source"),
    nightConsentAt: timestamp("night_consent_at", { withTimezone: true }),
    nightConsentSource: text("night_consent_source"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("contacts_org_phone_key").on(t.orgId, t.phone),
    index("contacts_org_idx").on(t.orgId, t.id),
  ],
);

/**
 * A named set of an organization's contacts. Each organization has one
 * system group, 미지정 ("unassigned"): the contacts in no other group.
 */
export const contactGroups = pgTable(
  "contact_groups",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    system: boolean("system").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("contact_groups_org_name_key").on(t.orgId, t.name),
    uniqueIndex("contact_groups_org_system_key").on(t.orgId).where(sql`system`),
  ],
);

/**
 * Who is in which group. Triggers (migration contacts_and_groups) keep every
 * contact in at least one group: a contact that leaves its last group goes
 * to its organization's 미지정, and one that joins another group leaves 미지정.
 */
export const groupMembers = pgTable(
  "group_members",
  {
    groupId: text("group_id")
      .notNull()
      .references(() => contactGroups.id, { onDelete: "cascade" }),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.contactId] }),
    index("group_members_contact_idx").on(t.contactId),
  ],
);

/**
 * Numbers that asked to receive nothing more from an organization:
 * advertising only, or anything at all.
 */
export const optOuts = pgTable(
  "opt_outs",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    phone: text("phone").notNull(),
    scope: text("scope").$type<"advertising" | "all">().notNull().default("advertising"),
    source: text("source"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.phone] }),
    check("opt_outs_scope_check", sql`${t.scope} in ('advertising', 'all')`),
  ],
);
