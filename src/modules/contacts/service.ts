// Checking what a caller asks of contacts before anything is stored, with
// each problem named at its field.
import type { Queryable } from "../../db/client.ts";
import type { ContactAttributes } from "../../db/schema/contacts.ts";
import { checkAttributes, checkName } from "../../domain/contact-input.ts";
import { normalizePhone } from "../../domain/phone.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { findGroups } from "./group-queries.ts";
import { ensureUnassignedGroup } from "./queries.ts";

export function invalid(details: ErrorDetail[]): AppError {
  return new AppError("VALIDATION_FAILED", details[0]?.message ?? "the request is not valid", {
    details,
  });
}

/** A phone number as E.164, or a 400 at `path`. */
export function phoneOf(input: string, path: string): string {
  const phone = normalizePhone(input);
  if (!phone.ok) throw invalid([{ path, code: phone.code, message: phone.message }]);
  return phone.e164;
}

export function checkContactFields(input: {
  name?: string | null;
  attributes?: Record<string, unknown>;
}): { name: string | null | undefined; attributes: ContactAttributes | undefined } {
  const name = input.name === undefined ? undefined : input.name?.trim() || null;
  const errors = [
    ...(name ? checkName(name, "/name") : []),
    ...(input.attributes ? checkAttributes(input.attributes, "/attributes") : []),
  ];
  if (errors.length > 0) throw invalid(errors);
  return { name, attributes: input.attributes as ContactAttributes | undefined };
}

/**
 * The groups a contact goes in: the organization's own, each checked
 * (400 at its index when it is not one); none given is 미지정.
 */
export async function groupsFor(
  q: Queryable,
  orgId: string,
  groupIds: string[] | undefined,
  path = "/groupIds",
): Promise<string[]> {
  if (!groupIds || groupIds.length === 0) return [await ensureUnassignedGroup(q, orgId)];
  const unique = [...new Set(groupIds)];
  const found = new Set((await findGroups(q, orgId, unique)).map((g) => g.id));
  const missing = groupIds
    .map((id, i) => ({ id, i }))
    .filter(({ id }) => !found.has(id))
    .map(({ id, i }) => ({ path: `${path}/${i}`, code: "GROUP_NOT_FOUND", message: id }));
  if (missing.length > 0) throw invalid(missing);
  return unique;
}
