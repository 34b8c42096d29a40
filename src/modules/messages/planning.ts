// Planning a send against an organization: its prices, senders, template,
// images and KakaoTalk channel. The estimate, the send and every part of a
// campaign draft plan here, so they accept and refuse alike.
import type { Queryable } from "../../db/client.ts";
import type { CampaignContent, CampaignContentLinks } from "../../db/schema/campaigns.ts";
import type { Audience } from "../../domain/audience.ts";
import { formatCredits } from "../../domain/money.ts";
import type { PriceLevel } from "../../domain/pricing.ts";
import {
  type PlannedMessage,
  planSend,
  type Rejection,
  type SendInput,
  type SendPlan,
  type TemplateInfo,
} from "../../domain/send-plan.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { checkFreeformJson } from "../../lib/json-safety.ts";
import { findOrgImages } from "../files/index.ts";
import { findOrg } from "../orgs/index.ts";
import { findOrgPrices, pricesOfChain } from "../plans/index.ts";
import { findUsableKakaoChannel, type KakaoChannelRow, listSenders } from "../senders/index.ts";
import { findTemplateByCode } from "../templates/index.ts";
import { findAudience } from "./audience.ts";

export interface SendRequest extends SendInput {
  metadata?: Record<string, unknown>;
  /** Contact groups whose members are sent to as well (after the recipients). */
  groupIds?: string[];
  /** Advertising to numbers that are not contacts: the sender vouches for their consent. */
  consentConfirmed?: boolean;
  /** Advertising at night to contacts without night consent: wait for 08:00, or refuse. */
  nightPolicy?: "defer" | "reject";
  /** A KakaoTalk channel of the organization (or an ancestor); default: the nearest default. */
  kakaoChannel?: string;
}

export interface RejectionView {
  index: number;
  to: string;
  code: string;
  message: string;
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

/** Only approved templates are sent: a 409 naming where the template stands. */
function templateNotApproved(template: TemplateInfo): AppError {
  const next =
    template.status === "draft" || template.status === "rejected"
      ? `request its review (POST /v1/templates/${template.code}/request-review)`
      : "it is sent once its review approves it";
  const message = `template ${template.code} is ${template.status}: only approved templates are sent; ${next}`;
  return new AppError("TEMPLATE_NOT_APPROVED", message, {
    details: [
      { path: "/template/code", code: "TEMPLATE_NOT_APPROVED", status: template.status, message },
    ],
  });
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
 * accept and refuse alike. `linkPrefix`: what tracked links start with (the
 * server's now; a draft's part, its campaign's), null to track none.
 */
export async function planForOrg(
  q: Queryable,
  orgId: string,
  input: SendRequest,
  now: Date,
  draft?: { template: TemplateInfo | null; first: boolean; chain?: PriceLevel[] | null },
  linkPrefix: string | null = null,
) {
  checkMetadata(input.metadata);
  const code = input.template?.code;
  // One after another: inside a transaction they share one connection.
  // The prices come with the organization and its ancestors: whether one is suspended, its zone.
  const pricing = await findOrgPrices(q, orgId);
  if (!pricing) throw new AppError("NOT_FOUND", "organization not found");
  if (pricing.levels.some((l) => l.status === "suspended")) {
    throw new AppError("ORG_SUSPENDED", "this organization is suspended: it cannot send");
  }
  const org = pricing.levels[pricing.levels.length - 1]!;
  const senders = await listSenders(q, orgId);
  // A draft's later parts are planned against its template as it was when the draft was made.
  let template: TemplateInfo | null = null;
  if (draft && !draft.first) template = draft.template;
  else if (code) template = await findTemplateByCode(q, orgId, code);
  if (template !== null && template.status !== "approved") throw templateNotApproved(template);
  const images = await findOrgImages(q, orgId, input.imageIds ?? []);

  // A draft's later parts are priced as its first was.
  const prices = draft?.chain ? pricesOfChain(draft.chain) : pricing;
  // Held at the dearer of the platform's and the own-account price: which kind
  // of account sends each message is known only at dispatch.
  const audience = await findAudience(q, org, input, now, { nightAtRelease: draft !== undefined });
  const context = {
    now,
    prices: prices.hold,
    senders,
    template,
    images,
    draft: draft?.first === true,
    linkPrefix,
  };
  if (audience.recipients.length === 0 && audience.rejected.length > 0) {
    // Nobody is left to send to; what is wrong with the request itself is said first.
    const asGiven = planSend(input, context);
    if (!asGiven.ok && asGiven.errors.some((e) => e.code !== "NO_VALID_RECIPIENTS")) {
      throw new AppError("VALIDATION_FAILED", "the request is not valid", {
        details: asGiven.errors,
      });
    }
    throw new AppError("VALIDATION_FAILED", "no recipient could be accepted", {
      details: [
        { path: "/recipients", code: "NO_VALID_RECIPIENTS", message: "see the other details" },
        ...audience.rejected.map(rejectionDetail),
      ],
    });
  }
  const planned = planSend({ ...input, recipients: audience.recipients }, context);
  const plan = inRequestOrder(planned, audience);
  if (!plan.ok) {
    throw new AppError("VALIDATION_FAILED", describeErrors(plan.errors.length, plan.rejected), {
      details: [...plan.errors, ...plan.rejected.map(rejectionDetail)],
    });
  }
  const kakaoChannel = await resolveKakaoChannel(q, orgId, plan, input.kakaoChannel);
  const own = new Map(audience.origin.map((index, i) => [index, audience.recipients[i]]));
  const deferred = new Set([...audience.deferred.indexes].map((i) => audience.origin[i]!));
  const groups = new Map<number, string>();
  audience.groups.forEach((group, i) => {
    if (group !== null) groups.set(audience.origin[i]!, group);
  });
  return {
    plan,
    template,
    prices,
    walletOrgId: pricing.walletOrgId,
    kakaoChannel,
    /** What a message keeps of its variables: its recipient's own (a contact's filled in). */
    ownVariables: (m: PlannedMessage) => own.get(m.index)?.variables,
    /** The group a message's recipient is sent as a member of; null: the request gave it. */
    groupOf: (m: PlannedMessage) => groups.get(m.index) ?? null,
    /** Advertising that waits for the morning: by recipient index, and until when. */
    deferred: { indexes: deferred, until: audience.deferred.until },
  };
}

/**
 * A plan of the audience's recipients told in the request's numbering: a
 * message's and a rejection's index is its recipient's in the request (group
 * members after the request's own recipients), with the audience's own
 * rejections (opt-outs, consent, the night) among the plan's.
 */
function inRequestOrder(plan: SendPlan, audience: Audience): SendPlan {
  const origin = (i: number) => audience.origin[i] ?? i;
  const rejected = [
    ...plan.rejected.map((r) => ({ ...r, index: origin(r.index) })),
    ...audience.rejected,
  ].sort((a, b) => a.index - b.index);
  if (!plan.ok) return { ...plan, rejected };
  const identity = audience.origin.every((index, i) => index === i);
  const messages = identity
    ? plan.messages
    : plan.messages.map((m) => ({ ...m, index: origin(m.index) }));
  return { ...plan, messages, rejected };
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

export const rejectionView = (r: Rejection): RejectionView => ({
  index: r.index,
  to: r.to,
  code: r.code,
  message: r.message,
});

export function insufficient(required: bigint, available: bigint): AppError {
  return new AppError(
    "INSUFFICIENT_CREDITS",
    `this send needs ${formatCredits(required)} credits; ${formatCredits(available)} are available`,
    { details: [{ required: formatCredits(required), available: formatCredits(available) }] },
  );
}

export function contentOf(
  input: SendInput,
  plan: Extract<SendPlan, { ok: true }>,
  template: TemplateInfo | null,
  kakaoChannel: KakaoChannelRow | null,
  links: CampaignContentLinks | null = null,
): CampaignContent {
  return {
    templateCode: template?.code ?? null,
    alimtalk: plan.content.alimtalk,
    buttons: plan.content.buttons,
    text: plan.content.text,
    subject: plan.content.subject,
    imageIds: plan.content.imageIds,
    variables: input.template?.variables ?? {},
    kakaoChannel: kakaoChannel
      ? { id: kakaoChannel.id, senderKey: kakaoChannel.senderKey, pfId: kakaoChannel.pfId }
      : null,
    ...(template?.reviewAccountId && template.vendorTemplateId
      ? {
          vendorTemplate: {
            accountId: template.reviewAccountId,
            templateId: template.vendorTemplateId,
          },
        }
      : {}),
    ...(links ? { links } : {}),
  };
}
