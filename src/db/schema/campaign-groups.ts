import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { campaigns } from "./campaigns.ts";

/**
 * The contact groups a campaign was sent to (POST /v1/messages `groupIds`),
 * written with the campaign at acceptance, in the request's order. The name
 * is the group's as it was then: a group renamed or deleted later still
 * shows in its campaigns' results as it was sent. Each message of a group
 * member carries the group it came from (`messages.group_id`).
 */
export const campaignGroups = pgTable(
  "campaign_groups",
  {
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    /** No foreign key: a group deleted later keeps its place in the campaigns sent to it. */
    groupId: text("group_id").notNull(),
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    /** Its place among the request's groupIds (0 first): a member of several counts for the first. */
    position: integer("position").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.groupId] }),
    // GET /v1/campaigns?groupId=: a group's campaigns in id order (newest first backwards).
    index("campaign_groups_group_idx").on(t.orgId, t.groupId, t.campaignId),
  ],
);
