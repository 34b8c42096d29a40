// Contacts of one organization's address book. Every statement is scoped to
// the organization: a contact of another one is not found. Each statement
// that creates contacts also puts them in a group (their own or 미지정), and
// the group_members triggers keep them in one from then on.
import type { Queryable } from "../../db/client.ts";
import type { ContactAttributes } from "../../db/schema/contacts.ts";
import { newId } from "../../lib/ids.ts";

export interface ContactRow {
  id: string;
  orgId: string;
  phone: string;
  name: string | null;
  attributes: ContactAttributes;
  adConsentAt: Date | null;
  adConsentSource: string | null;
  nightConsentAt: Date | null;
  nightConsentSource: string | null;
  optedOut: "advertising" | "all" | null;
  groups: { id: string; name: string }[];
  createdAt: Date;
  updatedAt: Date;
}

const CONTACT_SELECT = `select c.id, c.org_id as "orgId", c.phone, c.name, c.attributes,
    c.ad_consent_at as "adConsentAt", c.ad_consent_source as "adConsentSource",
    c.night_consent_at as "nightConsentAt", c.night_consent_source as "nightConsentSource",
    (select o.scope from opt_outs o where o.org_id = c.org_id and o.phone = c.phone) as "optedOut",
    coalesce((select json_agg(json_build_object('id', g.id, 'name', g.name) order by g.system, g.name)
       from group_members m join contact_groups g on g.id = m.group_id
       where m.contact_id = c.id), '[]'::json) as groups,
    c.created_at as "createdAt", c.updated_at as "updatedAt"
  from contacts c`;

/** The organization's system group 미지정, made on first use. */
export async function ensureUnassignedGroup(q: Queryable, orgId: string): Promise<string> {
  await q.query(
    `insert into contact_groups (id, org_id, name, system) values ($1, $2, '미지정', true)
     on conflict do nothing`,
    [newId("grp"), orgId],
  );
  const r = await q.query<{ id: string }>(
    "select id from contact_groups where org_id = $1 and system",
    [orgId],
  );
  return r.rows[0]!.id;
}

export interface NewContact {
  phone: string;
  name: string | null;
  attributes: ContactAttributes;
  adConsent: { at: Date; source: string | null } | null;
  nightConsent: { at: Date; source: string | null } | null;
}

/**
 * Inserts a contact and its memberships in one statement (the groups must be
 * the organization's; none: 미지정). Null when the phone is already there.
 */
export async function insertContact(
  q: Queryable,
  orgId: string,
  contact: NewContact,
  groupIds: string[],
): Promise<string | null> {
  const id = newId("ct");
  const r = await q.query<{ id: string }>(
    `with c as (
       insert into contacts (id, org_id, phone, name, attributes, ad_consent_at, ad_consent_source,
         night_consent_at, night_consent_source)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (org_id, phone) do nothing
       returning id
     ),
     m as (
       insert into group_members (group_id, contact_id)
       select g, c.id from c, unnest($10::text[]) as g
     )
     select id from c`,
    [
      id,
      orgId,
      contact.phone,
      contact.name,
      JSON.stringify(contact.attributes),
      contact.adConsent?.at ?? null,
      contact.adConsent?.source ?? null,
      contact.nightConsent?.at ?? null,
      contact.nightConsent?.source ?? null,
      groupIds,
    ],
  );
  return r.rows[0]?.id ?? null;
}

export async function findContact(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<ContactRow | null> {
  const r = await q.query<ContactRow>(`${CONTACT_SELECT} where c.id = $1 and c.org_id = $2`, [
    id,
    orgId,
  ]);
  return r.rows[0] ?? null;
}

export async function findContactIdByPhone(
  q: Queryable,
  orgId: string,
  phone: string,
): Promise<string | null> {
  const r = await q.query<{ id: string }>(
    "select id from contacts where org_id = $1 and phone = $2",
    [orgId, phone],
  );
  return r.rows[0]?.id ?? null;
}

/**
 * A page of the organization's contacts in id order, optionally of one
 * group, matching `search` in the name or the phone's digits.
 */
export async function listContacts(
  q: Queryable,
  options: {
    orgId: string;
    search: string | null;
    digits: string | null;
    groupId: string | null;
    after: string | null;
    limit: number;
  },
): Promise<ContactRow[]> {
  const r = await q.query<ContactRow>(
    `${CONTACT_SELECT}
     where c.org_id = $1
       and ($2::text is null or c.name ilike '%' || $2 || '%'
            or ($3::text is not null and c.phone like '%' || $3 || '%'))
       and ($4::text is null or exists (
         select 1 from group_members m where m.contact_id = c.id and m.group_id = $4))
       and ($5::text is null or c.id > $5)
     order by c.id limit $6`,
    [options.orgId, options.search, options.digits, options.groupId, options.after, options.limit],
  );
  return r.rows;
}

export interface ContactChange {
  name?: string | null;
  attributes?: ContactAttributes;
  adConsent?: { at: Date; source: string | null } | null;
  nightConsent?: { at: Date; source: string | null } | null;
}

/** Changes what is given; a consent given as null is withdrawn. */
export async function updateContact(
  q: Queryable,
  orgId: string,
  id: string,
  change: ContactChange,
  now: Date,
): Promise<boolean> {
  const has = (k: keyof ContactChange) => k in change;
  const r = await q.query(
    `update contacts set
       name = case when $3 then $4 else name end,
       attributes = case when $5 then $6::jsonb else attributes end,
       ad_consent_at = case when $7 then $8::timestamptz else ad_consent_at end,
       ad_consent_source = case when $7 then $9 else ad_consent_source end,
       night_consent_at = case when $10 then $11::timestamptz else night_consent_at end,
       night_consent_source = case when $10 then $12 else night_consent_source end,
       updated_at = $13
     where id = $1 and org_id = $2`,
    [
      id,
      orgId,
      has("name"),
      change.name ?? null,
      has("attributes"),
      JSON.stringify(change.attributes ?? {}),
      has("adConsent"),
      change.adConsent?.at ?? null,
      change.adConsent?.source ?? null,
      has("nightConsent"),
      change.nightConsent?.at ?? null,
      change.nightConsent?.source ?? null,
      now,
    ],
  );
  return r.affectedRows > 0;
}

export async function deleteContact(q: Queryable, orgId: string, id: string): Promise<boolean> {
  const r = await q.query("delete from contacts where id = $1 and org_id = $2", [id, orgId]);
  return r.affectedRows > 0;
}

/** Contacts in no group at all: none, whatever changed membership (alimi doctor). */
export async function findUngroupedContacts(q: Queryable, limit: number): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `select c.id from contacts c
     where not exists (select 1 from group_members m where m.contact_id = c.id)
     limit $1`,
    [limit],
  );
  return r.rows.map((row) => row.id);
}
