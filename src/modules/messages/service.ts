import type { Db } from "../../db/client.ts";
import type { MessageType } from "../../domain/message-content.ts";
import { formatCredits } from "../../domain/money.ts";
import type { PlannedMessage } from "../../domain/send-plan.ts";
import { newId } from "../../lib/ids.ts";
import { recordCampaignGroups } from "../campaigns/index.ts";
import { findWallet, holdForCampaign } from "../credits/index.ts";
import { type CreatedResponse, type Idempotency, runIdempotent } from "../idempotency/index.ts";
import { type LinkTracking, prepareLinks, storeLinks } from "../links/index.ts";
import {
  contentOf,
  insufficient,
  planForOrg,
  type RejectionView,
  rejectionView,
  type SendRequest,
} from "./planning.ts";
import { copyMessages, insertCampaign } from "./queries.ts";

export type { SendRequest };

export interface SendResponse {
  campaignId: string;
  status: "queued" | "scheduled";
  accepted: number;
  rejected: RejectionView[];
  /** Advertising that waits for 08:00 in the organization's time zone. */
  deferred: { index: number; to: string }[];
  deferredUntil: string | null;
  cost: { held: string };
}

type ByTypeView = Record<MessageType, string>;

export interface EstimateResponse {
  accepted: number;
  rejected: RejectionView[];
  deferred: { index: number; to: string }[];
  deferredUntil: string | null;
  cost: {
    held: string;
    byType: ByTypeView;
    worstCase: { total: string; byType: ByTypeView };
    expected: { total: string; byType: ByTypeView };
  };
  available: string;
}

/** Prices a request without storing anything (its links counted as they would be sent). */
export async function estimateSend(
  db: Db,
  options: { orgId: string; input: SendRequest; now: Date; links?: LinkTracking | null },
): Promise<EstimateResponse> {
  const { plan, walletOrgId, deferred } = await planForOrg(
    db,
    options.orgId,
    options.input,
    options.now,
    undefined,
    options.links?.prefix() ?? null,
  );
  const wallet = await findWallet(db, walletOrgId);
  const { cost } = plan;
  const worstCase = byTypeView(cost.byType);
  return {
    accepted: plan.messages.length,
    rejected: plan.rejected.map(rejectionView),
    ...deferredView(plan.messages, deferred),
    cost: {
      held: formatCredits(cost.held),
      byType: worstCase,
      worstCase: { total: formatCredits(cost.held), byType: worstCase },
      expected: {
        total: formatCredits(cost.expected.total),
        byType: byTypeView(cost.expected.byType),
      },
    },
    available: formatCredits(wallet ? wallet.balance - wallet.held : 0n),
  };
}

function byTypeView(byType: Record<MessageType, bigint>): ByTypeView {
  return {
    alimtalk: formatCredits(byType.alimtalk),
    sms: formatCredits(byType.sms),
    lms: formatCredits(byType.lms),
    mms: formatCredits(byType.mms),
  };
}

/**
 * Accepts a send: the campaign, all its messages and the credit hold are
 * written in one transaction, or nothing is. Messages are streamed in before
 * the hold so that the wallet row is locked only for the last moment of the
 * transaction, not while 100,000 rows are written.
 */
export async function acceptSend(
  db: Db,
  options: {
    orgId: string;
    input: SendRequest;
    now: Date;
    idempotency: Idempotency | null;
    /** Tracked links: where they point, and their codes' key (absent: links go as written). */
    links?: LinkTracking | null;
    /**
     * `bulk`: dispatched with the campaigns, even a single message (a
     * schedule's runs: nobody waits on one, and thousands come at once);
     * default: a single message takes the express lane.
     */
    lane?: "bulk";
  },
): Promise<CreatedResponse<SendResponse>> {
  const { orgId, input, now } = options;
  return runIdempotent(db, { orgId, idempotency: options.idempotency }, async (q) => {
    const { plan, template, prices, walletOrgId, kakaoChannel, ownVariables, groupOf, deferred } =
      await planForOrg(q, orgId, input, now, undefined, options.links?.prefix() ?? null);
    const wallet = await findWallet(q, walletOrgId);
    const available = wallet ? wallet.balance - wallet.held : 0n;
    if (available < plan.cost.held) throw insufficient(plan.cost.held, available);

    const campaignId = newId("cmp");
    // One row per distinct link, none per message: a message's code is derived at dispatch.
    const links = options.links
      ? await prepareLinks(q, { tracking: options.links, table: plan.content.links })
      : null;
    const scheduled = plan.sendAt !== null;
    await insertCampaign(q, {
      id: campaignId,
      orgId,
      walletOrgId,
      priceChain: prices.chain,
      status: scheduled ? "scheduled" : "queued",
      type: plan.type,
      strategy: plan.strategy,
      fromNumber: plan.from || null,
      content: contentOf(input, plan, template, kakaoChannel, links?.content),
      advertising: input.advertising ?? false,
      metadata: input.metadata ?? null,
      sendAt: plan.sendAt,
      totalCount: plan.messages.length,
      heldTotal: plan.cost.held,
    });
    await storeLinks(q, { orgId, campaignId, links });
    if (input.groupIds?.length) {
      await recordCampaignGroups(q, { orgId, campaignId, groupIds: input.groupIds });
    }
    // Advertising that must wait for the morning is queued for then; the rest as asked.
    const waiting = plan.messages.filter((m) => deferred.indexes.has(m.index));
    const batches = [
      {
        runAt: plan.sendAt ?? now,
        messages:
          waiting.length === 0
            ? plan.messages
            : plan.messages.filter((m) => !deferred.indexes.has(m.index)),
      },
      { runAt: deferred.until ?? now, messages: waiting },
    ];
    for (const batch of batches) {
      if (batch.messages.length === 0) continue;
      await copyMessages(q, {
        orgId,
        campaignId,
        status: "queued",
        runAt: batch.runAt,
        messages: batch.messages,
        prices: prices.platform,
        ownPrices: prices.own,
        priority: plan.messages.length === 1 && options.lane !== "bulk" ? 0 : 1,
        variablesOf: ownVariables,
        groupOf,
      });
    }
    const hold = await holdForCampaign(q, {
      walletOrgId,
      orgId,
      campaignId,
      amount: plan.cost.held,
    });
    if (!hold) {
      // Another send took the credits between the check and the hold.
      const latest = await findWallet(q, walletOrgId);
      throw insufficient(plan.cost.held, latest ? latest.balance - latest.held : 0n);
    }
    return {
      statusCode: 202,
      body: {
        campaignId,
        status: scheduled ? "scheduled" : "queued",
        accepted: plan.messages.length,
        rejected: plan.rejected.map(rejectionView),
        ...deferredView(plan.messages, deferred),
        cost: { held: formatCredits(plan.cost.held) },
      },
    };
  });
}

/** Who waits for the morning, as the response tells it. */
function deferredView(
  messages: readonly PlannedMessage[],
  deferred: { indexes: ReadonlySet<number>; until: Date | null },
) {
  if (deferred.indexes.size === 0) return { deferred: [], deferredUntil: null };
  return {
    deferred: messages
      .filter((m) => deferred.indexes.has(m.index))
      .map((m) => ({ index: m.index, to: m.to })),
    deferredUntil: deferred.until?.toISOString() ?? null,
  };
}
