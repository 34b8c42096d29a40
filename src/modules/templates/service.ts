import type { Queryable } from "../../db/client.ts";
import { type TemplateButton, validateTemplateDefinition } from "../../domain/template.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { insertTemplate, type TemplateRow } from "./queries.ts";

export interface TemplateInput {
  code: string;
  body: string;
  buttons?: TemplateButton[];
  fallback?: { text?: string; subject?: string } | null;
}

/**
 * Registers an Alimtalk template. Until the review workflow exists, a valid
 * template is usable at once (`approved`).
 */
export async function createTemplate(
  q: Queryable,
  orgId: string,
  input: TemplateInput,
): Promise<TemplateRow> {
  const checked = validateTemplateDefinition(input);
  if (!checked.ok) {
    throw new AppError("VALIDATION_FAILED", "the template is not valid", {
      details: checked.errors,
    });
  }
  const row = await insertTemplate(q, {
    id: newId("tpl"),
    orgId,
    code: input.code,
    body: input.body,
    buttons: input.buttons ?? [],
    variables: checked.variables,
    fallbackText: input.fallback?.text ?? null,
    fallbackSubject: input.fallback?.subject ?? null,
    status: "approved",
  });
  if (!row) {
    throw new AppError("CONFLICT", `a template with code ${input.code} already exists`, {
      details: [{ path: "/code", code: "DUPLICATE", message: "code already in use" }],
    });
  }
  return row;
}
