// What a template looks like for one recipient before it is sent: the body
// and the buttons' links filled in, the fallback SMS or LMS it would become,
// and what it would cost. Nothing is stored.
//
// Variables come as a send fills them: a contact's #{name} and attributes
// (src/domain/audience.ts), the given `variables` winning. A variable
// without a value stays in the text as #{name} and is listed in `missing`, so
// a preview shows a template while it is being written as well.
//
// Prices are the organization's, from its price chain, at what a send holds
// (src/modules/plans: the dearer of the platform's and the own-account
// price); the fallback's type is chosen as an Alimtalk send chooses it (by
// the rendered fallback's bytes: SMS up to 90, else LMS, the subject riding
// along only on an LMS), and the worst case is the dearer of the two, since
// a failed Alimtalk is never charged.
import type { Queryable } from "../../db/client.ts";
import { variablesOf } from "../../domain/audience.ts";
import { countCharacters } from "../../domain/characters.ts";
import { checkTextContent, LIMITS } from "../../domain/message-content.ts";
import { formatCredits } from "../../domain/money.ts";
import { countSmsBytes } from "../../domain/sms-bytes.ts";
import { compileButtons, compileTemplate, type FieldError } from "../../domain/template.ts";
import { AppError } from "../../lib/errors.ts";
import { findContact } from "../contacts/index.ts";
import { findOrgPrices } from "../plans/index.ts";
import type { TemplateRow } from "./queries.ts";

export interface PreviewInput {
  contactId?: string;
  variables?: Record<string, string>;
}

export async function previewTemplate(
  q: Queryable,
  options: { orgId: string; template: TemplateRow; input: PreviewInput },
) {
  const { orgId, template, input } = options;
  let values: Record<string, string> = {};
  if (input.contactId !== undefined) {
    const contact = await findContact(q, orgId, input.contactId);
    if (!contact) {
      throw new AppError("VALIDATION_FAILED", `no contact ${input.contactId}`, {
        details: [{ path: "/contactId", code: "CONTACT_NOT_FOUND", message: input.contactId }],
      });
    }
    values = variablesOf(contact, undefined);
  }
  values = { ...values, ...input.variables };
  const missing = template.variables.filter(
    (name) => !Object.hasOwn(values, name) || typeof values[name] !== "string",
  );
  // What has no value shows as itself.
  const filled = { ...values, ...Object.fromEntries(missing.map((n) => [n, `#{${n}}`])) };
  const render = (text: string) => {
    const r = compileTemplate(text).render(filled);
    return r.ok ? r.text : text;
  };

  const body = render(template.body);
  const rendered = compileButtons(template.buttons).render(filled);
  const buttons = rendered.ok ? rendered.buttons : template.buttons;
  const problems: FieldError[] = missing.map((name) => ({
    path: `/variables/${name}`,
    code: "MISSING_VARIABLE",
    message: `No value for #{${name}}: give it in variables, or a contact that has it.`,
  }));
  const characters = countCharacters(body);
  if (characters > LIMITS.alimtalkChars) {
    problems.push({
      path: "/body",
      code: "TEXT_TOO_LONG",
      message: `Alimtalk text is ${characters} characters; the limit is ${LIMITS.alimtalkChars}.`,
    });
  }

  // Without a fallback text of its own, the rendered body is the fallback.
  const fallbackText = template.fallbackText ? render(template.fallbackText) : body;
  const fallbackSubject = template.fallbackSubject ? render(template.fallbackSubject) : null;
  const checked = checkTextContent({
    text: fallbackText,
    subject: fallbackSubject,
    type: "by_text",
    textPath: "/fallback/text",
    subjectPath: "/fallback/subject",
  });
  if (!checked.ok) problems.push(...checked.errors);
  // "by_text" picks SMS or LMS, never MMS.
  const fallbackType = checked.ok && checked.type !== "mms" ? checked.type : null;

  const pricing = await findOrgPrices(q, orgId);
  if (!pricing) throw new AppError("NOT_FOUND", "organization not found");
  const alimtalkPrice = pricing.hold.alimtalk;
  const fallbackPrice = fallbackType === null ? null : pricing.hold[fallbackType];
  const worst =
    fallbackPrice !== null && fallbackPrice > alimtalkPrice ? fallbackPrice : alimtalkPrice;

  return {
    code: template.code,
    status: template.status,
    body,
    buttons,
    characters,
    missing,
    fallback: {
      text: fallbackText,
      subject: fallbackType === "lms" ? fallbackSubject : null,
      type: fallbackType,
      bytes: countSmsBytes(fallbackText).bytes,
    },
    price: {
      alimtalk: formatCredits(alimtalkPrice),
      fallback: fallbackPrice === null ? null : formatCredits(fallbackPrice),
      worstCase: formatCredits(worst),
    },
    problems,
  };
}
