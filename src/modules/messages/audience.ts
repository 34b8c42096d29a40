// Looking up who a send goes to: the members of its groups, the contacts of
// its numbers and their opt-outs, then src/domain/audience.ts decides.
import type { Queryable } from "../../db/client.ts";
import { type Audience, type AudienceContact, resolveAudience } from "../../domain/audience.ts";
import { normalizePhone } from "../../domain/phone.ts";
import { AppError } from "../../lib/errors.ts";
import { findOptOuts, membersOfGroups } from "../contacts/index.ts";

export interface AudienceRequest {
  recipients: { to: string; name?: string; variables?: Record<string, string> }[];
  groupIds?: string[];
  advertising?: boolean;
  consentConfirmed?: boolean;
  nightPolicy?: "defer" | "reject";
  sendAt?: string;
}

type ContactRow = {
  phone: string;
  name: string | null;
  attributes: Record<string, string | number | boolean>;
  adConsentAt: Date | null;
  nightConsentAt: Date | null;
  groupId?: string;
};

const toAudience = (c: ContactRow): AudienceContact => ({
  phone: c.phone,
  name: c.name,
  attributes: c.attributes,
  adConsent: c.adConsentAt !== null,
  nightConsent: c.nightConsentAt !== null,
  groupId: c.groupId ?? null,
});

/** Whether the organization keeps contacts or opt-outs at all: without, there is nothing to look up. */
async function hasAudienceData(q: Queryable, orgId: string): Promise<boolean> {
  const r = await q.query<{ any: boolean }>(
    `select exists (select 1 from contacts where org_id = $1)
         or exists (select 1 from opt_outs where org_id = $1) as any`,
    [orgId],
  );
  return r.rows[0]!.any;
}

export async function findAudience(
  q: Queryable,
  org: { id: string; timezone: string },
  input: AudienceRequest,
  now: Date,
  /** A draft's part: the advertising night is judged when the draft is released, not now. */
  options: { nightAtRelease?: boolean } = {},
): Promise<Audience> {
  const groupIds = [...new Set(input.groupIds ?? [])];
  // Advertising always needs each number: a raw one is refused without consentConfirmed.
  const lookup =
    groupIds.length > 0 || input.advertising === true || (await hasAudienceData(q, org.id));
  const phones = input.recipients.map((r) => {
    if (!lookup) return null;
    const p = normalizePhone(r.to);
    return p.ok ? p.e164 : null;
  });
  let members: AudienceContact[] = [];
  if (groupIds.length > 0) {
    const found = await q.query<{ id: string }>(
      "select id from contact_groups where org_id = $1 and id = any($2::text[])",
      [org.id, groupIds],
    );
    const known = new Set(found.rows.map((r) => r.id));
    const missing = (input.groupIds ?? []).flatMap((id, i) =>
      known.has(id) ? [] : [{ path: `/groupIds/${i}`, code: "GROUP_NOT_FOUND", message: id }],
    );
    if (missing.length > 0) {
      throw new AppError("VALIDATION_FAILED", "a group is not one of the organization's", {
        details: missing,
      });
    }
    members = (await membersOfGroups(q, org.id, groupIds)).map(toAudience);
  }
  const known = phones.filter((p): p is string => p !== null);
  const contacts = new Map<string, AudienceContact>();
  if (known.length > 0) {
    const r = await q.query<ContactRow>(
      `select phone, name, attributes, ad_consent_at as "adConsentAt",
         night_consent_at as "nightConsentAt"
       from contacts where org_id = $1 and phone = any($2::text[])`,
      [org.id, known],
    );
    for (const row of r.rows) contacts.set(row.phone, toAudience(row));
  }
  const optOuts = lookup
    ? await findOptOuts(q, org.id, [...known, ...members.map((m) => m.phone)])
    : new Map();
  const sendAt = input.sendAt ? new Date(input.sendAt) : null;
  return resolveAudience({
    recipients: input.recipients,
    phones,
    members,
    contacts,
    optOuts,
    rules: {
      advertising: input.advertising === true,
      consentConfirmed: input.consentConfirmed === true,
      nightPolicy: input.nightPolicy ?? "defer",
      sendsAt: options.nightAtRelease
        ? null
        : sendAt && !Number.isNaN(sendAt.getTime()) && sendAt > now
          ? sendAt
          : now,
      timeZone: org.timezone,
    },
  });
}
