// Templates and their review, one named statement each. A status moves only
// along draft → requested → inspecting → approved | rejected (→ draft again
// when a rejected one is edited): every change says in its WHERE which
// statuses it starts from, so two callers racing cannot both win.
import type { Queryable } from "../../db/client.ts";
import type { TemplateCommentSource } from "../../db/schema/template-comments.ts";
import type { TemplateStatus } from "../../db/schema/templates.ts";
import type { TemplateButton } from "../../domain/template.ts";
import { newId } from "../../lib/ids.ts";
import type { ReviewStatus, VendorComment } from "../../vendors/template-review.ts";

export interface TemplateRow {
  id: string;
  orgId: string;
  code: string;
  body: string;
  buttons: TemplateButton[];
  variables: string[];
  fallbackText: string | null;
  fallbackSubject: string | null;
  status: TemplateStatus;
  reviewAccountId: string | null;
  vendorTemplateId: string | null;
  vendorSenderKey: string | null;
  vendorStatus: string | null;
  requestedAt: Date | null;
  reviewedAt: Date | null;
  reviewCheckedAt: Date | null;
  reviewNextCheckAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateContent {
  body: string;
  buttons: TemplateButton[];
  variables: string[];
  fallbackText: string | null;
  fallbackSubject: string | null;
}

const COLUMNS: [column: string, key: string][] = [
  ["id", "id"],
  ["org_id", "orgId"],
  ["code", "code"],
  ["body", "body"],
  ["buttons", "buttons"],
  ["variables", "variables"],
  ["fallback_text", "fallbackText"],
  ["fallback_subject", "fallbackSubject"],
  ["status", "status"],
  ["review_account_id", "reviewAccountId"],
  ["vendor_template_id", "vendorTemplateId"],
  ["vendor_sender_key", "vendorSenderKey"],
  ["vendor_status", "vendorStatus"],
  ["requested_at", "requestedAt"],
  ["reviewed_at", "reviewedAt"],
  ["review_checked_at", "reviewCheckedAt"],
  ["review_next_check_at", "reviewNextCheckAt"],
  ["created_at", "createdAt"],
  ["updated_at", "updatedAt"],
];
const columnsOf = (alias: string | null) =>
  COLUMNS.map(([column, key]) => `${alias ? `${alias}.` : ""}${column} as "${key}"`).join(", ");
const TEMPLATE_COLUMNS = columnsOf(null);

/** Inserts a template; returns null when the organization already has this code. */
export async function insertTemplate(
  q: Queryable,
  t: TemplateContent & { id: string; orgId: string; code: string; status: TemplateStatus },
): Promise<TemplateRow | null> {
  const r = await q.query<TemplateRow>(
    `insert into templates (id, org_id, code, body, buttons, variables, fallback_text,
       fallback_subject, status, reviewed_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $9 = 'approved' then now() end)
     on conflict (org_id, code) do nothing
     returning ${TEMPLATE_COLUMNS}`,
    [
      t.id,
      t.orgId,
      t.code,
      t.body,
      JSON.stringify(t.buttons),
      t.variables,
      t.fallbackText,
      t.fallbackSubject,
      t.status,
    ],
  );
  return r.rows[0] ?? null;
}

export async function findTemplateByCode(
  q: Queryable,
  orgId: string,
  code: string,
): Promise<TemplateRow | null> {
  const r = await q.query<TemplateRow>(
    `select ${TEMPLATE_COLUMNS} from templates where org_id = $1 and code = $2`,
    [orgId, code],
  );
  return r.rows[0] ?? null;
}

export async function listTemplates(
  q: Queryable,
  options: { orgId: string; status: TemplateStatus | null; after: string | null; limit: number },
): Promise<TemplateRow[]> {
  const r = await q.query<TemplateRow>(
    `select ${TEMPLATE_COLUMNS} from templates
     where org_id = $1 and ($2::text is null or status = $2) and ($3::text is null or code > $3)
     order by code limit $4`,
    [options.orgId, options.status, options.after, options.limit],
  );
  return r.rows;
}

/**
 * The templates awaiting the platform operator's decision in a subtree (the
 * platform's: every organization), oldest first. Across organizations on
 * purpose: it is the operator's queue, reached only by the platform.
 */
export async function listOperatorReviews(
  q: Queryable,
  options: { scopePath: string; after: string | null; limit: number },
): Promise<TemplateRow[]> {
  const r = await q.query<TemplateRow>(
    `select ${columnsOf("t")} from templates t join orgs o on o.id = t.org_id
     where o.path like $1 || '%' and t.status in ('requested', 'inspecting')
       and t.review_account_id is null and ($2::text is null or t.id > $2)
     order by t.id limit $3`,
    [options.scopePath, options.after, options.limit],
  );
  return r.rows;
}

/**
 * Replaces a draft's or a rejected template's content; a rejected one is a
 * draft again (it needs another review). Null when it is neither (approved
 * or under review: locked) or does not exist.
 */
export async function updateTemplateContent(
  q: Queryable,
  options: { orgId: string; code: string; content: TemplateContent; now: Date },
): Promise<TemplateRow | null> {
  const { content } = options;
  const r = await q.query<TemplateRow>(
    `update templates set body = $3, buttons = $4, variables = $5, fallback_text = $6,
       fallback_subject = $7, status = 'draft', updated_at = $8
     where org_id = $1 and code = $2 and status in ('draft', 'rejected')
     returning ${TEMPLATE_COLUMNS}`,
    [
      options.orgId,
      options.code,
      content.body,
      JSON.stringify(content.buttons),
      content.variables,
      content.fallbackText,
      content.fallbackSubject,
      options.now,
    ],
  );
  return r.rows[0] ?? null;
}

/** Deletes a draft or a rejected template (its comments go with it); false when it is neither. */
export async function deleteEditableTemplate(
  q: Queryable,
  orgId: string,
  code: string,
): Promise<boolean> {
  const r = await q.query(
    "delete from templates where org_id = $1 and code = $2 and status in ('draft', 'rejected')",
    [orgId, code],
  );
  return r.affectedRows > 0;
}

/**
 * Takes a draft or rejected template for review, as it was read (its
 * `updatedAt`, to the millisecond a Date holds): `requested`, reviewed by the vendor account given or, with
 * none, by the platform operator. A template taken for a vendor is first
 * looked at again by the poller in 10 minutes, in case the submission never
 * finishes (a crash between the claim and the vendor's answer).
 * Null when it changed meanwhile.
 */
export async function claimForReview(
  q: Queryable,
  options: {
    id: string;
    readAt: Date;
    accountId: string | null;
    now: Date;
  },
): Promise<TemplateRow | null> {
  const r = await q.query<TemplateRow>(
    `update templates set status = 'requested', review_account_id = $3, requested_at = $4,
       reviewed_at = null, review_checked_at = null,
       review_next_check_at = case when $3::text is null then null
         else $4::timestamptz + interval '10 minutes' end,
       updated_at = $4
     where id = $1 and date_trunc('milliseconds', updated_at) = $2 and status in ('draft', 'rejected')
     returning ${TEMPLATE_COLUMNS}`,
    [options.id, options.readAt, options.accountId, options.now],
  );
  return r.rows[0] ?? null;
}

/** Puts a claimed template back as it was before its claim (the vendor did not take it). */
export async function releaseClaim(
  q: Queryable,
  options: { claimed: TemplateRow; previous: TemplateRow },
): Promise<void> {
  const { claimed, previous } = options;
  await q.query(
    `update templates set status = $3, review_account_id = $4, requested_at = $5,
       reviewed_at = $6, review_checked_at = $7, review_next_check_at = null, updated_at = $8
     where id = $1 and status = 'requested' and date_trunc('milliseconds', updated_at) = $2`,
    [
      claimed.id,
      claimed.updatedAt,
      previous.status,
      previous.reviewAccountId,
      previous.requestedAt,
      previous.reviewedAt,
      previous.reviewCheckedAt,
      previous.updatedAt,
    ],
  );
}

/**
 * Records what the vendor says of a template it reviews: its ids there, its
 * status (forward only: `inspecting` never goes back to `requested`; a status
 * the installation does not map, null, leaves ours), when to ask again. A
 * decision ends the polling. Null when the template is no longer under this
 * account's review (decided meanwhile, taken elsewhere).
 */
export async function recordVendorReview(
  q: Queryable,
  options: {
    id: string;
    accountId: string;
    vendorTemplateId: string;
    senderKey: string;
    status: ReviewStatus | null;
    vendorStatus: string;
    now: Date;
    nextCheckAt: Date;
  },
): Promise<TemplateRow | null> {
  // The status it moves to, once for the three places that need it.
  const next = `case when $5::text is null or ($5::text = 'requested' and status = 'inspecting')
    then status else $5::text end`;
  const r = await q.query<TemplateRow>(
    `update templates set status = ${next}, vendor_template_id = $3, vendor_sender_key = $4,
       vendor_status = $6, review_checked_at = $7::timestamptz,
       review_next_check_at = case when ${next} in ('approved', 'rejected') then null
         else $8::timestamptz end,
       reviewed_at = case when ${next} in ('approved', 'rejected') then $7::timestamptz end,
       updated_at = case when ${next} <> status then $7::timestamptz else updated_at end
     where id = $1 and status in ('requested', 'inspecting') and review_account_id = $2
     returning ${TEMPLATE_COLUMNS}`,
    [
      options.id,
      options.accountId,
      options.vendorTemplateId,
      options.senderKey,
      options.status,
      options.vendorStatus,
      options.now,
      options.nextCheckAt,
    ],
  );
  return r.rows[0] ?? null;
}

/** When the vendor is next asked about a template it reviews (after an answer that said nothing). */
export async function scheduleReviewCheck(
  q: Queryable,
  options: { id: string; nextCheckAt: Date },
): Promise<void> {
  await q.query(
    `update templates set review_next_check_at = $2
     where id = $1 and status in ('requested', 'inspecting') and review_account_id is not null`,
    [options.id, options.nextCheckAt],
  );
}

/**
 * The platform operator's decision on a template it reviews (no vendor
 * account does): approved, or rejected. Null when it is not under the
 * operator's review.
 */
export async function decideReview(
  q: Queryable,
  options: { id: string; decision: "approved" | "rejected"; now: Date },
): Promise<TemplateRow | null> {
  const r = await q.query<TemplateRow>(
    `update templates set status = $2, reviewed_at = $3, updated_at = $3
     where id = $1 and status in ('requested', 'inspecting') and review_account_id is null
     returning ${TEMPLATE_COLUMNS}`,
    [options.id, options.decision, options.now],
  );
  return r.rows[0] ?? null;
}

/**
 * Claims templates whose vendor is due to be asked about them, across
 * organizations (the review poller's queue, templates_review_due_idx): each
 * is put off by `leaseMs` so that another process skips it meanwhile.
 */
export async function claimDueReviews(
  q: Queryable,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<TemplateRow[]> {
  const r = await q.query<TemplateRow>(
    `with due as (
       select id from templates
       where status in ('requested', 'inspecting') and review_account_id is not null
         and review_next_check_at <= $1
       order by review_next_check_at
       limit $2
       for update skip locked
     )
     update templates t set review_next_check_at = $1::timestamptz + $3 * interval '1 millisecond'
     from due where t.id = due.id
     returning ${columnsOf("t")}`,
    [options.now, options.limit, options.leaseMs],
  );
  return r.rows;
}

export interface CommentRow {
  id: string;
  source: TemplateCommentSource;
  author: string | null;
  body: string;
  vendorStatus: string | null;
  createdAt: Date;
}

/** Keeps a vendor's comments; one kept already (by its vendor key) is not kept again. */
export async function insertVendorComments(
  q: Queryable,
  options: { orgId: string; templateId: string; comments: VendorComment[]; now: Date },
): Promise<void> {
  const { comments } = options;
  if (comments.length === 0) return;
  await q.query(
    `insert into template_comments (id, org_id, template_id, source, author, body, vendor_status,
       vendor_key, created_at)
     select c.id, $1, $2, 'vendor', c.author, c.body, c.status, c.key, coalesce(c.at, $9)
     from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       as c(id, author, body, status, key, at)
     on conflict (template_id, vendor_key) do nothing`,
    [
      options.orgId,
      options.templateId,
      comments.map(() => newId("tcm")),
      comments.map((c) => c.author),
      comments.map((c) => c.body),
      comments.map((c) => c.status),
      comments.map((c) => c.key),
      comments.map((c) => c.at),
      options.now,
    ],
  );
}

/** The platform operator's comment (a rejection's reason). */
export async function insertOperatorComment(
  q: Queryable,
  options: { orgId: string; templateId: string; body: string; now: Date },
): Promise<void> {
  await q.query(
    `insert into template_comments (id, org_id, template_id, source, body, vendor_status, created_at)
     values ($1, $2, $3, 'operator', $4, 'REJECTED', $5)`,
    [newId("tcm"), options.orgId, options.templateId, options.body, options.now],
  );
}

/** A template's comments, oldest first, paged by id. */
export async function listComments(
  q: Queryable,
  options: { orgId: string; templateId: string; after: string | null; limit: number },
): Promise<CommentRow[]> {
  const r = await q.query<CommentRow>(
    `select id, source, author, body, vendor_status as "vendorStatus", created_at as "createdAt"
     from template_comments
     where org_id = $1 and template_id = $2 and ($3::text is null or id > $3)
     order by id limit $4`,
    [options.orgId, options.templateId, options.after, options.limit],
  );
  return r.rows;
}
