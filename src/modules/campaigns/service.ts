import type { Db, Queryable } from "../../db/client.ts";
import type { MessageStatus } from "../../db/schema/messages.ts";
import { formatLocalTime } from "../../domain/iso-time.ts";
import { formatCredits } from "../../domain/money.ts";
import { AppError } from "../../lib/errors.ts";
import { releaseCanceled } from "../credits/index.ts";
import {
  type CampaignClicks,
  clicksView,
  findCampaignClicks,
  type LinkCounts,
  type MessageClicks,
  type MessageClicksView,
} from "../links/index.ts";
import { cancelPendingMessages } from "../messages/index.ts";
import { settleFinalMessages } from "../settlement/index.ts";
import {
  type CampaignRow,
  type CampaignTally,
  findCampaignInSubtree,
  lockCampaign,
  type MessageRow,
  markCampaignCanceled,
  tallyCampaign,
} from "./queries.ts";
import type { MessageContent } from "./results-content.ts";

export interface CampaignView {
  id: string;
  status: CampaignRow["status"];
  type: string;
  strategy: string;
  from: string | null;
  sendAt: string | null;
  /** sendAt in the organization's time zone, with its offset. */
  sendAtLocal: string | null;
  createdAt: string;
  /** createdAt in the organization's time zone, with its offset. */
  createdAtLocal: string;
  completedAt: string | null;
  canceledAt: string | null;
  counts: CampaignTally["counts"] & {
    /** Messages with at least one click on a tracked link. */
    clicked: number;
  };
  cost: { held: string; charged: string; refunded: string };
  metadata: Record<string, unknown> | null;
  /** Its tracked links with their clicks, in the order its content names them. */
  links: LinkCounts[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function campaignView(
  c: CampaignRow,
  tally: CampaignTally,
  clicks: CampaignClicks | undefined,
): CampaignView {
  return {
    id: c.id,
    status: c.status,
    type: c.type,
    strategy: c.strategy,
    from: c.fromNumber,
    sendAt: iso(c.sendAt),
    sendAtLocal: c.sendAt ? formatLocalTime(c.sendAt, c.timezone) : null,
    createdAt: c.createdAt.toISOString(),
    createdAtLocal: formatLocalTime(c.createdAt, c.timezone),
    completedAt: iso(c.completedAt),
    canceledAt: iso(c.canceledAt),
    counts: { ...tally.counts, clicked: clicks?.clicked ?? 0 },
    cost: {
      held: formatCredits(tally.held),
      charged: formatCredits(tally.charged),
      refunded: formatCredits(tally.refunded),
    },
    metadata: c.metadata,
    links: clicks?.links ?? [],
  };
}

export interface MessageView {
  id: string;
  campaignId: string;
  to: string;
  name: string | null;
  type: string;
  status: MessageStatus;
  fallbackOf: string | null;
  vendor: string | null;
  vendorAccountId: string | null;
  /** Why the message went through its vendor account. */
  route: string | null;
  attempts: number;
  price: {
    /** What this message holds now: 0 once settled, or once its hold moved to its fallback. */
    held: string;
    charged: string;
    released: string;
    /** The fallback message a failed Alimtalk handed its hold to. */
    heldBy: string | null;
    /**
     * Charged when the vendor accepted it, because it went through a vendor account its
     * organization (or an ancestor) controls; otherwise charged on delivery.
     */
    chargedOnAcceptance: boolean;
  };
  /** Its campaign was canceled while it was with the vendor or on its way: it kept its outcome. */
  inFlightAtCancel: boolean;
  error: { code: string; message: string } | null;
  createdAt: string;
  /** createdAt in the organization's time zone, with its offset. */
  createdAtLocal: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  /** Clicks on the tracked links it carried. */
  clicks: MessageClicksView;
  /** The contact group it was sent to as a member of; null: the request named its recipient. */
  groupId: string | null;
  /** What it said, rendered for it (results-content.ts); null when its campaign is not at hand. */
  content: MessageContent | null;
}

/**
 * `clicks`: the message's from the links module (findMessageClicks); undefined when it has none.
 * `content`: what it said, from renderContents.
 */
export function messageView(
  m: MessageRow,
  clicks: MessageClicks | undefined,
  content?: MessageContent,
): MessageView {
  return {
    id: m.id,
    campaignId: m.campaignId,
    to: m.recipient,
    name: m.name,
    type: m.type,
    status: m.status,
    fallbackOf: m.fallbackOf,
    vendor: m.vendor,
    vendorAccountId: m.vendorAccountId,
    route: m.routeReason,
    attempts: m.attempts,
    price: {
      held: formatCredits(m.settledAt === null ? m.priceHeld : 0n),
      charged: formatCredits(m.priceCharged),
      released: formatCredits(m.priceReleased),
      heldBy: holdMoved(m) ? m.fallbackId : null,
      chargedOnAcceptance: m.captureOnAccept,
    },
    inFlightAtCancel: m.inFlightAtCancel,
    error: m.errorCode ? { code: m.errorCode, message: m.errorMessage ?? "" } : null,
    createdAt: m.createdAt.toISOString(),
    createdAtLocal: formatLocalTime(m.createdAt, m.timezone),
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    failedAt: iso(m.failedAt),
    clicks: clicksView(clicks),
    groupId: m.groupId,
    content: content ?? null,
  };
}

/**
 * A failed Alimtalk hands its whole hold to its fallback when the fallback is
 * created (messages/transitions.ts markFailed): from then on the fallback
 * holds, then captures or releases, that amount, and the Alimtalk holds 0.
 * Not one charged on acceptance: it keeps (and captures) its own hold, and
 * its fallback holds a new one.
 */
function holdMoved(m: MessageRow): boolean {
  return m.fallbackId !== null && !m.captureOnAccept;
}

export async function getCampaign(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<CampaignView> {
  const campaign = await findCampaignInSubtree(q, id, scopePath);
  if (!campaign) throw new AppError("NOT_FOUND", "campaign not found");
  const clicks = await findCampaignClicks(q, { campaignIds: [id], scopePath });
  return campaignView(campaign, await tallyCampaign(q, id), clicks.get(id));
}

/**
 * Cancels a campaign: every message not yet handed to a vendor becomes
 * `canceled` and is settled, its hold released, in one transaction with one
 * ledger entry (releaseCanceled, once per campaign). Canceling again changes
 * nothing and succeeds; a completed campaign cannot be canceled.
 *
 * Messages with the vendor, or being handed to it, at that moment are counted
 * in `counts.inFlightAtCancel` (and marked `inFlightAtCancel`): the vendor's
 * answer decides them. Accepted, they keep their real outcome and are charged
 * or released by it; a retryable failure cancels them instead of retrying
 * (messages/transitions.ts), and the settler releases them.
 */
export async function cancelCampaign(
  db: Db,
  options: { id: string; scopePath: string; now: Date },
): Promise<CampaignView> {
  const { id, scopePath, now } = options;
  const visible = await findCampaignInSubtree(db, id, scopePath);
  if (!visible) throw new AppError("NOT_FOUND", "campaign not found");
  await db.tx(async (q) => {
    const campaign = await lockCampaign(q, id);
    if (!campaign || campaign.status === "canceled") return;
    if (campaign.status === "completed") {
      throw new AppError("CONFLICT", "the campaign is already completed");
    }
    if (campaign.status === "draft" || campaign.status === "discarded") {
      throw new AppError(
        "CONFLICT",
        `the campaign is ${campaign.status}: a draft that was not launched is discarded with DELETE /v1/campaigns/${id}`,
      );
    }
    await cancelPendingMessages(q, id);
    const [settled] = await settleFinalMessages(q, { now, canceledOf: id });
    if (settled) {
      await releaseCanceled(q, {
        walletOrgId: settled.walletOrgId,
        orgId: campaign.orgId,
        campaignId: id,
        amount: settled.released,
        messages: settled.messages,
      });
    }
    await markCampaignCanceled(q, id, now);
  });
  return getCampaign(db, id, scopePath);
}
