// Campaign drafts: a campaign too large for one request is built from
// several. `POST /v1/campaigns` checks its content and freezes its template;
// each `POST /v1/campaigns/{id}/recipients` plans, stores and holds one part
// (up to 100,000 recipients) in one transaction, exactly as a send does;
// `launch` hands the draft to the releaser (workers/campaign-upkeep.ts),
// which queues its messages in batches so that dispatch starts at once;
// `DELETE` discards a draft that was not launched, releasing every part's hold.
import type { Db, Queryable } from "../../db/client.ts";
import type { CampaignDraft } from "../../db/schema/campaigns.ts";
import { formatCredits } from "../../domain/money.ts";
import { DEFAULT_MAX_SCHEDULE_AHEAD_MS, type Rejection } from "../../domain/send-plan.ts";
import { resolveSendAt } from "../../domain/send-request.ts";
import type { FieldError } from "../../domain/template.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { findWallet, holdForCampaign, releaseDiscarded } from "../credits/index.ts";
import { type CreatedResponse, type Idempotency, runIdempotent } from "../idempotency/index.ts";
import {
  findCampaignLinkPrefix,
  type LinkTracking,
  prepareLinks,
  storeLinks,
} from "../links/index.ts";
import {
  contentOf,
  copyMessages,
  insertCampaign,
  insufficient,
  planForOrg,
  type RejectionView,
  rejectionView,
  type SendRequest,
} from "../messages/index.ts";
import {
  type DraftRow,
  deleteDraftMessages,
  findDraftRecipients,
  growDraft,
  lockDraft,
  markDiscarded,
  markLaunched,
} from "./draft-queries.ts";
import { findCampaignInSubtree } from "./queries.ts";
import { type CampaignView, getCampaign } from "./service.ts";

/** The most recipients one campaign may hold, over all its parts. */
export const MAX_CAMPAIGN_RECIPIENTS = 1_000_000;

export type DraftRequest = Omit<SendRequest, "recipients">;

export interface DraftPartResponse {
  campaignId: string;
  accepted: number;
  rejected: RejectionView[];
  cost: { held: string };
  /** The draft so far: all its parts. */
  total: { recipients: number; held: string };
}

/** Creates a draft: its content is checked now, its recipients come in parts. */
export async function createDraft(
  db: Db,
  options: {
    orgId: string;
    scopePath: string;
    input: DraftRequest;
    now: Date;
    idempotency: Idempotency | null;
    /** Tracked links: where they point, and their codes' key (absent: links go as written). */
    links?: LinkTracking | null;
  },
): Promise<CreatedResponse<CampaignView>> {
  const { orgId, input, now } = options;
  return runIdempotent(db, { orgId, idempotency: options.idempotency }, async (q) => {
    const content = { ...input, recipients: [] };
    const first = { template: null, first: true };
    const { plan, template, prices, walletOrgId, kakaoChannel } = await planForOrg(
      q,
      orgId,
      content,
      now,
      first,
      options.links?.prefix() ?? null,
    );
    const id = newId("cmp");
    const links = options.links
      ? await prepareLinks(q, { tracking: options.links, table: plan.content.links })
      : null;
    const draft: CampaignDraft = {
      request: input as Record<string, unknown>,
      given: 0,
      template: template && {
        code: template.code,
        body: template.body,
        buttons: template.buttons,
        fallbackText: template.fallbackText,
        fallbackSubject: template.fallbackSubject,
        status: template.status,
      },
    };
    await insertCampaign(q, {
      id,
      orgId,
      walletOrgId,
      priceChain: prices.chain,
      status: "draft",
      type: plan.type,
      strategy: plan.strategy,
      fromNumber: plan.from || null,
      content: contentOf(content, plan, template, kakaoChannel, links?.content),
      advertising: input.advertising ?? false,
      metadata: input.metadata ?? null,
      sendAt: plan.sendAt,
      totalCount: 0,
      heldTotal: 0n,
      draft,
    });
    await storeLinks(q, { orgId, campaignId: id, links });
    return { statusCode: 201, body: await getCampaign(q, id, options.scopePath) };
  });
}

/** The draft, locked; a 404 outside the caller's subtree, a 409 once it is no longer a draft. */
async function lockVisibleDraft(q: Queryable, id: string, scopePath: string): Promise<DraftRow> {
  const draft = await lockDraft(q, id, scopePath);
  if (!draft) throw new AppError("NOT_FOUND", "campaign not found");
  return draft;
}

function notADraft(draft: DraftRow, what: string): AppError {
  return new AppError("CONFLICT", `the campaign is ${draft.status}: ${what}`, {
    details: [{ path: "/status", code: "NOT_A_DRAFT", message: draft.status }],
  });
}

/**
 * Adds a part to a draft: planned against the draft's frozen content and
 * prices, stored as `draft` messages and held, in one
 * transaction. Rejected recipients are reported by their index in this part.
 */
export async function addDraftRecipients(
  db: Db,
  options: {
    id: string;
    scopePath: string;
    recipients: SendRequest["recipients"];
    now: Date;
    idempotency: Idempotency | null;
    /** Default MAX_CAMPAIGN_RECIPIENTS. */
    maxRecipients?: number;
  },
): Promise<CreatedResponse<DraftPartResponse>> {
  const { id, now } = options;
  const visible = await findCampaignInSubtree(db, id, options.scopePath);
  if (!visible) throw new AppError("NOT_FOUND", "campaign not found");
  return runIdempotent(
    db,
    { orgId: visible.orgId, idempotency: options.idempotency },
    async (q) => {
      const draft = await lockVisibleDraft(q, id, options.scopePath);
      if (draft.status !== "draft" || !draft.draft) {
        throw notADraft(draft, "recipients can be added to a draft only");
      }
      const max = options.maxRecipients ?? MAX_CAMPAIGN_RECIPIENTS;
      const room = max - draft.totalCount;
      if (options.recipients.length > room) {
        throw new AppError(
          "VALIDATION_FAILED",
          `a campaign holds at most ${max} recipients; this one has ${draft.totalCount}, so at most ${room} more`,
          {
            details: [
              { path: "/recipients", code: "TOO_MANY_RECIPIENTS", message: `at most ${room} more` },
            ],
          },
        );
      }
      const { sendAt: _sendAt, ...request } = draft.draft.request as DraftRequest;
      const input: SendRequest = { ...request, recipients: options.recipients };
      // Counted with the links as the draft's content was made: its prefix, whatever the server's now.
      const linkPrefix = await findCampaignLinkPrefix(q, id);
      const { plan, prices, ownVariables } = await planForOrg(
        q,
        draft.orgId,
        input,
        now,
        { template: draft.draft.template, first: false, chain: draft.priceChain },
        linkPrefix,
      );
      const offset = draft.draft.given;
      // A number an earlier part holds is refused like a repeat within one request.
      const earlier = await findDraftRecipients(
        q,
        id,
        plan.messages.map((m) => m.to),
      );
      const messages = plan.messages.filter((m) => !earlier.has(m.to));
      const repeated: Rejection[] = plan.messages
        .filter((m) => earlier.has(m.to))
        .map((m) => ({
          index: m.index,
          to: options.recipients[m.index]?.to ?? m.to,
          code: "DUPLICATE_RECIPIENT",
          message: `${m.to} is already in this campaign, in an earlier part.`,
        }));
      const rejected = [...plan.rejected, ...repeated].sort((a, b) => a.index - b.index);
      if (messages.length === 0) {
        throw new AppError("VALIDATION_FAILED", "no recipient of this part could be added", {
          details: [
            { path: "/recipients", code: "NO_VALID_RECIPIENTS", message: "see the other details" },
            ...rejected.map((r) => ({
              path: `/recipients/${r.index}`,
              code: r.code,
              message: r.message,
            })),
          ],
        });
      }
      await copyMessages(q, {
        orgId: draft.orgId,
        campaignId: id,
        status: "draft",
        runAt: now,
        messages,
        prices: prices.platform,
        ownPrices: prices.own,
        priority: 1,
        variablesOf: ownVariables,
        indexOffset: offset,
      });
      const held = messages.reduce((sum, m) => sum + m.held, 0n);
      const hold = await holdForCampaign(q, {
        walletOrgId: draft.walletOrgId,
        orgId: draft.orgId,
        campaignId: id,
        amount: held,
        part: { offset, messages: messages.length },
      });
      if (!hold) {
        const wallet = await findWallet(q, draft.walletOrgId);
        throw insufficient(held, wallet ? wallet.balance - wallet.held : 0n);
      }
      const given = options.recipients.length;
      await growDraft(q, { id, given, messages: messages.length, held });
      return {
        statusCode: 201,
        body: {
          campaignId: id,
          accepted: messages.length,
          rejected: rejected.map(rejectionView),
          cost: { held: formatCredits(held) },
          total: {
            recipients: draft.totalCount + messages.length,
            held: formatCredits(draft.heldTotal + held),
          },
        },
      };
    },
  );
}

/**
 * Launches a draft: it becomes `queued` (or `scheduled` for a send time
 * still ahead) and the releaser queues its messages. Launching again changes
 * nothing. `sendAt` here wins over the draft's.
 */
export async function launchDraft(
  db: Db,
  options: { id: string; scopePath: string; sendAt?: string; now: Date },
): Promise<CampaignView> {
  const { id, now } = options;
  await db.tx(async (q) => {
    const draft = await lockVisibleDraft(q, id, options.scopePath);
    if (draft.launchedAt !== null) return;
    if (draft.status !== "draft") throw notADraft(draft, "only a draft can be launched");
    if (draft.totalCount === 0) {
      throw new AppError("CONFLICT", "the draft has no recipients yet", {
        details: [
          { path: "/recipients", code: "RECIPIENTS_REQUIRED", message: "add a part first" },
        ],
      });
    }
    let sendAt = draft.sendAt;
    if (options.sendAt !== undefined) {
      const errors: FieldError[] = [];
      const maxAheadMs = DEFAULT_MAX_SCHEDULE_AHEAD_MS;
      sendAt = resolveSendAt({ sendAt: options.sendAt, now, maxAheadMs, errors });
      if (errors.length > 0) {
        throw new AppError("VALIDATION_FAILED", errors[0]!.message, { details: errors });
      }
    }
    const scheduled = sendAt !== null && sendAt > now;
    await markLaunched(q, { id, status: scheduled ? "scheduled" : "queued", sendAt, now });
  });
  return getCampaign(db, id, options.scopePath);
}

/**
 * Discards a draft that was not launched: its messages are deleted and every
 * part's hold released with one ledger entry, in one transaction; the
 * campaign stays, `discarded`, for its ledger entries to refer to.
 * Discarding again changes nothing.
 */
export async function discardDraft(
  db: Db,
  options: { id: string; scopePath: string; now: Date },
): Promise<CampaignView> {
  const { id, now } = options;
  await db.tx(async (q) => {
    const draft = await lockVisibleDraft(q, id, options.scopePath);
    if (draft.status === "discarded") return;
    if (draft.status !== "draft" || draft.launchedAt !== null) {
      throw notADraft(draft, "only a draft that was not launched can be discarded; cancel it");
    }
    // Deleted first, released last: the wallet row is locked only for the end of the transaction.
    const gone = await deleteDraftMessages(q, id);
    await releaseDiscarded(q, {
      walletOrgId: draft.walletOrgId,
      orgId: draft.orgId,
      campaignId: id,
      amount: gone.held,
      messages: gone.messages,
    });
    await markDiscarded(q, id, now);
  });
  return getCampaign(db, id, options.scopePath);
}
