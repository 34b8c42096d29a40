// Writing templates: checked before anything is stored, created as drafts,
// changed and deleted only while nobody reviews them and nobody has approved
// them. The review itself is in review.ts.
import type { Db, Queryable } from "../../db/client.ts";
import { type TemplateButton, validateTemplateDefinition } from "../../domain/template.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { type Actor, insertAudit } from "../audit/index.ts";
import {
  deleteEditableTemplate,
  findTemplateByCode,
  insertTemplate,
  type TemplateContent,
  type TemplateRow,
  updateTemplateContent,
} from "./queries.ts";

export interface TemplateInput {
  code: string;
  body: string;
  buttons?: TemplateButton[];
  fallback?: { text?: string; subject?: string } | null;
}

/** The content of a valid template, or a 400 naming each problem at its field. */
function contentOf(input: TemplateInput): TemplateContent {
  const checked = validateTemplateDefinition(input);
  if (!checked.ok) {
    throw new AppError("VALIDATION_FAILED", "the template is not valid", {
      details: checked.errors,
    });
  }
  return {
    body: input.body,
    buttons: input.buttons ?? [],
    variables: checked.variables,
    fallbackText: input.fallback?.text ?? null,
    fallbackSubject: input.fallback?.subject ?? null,
  };
}

async function insertNew(
  q: Queryable,
  orgId: string,
  input: TemplateInput,
  status: "draft" | "approved",
): Promise<TemplateRow> {
  const row = await insertTemplate(q, {
    id: newId("tpl"),
    orgId,
    code: input.code,
    status,
    ...contentOf(input),
  });
  if (!row) {
    throw new AppError("CONFLICT", `a template with code ${input.code} already exists`, {
      details: [{ path: "/code", code: "DUPLICATE", message: "code already in use" }],
    });
  }
  return row;
}

/** Registers an Alimtalk template as a draft: it is sent once reviewed and approved. */
export function createTemplate(
  q: Queryable,
  orgId: string,
  input: TemplateInput,
): Promise<TemplateRow> {
  return insertNew(q, orgId, input, "draft");
}

/**
 * Registers a template that was reviewed outside Alimi, approved at once:
 * the demo organization's (its sandbox needs no review), and what an
 * installation seeds for templates its vendor approved already.
 */
export function createApprovedTemplate(
  q: Queryable,
  orgId: string,
  input: TemplateInput,
): Promise<TemplateRow> {
  return insertNew(q, orgId, input, "approved");
}

/** Why a template cannot be changed: approved (make a new one), or under review. */
export function lockedError(t: Pick<TemplateRow, "code" | "status">): AppError {
  const message =
    t.status === "approved"
      ? `template ${t.code} is approved: an approved template is never changed; make a new one with another code`
      : `template ${t.code} is under review (${t.status}): it cannot be changed until the review ends`;
  return new AppError("TEMPLATE_LOCKED", message, {
    details: [{ path: "/code", code: "TEMPLATE_LOCKED", status: t.status, message }],
  });
}

const editable = (t: TemplateRow) => t.status === "draft" || t.status === "rejected";

export interface TemplateChange {
  body?: string;
  buttons?: TemplateButton[];
  /** null clears it. */
  fallback?: { text?: string; subject?: string } | null;
}

/**
 * Changes a draft or a rejected template (a rejected one becomes a draft
 * again, to be reviewed once more); the whole result is checked as a new
 * template would be.
 */
export async function updateTemplate(
  db: Db,
  options: { orgId: string; code: string; change: TemplateChange; actor: Actor; now: Date },
): Promise<TemplateRow> {
  const { orgId, code, change } = options;
  const current = await findTemplateByCode(db, orgId, code);
  if (!current) throw new AppError("NOT_FOUND", "template not found");
  if (!editable(current)) throw lockedError(current);
  const fallback =
    change.fallback === undefined
      ? current.fallbackText === null && current.fallbackSubject === null
        ? null
        : {
            ...(current.fallbackText === null ? {} : { text: current.fallbackText }),
            ...(current.fallbackSubject === null ? {} : { subject: current.fallbackSubject }),
          }
      : change.fallback;
  const content = contentOf({
    code,
    body: change.body ?? current.body,
    buttons: change.buttons ?? current.buttons,
    fallback,
  });
  const updated = await db.tx(async (q) => {
    const row = await updateTemplateContent(q, { orgId, code, content, now: options.now });
    if (row) {
      await insertAudit(q, {
        orgId,
        actor: options.actor,
        action: "template.updated",
        targetType: "template",
        targetId: row.id,
        details: { code, fields: Object.keys(change), was: current.status },
      });
    }
    return row;
  });
  if (updated) return updated;
  // Taken for review (or deleted) since it was read.
  const now = await findTemplateByCode(db, orgId, code);
  if (!now) throw new AppError("NOT_FOUND", "template not found");
  throw lockedError(now);
}

/** Deletes a draft or a rejected template; an approved one, or one under review, stays. */
export async function deleteTemplate(
  db: Db,
  options: { orgId: string; code: string; actor: Actor },
): Promise<void> {
  const { orgId, code } = options;
  const current = await findTemplateByCode(db, orgId, code);
  if (!current) throw new AppError("NOT_FOUND", "template not found");
  if (!editable(current)) throw lockedError(current);
  const deleted = await db.tx(async (q) => {
    if (!(await deleteEditableTemplate(q, orgId, code))) return false;
    await insertAudit(q, {
      orgId,
      actor: options.actor,
      action: "template.deleted",
      targetType: "template",
      targetId: current.id,
      details: { code, was: current.status },
    });
    return true;
  });
  if (deleted) return;
  const now = await findTemplateByCode(db, orgId, code);
  if (!now) throw new AppError("NOT_FOUND", "template not found");
  throw lockedError(now);
}
