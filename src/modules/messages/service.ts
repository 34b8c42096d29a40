import type { Db, Queryable } from "../../db/client.ts";
import type { CampaignContent } from "../../db/schema/campaigns.ts";
import type { MessageType } from "../../domain/message-content.ts";
import { formatCredits } from "../../domain/money.ts";
import { planSend, type Rejection, type SendInput, type SendPlan } from "../../domain/send-plan.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { checkFreeformJson } from "../../lib/json-safety.ts";
import { findWallet, holdForCampaign } from "../credits/index.ts";
import { findOrgImages } from "../files/index.ts";
import { type CreatedResponse, type Idempotency, runIdempotent } from "../idempotency/index.ts";
import { findOrg } from "../orgs/index.ts";
import { findOrgPrices } from "../plans/index.ts";
import { findUsableKakaoChannel, type KakaoChannelRow, listSenders } from "../senders/index.ts";
import { findTemplateByCode, type TemplateRow } from "../templates/index.ts";
import { copyMessages, insertCampaign } from "./queries.ts";

export interface SendRequest extends SendInput {
  metadata?: Record<string, unknown>;
  /** A KakaoTalk channel of the organization (or an ancestor); default: the nearest default. */
  kakaoChannel?: string;
}

export interface RejectionView {
  index: number;
  to: string;
  code: string;
  message: string;
}

export interface SendResponse {
  campaignId: string;
  status: "queued" | "scheduled";
  accepted: number;
  rejected: RejectionView[];
  cost: { held: string };
}

type ByTypeView = Record<MessageType, string>;

export interface EstimateResponse {
  accepted: number;
  rejected: RejectionView[];
  cost: {
    held: string;
    byType: ByTypeView;
    worstCase: { total: string; byType: ByTypeView };
    expected: { total: string; byType: ByTypeView };
  };
  available: string;
}

/**
 * The KakaoTalk channel of a send with an Alimtalk path: the one named, which
 * must be the organization's or an ancestor's (checked before any vendor
 * sees it), else the nearest default; null leaves it to the vendor account.
 */
async function resolveKakaoChannel(
  q: Queryable,
  orgId: string,
  plan: Extract<SendPlan, { ok: true }>,
  id: string | undefined,
): Promise<KakaoChannelRow | null> {
  if (plan.content.alimtalk === null) return null;
  const org = await findOrg(q, orgId);
  if (!org) throw new AppError("NOT_FOUND", "organization not found");
  const channel = await findUsableKakaoChannel(q, { orgPath: org.path, id: id ?? null });
  if (id !== undefined && !channel) {
    throw new AppError(
      "VALIDATION_FAILED",
      `no verified KakaoTalk channel ${id} for this organization (a new channel sends once the platform operator has verified it)`,
      {
        details: [
          {
            path: "/kakaoChannel",
            code: "SENDER_NOT_REGISTERED",
            message: "not registered or not verified",
          },
        ],
      },
    );
  }
  return channel;
}

/** A campaign's metadata is echoed in webhooks: small and shallow enough to carry everywhere. */
export const METADATA_LIMITS = { maxBytes: 16 * 1024, maxDepth: 8 } as const;

function checkMetadata(metadata: Record<string, unknown> | undefined): void {
  if (metadata === undefined) return;
  const problem = checkFreeformJson(metadata, { path: "/metadata", ...METADATA_LIMITS });
  if (problem) {
    throw new AppError("VALIDATION_FAILED", `${problem.path}: ${problem.message}`, {
      details: [{ ...problem }],
    });
  }
}

/**
 * Validates, routes and prices a request against the organization's prices,
 * senders and template. The estimate and the send both plan here, so they
 * accept and refuse alike.
 */
async function planForOrg(q: Queryable, orgId: string, input: SendRequest, now: Date) {
  checkMetadata(input.metadata);
  const code = input.template?.code;
  // One after another: inside a transaction they share one connection.
  const prices = await findOrgPrices(q, orgId);
  const senders = await listSenders(q, orgId);
  const template = code ? await findTemplateByCode(q, orgId, code) : null;
  const images = await findOrgImages(q, orgId, input.imageIds ?? []);
  if (!prices) throw new AppError("NOT_FOUND", "organization not found");
  // Held at the dearer of the platform's and the own-account price: which kind
  // of account sends each message is known only at dispatch.
  const plan = planSend(input, { now, prices: prices.hold, senders, template, images });
  if (!plan.ok) {
    throw new AppError("VALIDATION_FAILED", describeErrors(plan.errors.length, plan.rejected), {
      details: [...plan.errors, ...plan.rejected.map(rejectionDetail)],
    });
  }
  const kakaoChannel = await resolveKakaoChannel(q, orgId, plan, input.kakaoChannel);
  return { plan, template, prices, kakaoChannel };
}

function describeErrors(errors: number, rejected: Rejection[]): string {
  if (errors === 1 && rejected.length > 0) return "no recipient could be accepted";
  return "the request is not valid";
}

function rejectionDetail(r: Rejection): ErrorDetail {
  return {
    path: `/recipients/${r.index}`,
    code: r.code,
    message: r.message,
    index: r.index,
    to: r.to,
  };
}

const rejectionView = (r: Rejection): RejectionView => ({
  index: r.index,
  to: r.to,
  code: r.code,
  message: r.message,
});

function insufficient(required: bigint, available: bigint): AppError {
  return new AppError(
    "INSUFFICIENT_CREDITS",
    `this send needs ${formatCredits(required)} credits; ${formatCredits(available)} are available`,
    { details: [{ required: formatCredits(required), available: formatCredits(available) }] },
  );
}

/** Prices a request without storing anything. */
export async function estimateSend(
  db: Db,
  options: { orgId: string; input: SendRequest; now: Date },
): Promise<EstimateResponse> {
  const { plan } = await planForOrg(db, options.orgId, options.input, options.now);
  const wallet = await findWallet(db, options.orgId);
  const { cost } = plan;
  const worstCase = byTypeView(cost.byType);
  return {
    accepted: plan.messages.length,
    rejected: plan.rejected.map(rejectionView),
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
  options: { orgId: string; input: SendRequest; now: Date; idempotency: Idempotency | null },
): Promise<CreatedResponse<SendResponse>> {
  const { orgId, input, now } = options;
  return runIdempotent(db, { orgId, idempotency: options.idempotency }, async (q) => {
    const { plan, template, prices, kakaoChannel } = await planForOrg(q, orgId, input, now);
    const wallet = await findWallet(q, orgId);
    const available = wallet ? wallet.balance - wallet.held : 0n;
    if (available < plan.cost.held) throw insufficient(plan.cost.held, available);

    const campaignId = newId("cmp");
    const scheduled = plan.sendAt !== null;
    await insertCampaign(q, {
      id: campaignId,
      orgId,
      status: scheduled ? "scheduled" : "queued",
      type: plan.type,
      strategy: plan.strategy,
      fromNumber: plan.from || null,
      content: contentOf(input, plan, template, kakaoChannel),
      advertising: input.advertising ?? false,
      metadata: input.metadata ?? null,
      sendAt: plan.sendAt,
      totalCount: plan.messages.length,
      heldTotal: plan.cost.held,
    });
    await copyMessages(q, {
      orgId,
      campaignId,
      status: "queued",
      runAt: plan.sendAt ?? now,
      messages: plan.messages,
      prices: prices.platform,
      ownPrices: prices.own,
      priority: plan.messages.length === 1 ? 0 : 1,
      variablesOf: (m) => input.recipients[m.index]?.variables,
    });
    const hold = await holdForCampaign(q, { orgId, campaignId, amount: plan.cost.held });
    if (!hold) {
      // Another send took the credits between the check and the hold.
      const latest = await findWallet(q, orgId);
      throw insufficient(plan.cost.held, latest ? latest.balance - latest.held : 0n);
    }
    return {
      statusCode: 202,
      body: {
        campaignId,
        status: scheduled ? "scheduled" : "queued",
        accepted: plan.messages.length,
        rejected: plan.rejected.map(rejectionView),
        cost: { held: formatCredits(plan.cost.held) },
      },
    };
  });
}

function contentOf(
  input: SendInput,
  plan: Extract<SendPlan, { ok: true }>,
  template: TemplateRow | null,
  kakaoChannel: KakaoChannelRow | null,
): CampaignContent {
  return {
    templateCode: template?.code ?? null,
    alimtalk: plan.content.alimtalk,
    buttons: plan.content.alimtalk !== null ? (template?.buttons ?? []) : [],
    text: plan.content.text,
    subject: plan.content.subject,
    imageIds: plan.content.imageIds,
    variables: input.template?.variables ?? {},
    kakaoChannel: kakaoChannel
      ? { id: kakaoChannel.id, senderKey: kakaoChannel.senderKey, pfId: kakaoChannel.pfId }
      : null,
  };
}
