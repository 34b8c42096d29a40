// The closed vocabularies that the schema's check constraints, the API's
// enums and the code share. They live here, not in src/db/schema, so that
// nothing at run time loads drizzle-orm/pg-core (about 190 MB of resident
// memory) just to read a list: the schema files are for drizzle-kit and for
// types.

export const ORG_KINDS = ["platform", "headquarters", "distributor", "agency", "branch"] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/**
 * The kinds of child each kind may have (API-2.md): the platform has
 * headquarters; a headquarters distributors, agencies or branches; a
 * distributor agencies or branches; an agency branches; a branch none.
 */
export const CHILD_KINDS: Record<OrgKind, readonly OrgKind[]> = {
  platform: ["headquarters"],
  headquarters: ["distributor", "agency", "branch"],
  distributor: ["agency", "branch"],
  agency: ["branch"],
  branch: [],
};

export const ORG_STATUSES = ["active", "suspended"] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];

/** `own`: the organization spends its own wallet; `parent`: its nearest ancestor's that has one. */
export const WALLET_MODES = ["own", "parent"] as const;
export type WalletMode = (typeof WALLET_MODES)[number];

export const ROUTING_CHANNELS = ["alimtalk", "sms"] as const;
export type RoutingChannel = (typeof ROUTING_CHANNELS)[number];

export const FILE_MIMES = ["image/jpeg", "image/png", "image/gif"] as const;
export type FileMime = (typeof FILE_MIMES)[number];

export const CAMPAIGN_STATUSES = [
  // Being built from several requests (POST /v1/campaigns/{id}/recipients); nothing sends.
  "draft",
  // A draft given up: its messages deleted, their holds released.
  "discarded",
  "scheduled",
  "queued",
  "sending",
  "completed",
  "canceled",
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const USER_STATUSES = ["invited", "active", "disabled"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** The kinds of wallet movement (ledger_entries.kind). */
export const LEDGER_KINDS = [
  "grant",
  "purchase",
  "hold",
  "capture",
  "release",
  "refund",
  "adjustment",
  "transfer",
  "margin",
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * A template's review: written as a `draft`, sent for review (`requested`,
 * then `inspecting` while Kakao inspects it), then `approved` (sendable,
 * never edited again) or `rejected` (edited, and sent again).
 */
export const TEMPLATE_STATUSES = [
  "draft",
  "requested",
  "inspecting",
  "approved",
  "rejected",
] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

export const SCHEDULE_STATUSES = ["active", "inactive", "completed", "error"] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

/** `running` until its work is done (or its lease runs out and another scheduler finishes it). */
export const SCHEDULE_RUN_STATUSES = [
  "running",
  "success",
  "partial",
  "failed",
  "skipped",
] as const;
export type ScheduleRunStatus = (typeof SCHEDULE_RUN_STATUSES)[number];

/** `http`: Alimi POSTs signed posts to the customer's bot; `sandbox`: posts are recorded, never sent. */
export const BOT_GATEWAY_KINDS = ["http", "sandbox"] as const;
export type BotGatewayKind = (typeof BOT_GATEWAY_KINDS)[number];

/** A `test` room's posts are recorded like the sandbox's, never sent and never charged. */
export const ROOM_MODES = ["live", "test"] as const;
export type RoomMode = (typeof ROOM_MODES)[number];

/**
 * A room post: `reserved` with its rate-limit slot (and its hold) until it is
 * sent, then `posted` or `failed`; `rate_limited` when no slot was free within
 * its run's window, `skipped` when the room was gone at send time.
 */
export const ROOM_POST_STATUSES = [
  "reserved",
  "posted",
  "failed",
  "rate_limited",
  "skipped",
] as const;
export type RoomPostStatus = (typeof ROOM_POST_STATUSES)[number];
