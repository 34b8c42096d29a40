// A template's review. Kakao must approve an Alimtalk template before it is
// sent. Where the organization's Alimtalk goes through a vendor with a
// template API (SOLAPI, NHN Cloud: src/vendors/template-reviewers.ts), the
// template is registered there under the organization's KakaoTalk channel
// and its review followed from the vendor's answers: polled by the review
// worker, and asked again when a read finds the last answer stale. Anywhere
// else (the sandbox, Aligo) the platform operator decides, approving or
// rejecting with a comment.
//
// A submission calls the vendor outside any transaction: the template is
// first claimed (`requested`, by its state as read), then the vendor called,
// then its answer recorded; a vendor that refuses or cannot be reached puts
// the template back as it was, so a failed request changes nothing.
import type { FastifyBaseLogger } from "fastify";
import type { Db, Queryable } from "../../db/client.ts";
import { nextReviewCheck } from "../../domain/template-review.ts";
import { AppError } from "../../lib/errors.ts";
import type {
  ReviewAnswer,
  ReviewState,
  TemplateReviewer,
  VendorTemplateRef,
} from "../../vendors/template-review.ts";
import type { VendorAccount, VendorName } from "../../vendors/vendor.ts";
import { type Actor, insertAudit } from "../audit/index.ts";
import { findOrg } from "../orgs/index.ts";
import { findUsableKakaoChannel, type KakaoChannelRow } from "../senders/index.ts";
import type { VendorDirectory } from "../vendor-accounts/index.ts";
import {
  claimDueReviews,
  claimForReview,
  decideReview,
  findTemplateByCode,
  insertOperatorComment,
  insertVendorComments,
  recordVendorReview,
  releaseClaim,
  scheduleReviewCheck,
  type TemplateRow,
} from "./queries.ts";
import { lockedError } from "./service.ts";

export interface ReviewDeps {
  db: Db;
  directory: VendorDirectory;
  /** The vendors whose template API is spoken (default: template-reviewers.ts). */
  reviewers: Partial<Record<VendorName, TemplateReviewer>>;
  now: () => Date;
}

const VENDOR_LABEL: Record<VendorName, string> = {
  sandbox: "the sandbox",
  solapi: "SOLAPI",
  nhn: "NHN Cloud",
  aligo: "Aligo",
};

/**
 * The account as a template API should see it for one KakaoTalk channel:
 * the organization's channel replaces the account's own, as the dispatcher
 * does for its messages (src/modules/dispatch/service.ts, withChannel).
 */
function withChannel(account: VendorAccount, channel: KakaoChannelRow | null): VendorAccount {
  if (!channel) return account;
  return {
    ...account,
    settings: {
      ...account.settings,
      ...(channel.senderKey ? { senderKey: channel.senderKey } : {}),
      ...(channel.pfId ? { pfId: channel.pfId } : {}),
    },
  };
}

/** Who reviews the organization's templates: its Alimtalk vendor's API, or (null) the operator. */
async function vendorReviewerOf(
  deps: ReviewDeps,
  orgId: string,
): Promise<{ account: VendorAccount; reviewer: TemplateReviewer } | null> {
  const answer = await deps.directory.routeFor(orgId, "alimtalk");
  if (!answer.ok) return null;
  const { primary } = answer.route;
  const reviewer = deps.reviewers[primary.vendor];
  if (!reviewer) return null;
  const org = await findOrg(deps.db, orgId);
  const channel = org
    ? await findUsableKakaoChannel(deps.db, { orgPath: org.path, id: null })
    : null;
  return { account: withChannel(primary, channel), reviewer };
}

function refusalError(vendor: VendorName, answer: Extract<ReviewAnswer, { ok: false }>) {
  const { error } = answer.failure;
  const label = VENDOR_LABEL[vendor];
  if (!answer.refused) {
    return new AppError(
      "UNAVAILABLE",
      `${label} could not be reached to review the template (${error.message}); nothing was changed: try again`,
      { retryable: true, retryAfterSeconds: 30 },
    );
  }
  return new AppError("CONFLICT", `${label} refused the template: ${error.message}`, {
    details: [
      { path: "/code", code: "VENDOR_REFUSED", vendorCode: error.rawCode, message: error.message },
    ],
  });
}

async function mustFind(deps: ReviewDeps, orgId: string, code: string): Promise<TemplateRow> {
  const t = await findTemplateByCode(deps.db, orgId, code);
  if (!t) throw new AppError("NOT_FOUND", "template not found");
  return t;
}

function notReviewable(t: TemplateRow): AppError {
  if (t.status === "approved") return lockedError(t);
  return new AppError("CONFLICT", `template ${t.code} is already under review (${t.status})`, {
    details: [{ path: "/code", code: "UNDER_REVIEW", status: t.status }],
  });
}

/** Sends a draft or a rejected template for review: to its vendor, or to the platform operator. */
export async function requestReview(
  deps: ReviewDeps,
  options: { orgId: string; code: string; actor: Actor },
): Promise<TemplateRow> {
  const { db, now } = deps;
  const { orgId, code, actor } = options;
  const read = await mustFind(deps, orgId, code);
  if (read.status !== "draft" && read.status !== "rejected") throw notReviewable(read);
  const vendor = await vendorReviewerOf(deps, orgId);
  const audit = (q: Queryable, t: TemplateRow) =>
    insertAudit(q, {
      orgId,
      actor,
      action: "template.review_requested",
      targetType: "template",
      targetId: t.id,
      details: {
        code,
        reviewer: vendor ? vendor.account.vendor : "operator",
        vendorAccountId: t.reviewAccountId,
        vendorTemplateId: t.vendorTemplateId,
        status: t.status,
      },
    });

  if (vendor === null) {
    const claimed = await db.tx(async (q) => {
      const t = await claimForReview(q, {
        id: read.id,
        readAt: read.updatedAt,
        accountId: null,
        now: now(),
      });
      if (t) await audit(q, t);
      return t;
    });
    if (!claimed) throw notReviewable(await mustFind(deps, orgId, code));
    return claimed;
  }

  const { account, reviewer } = vendor;
  const claimed = await claimForReview(db, {
    id: read.id,
    readAt: read.updatedAt,
    accountId: account.id,
    now: now(),
  });
  if (!claimed) throw notReviewable(await mustFind(deps, orgId, code));
  // Registered through this account before (and rejected): changed there, not registered again.
  const previous: VendorTemplateRef | null =
    read.reviewAccountId === account.id && read.vendorTemplateId && read.vendorSenderKey
      ? { vendorTemplateId: read.vendorTemplateId, senderKey: read.vendorSenderKey }
      : null;
  let answer: ReviewAnswer;
  try {
    answer = await reviewer.submit(
      account,
      { code: read.code, body: read.body, buttons: read.buttons },
      previous,
    );
  } catch (err) {
    await releaseClaim(db, { claimed, previous: read });
    throw err;
  }
  if (!answer.ok) {
    await releaseClaim(db, { claimed, previous: read });
    throw refusalError(account.vendor, answer);
  }
  const recorded = await db.tx(async (q) => {
    const t = await record(q, { claimed, accountId: account.id, state: answer.state, now: now() });
    if (t) await audit(q, t);
    return t;
  });
  return recorded ?? mustFind(deps, orgId, code);
}

async function record(
  q: Queryable,
  options: { claimed: TemplateRow; accountId: string; state: ReviewState; now: Date },
): Promise<TemplateRow | null> {
  const { claimed, state, now } = options;
  const t = await recordVendorReview(q, {
    id: claimed.id,
    accountId: options.accountId,
    vendorTemplateId: state.vendorTemplateId,
    senderKey: state.senderKey,
    status: state.status,
    vendorStatus: state.vendorStatus,
    now,
    nextCheckAt: nextReviewCheck(now, claimed.requestedAt),
  });
  if (t) {
    await insertVendorComments(q, {
      orgId: t.orgId,
      templateId: t.id,
      comments: state.comments,
      now,
    });
  }
  return t;
}

/**
 * Asks the vendor reviewing a template how its review stands, and records
 * the answer; a template nobody at a vendor reviews comes back as it is. A
 * vendor that cannot answer now is asked again later (the template as it
 * was comes back).
 */
export async function refreshReview(deps: ReviewDeps, t: TemplateRow): Promise<TemplateRow> {
  const { db, now } = deps;
  if (t.reviewAccountId === null || (t.status !== "requested" && t.status !== "inspecting")) {
    return t;
  }
  if (t.vendorTemplateId === null || t.vendorSenderKey === null) return t;
  const later = () =>
    scheduleReviewCheck(db, { id: t.id, nextCheckAt: nextReviewCheck(now(), t.requestedAt) });
  // An account gone (or a vendor this build no longer speaks) is asked again later, not at once.
  const account = await deps.directory.get(t.reviewAccountId);
  const reviewer = account ? deps.reviewers[account.vendor] : undefined;
  if (!account || !reviewer) {
    await later();
    return t;
  }
  const answer = await reviewer.read(account, {
    vendorTemplateId: t.vendorTemplateId,
    senderKey: t.vendorSenderKey,
  });
  if (!answer.ok) {
    await later();
    return t;
  }
  return (
    (await db.tx((q) =>
      record(q, { claimed: t, accountId: account.id, state: answer.state, now: now() }),
    )) ?? t
  );
}

/** How long the poller keeps a claimed template from another process: a vendor call's worth. */
const POLL_LEASE_MS = 2 * 60_000;

/**
 * One round of the review poller: the templates whose vendor is due to be
 * asked, each asked and its answer recorded. A claim whose submission never
 * finished (no vendor id after its 10 minutes: the process stopped between
 * the claim and the answer) goes back to draft, to be requested again.
 * Returns how many were looked at.
 */
export async function pollDueReviews(
  deps: ReviewDeps,
  options: { limit: number; logger?: FastifyBaseLogger },
): Promise<number> {
  const due = await claimDueReviews(deps.db, {
    now: deps.now(),
    limit: options.limit,
    leaseMs: POLL_LEASE_MS,
  });
  for (const t of due) {
    try {
      if (t.vendorTemplateId === null) {
        await releaseClaim(deps.db, {
          claimed: t,
          previous: { ...t, status: "draft", reviewAccountId: null, requestedAt: null },
        });
        continue;
      }
      await refreshReview(deps, t);
    } catch (err) {
      options.logger?.error({ err, templateId: t.id }, "template review check failed");
    }
  }
  return due.length;
}

export interface Decision {
  orgId: string;
  code: string;
  actor: Actor;
  /** The caller's own organization is the platform: only its operator decides. */
  byPlatform: boolean;
}

async function decide(
  deps: ReviewDeps,
  options: Decision & { decision: "approved" | "rejected"; comment: string | null },
): Promise<TemplateRow> {
  const { db, now } = deps;
  const t = await mustFind(deps, options.orgId, options.code);
  if (!options.byPlatform) {
    throw new AppError("FORBIDDEN", "only the platform operator approves or rejects templates");
  }
  const decided = await db.tx(async (q) => {
    const at = now();
    const row = await decideReview(q, { id: t.id, decision: options.decision, now: at });
    if (!row) return null;
    if (options.comment !== null) {
      await insertOperatorComment(q, {
        orgId: row.orgId,
        templateId: row.id,
        body: options.comment,
        now: at,
      });
    }
    await insertAudit(q, {
      orgId: row.orgId,
      actor: options.actor,
      action: options.decision === "approved" ? "template.approved" : "template.rejected",
      targetType: "template",
      targetId: row.id,
      details: {
        code: row.code,
        ...(options.comment === null ? {} : { comment: options.comment }),
      },
    });
    return row;
  });
  if (decided) return decided;
  const current = await mustFind(deps, options.orgId, options.code);
  if (current.reviewAccountId !== null && ["requested", "inspecting"].includes(current.status)) {
    const account = await deps.directory.get(current.reviewAccountId);
    const label = account ? VENDOR_LABEL[account.vendor] : "its vendor";
    throw new AppError(
      "CONFLICT",
      `template ${current.code} is reviewed by ${label}, whose answer it follows; the operator does not decide it`,
      { details: [{ path: "/code", code: "REVIEWED_BY_VENDOR", status: current.status }] },
    );
  }
  throw new AppError(
    "CONFLICT",
    current.status === "draft" || current.status === "rejected"
      ? `template ${current.code} is not under review (${current.status}): it is requested first`
      : `template ${current.code} is ${current.status} already`,
    { details: [{ path: "/code", code: "NOT_UNDER_REVIEW", status: current.status }] },
  );
}

export function approveTemplate(deps: ReviewDeps, options: Decision): Promise<TemplateRow> {
  return decide(deps, { ...options, decision: "approved", comment: null });
}

export function rejectTemplate(
  deps: ReviewDeps,
  options: Decision & { comment: string },
): Promise<TemplateRow> {
  return decide(deps, { ...options, decision: "rejected" });
}
