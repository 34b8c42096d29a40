// An organization's contact groups and their members. Membership statements
// touch many rows at once (up to 10,000 ids, or a whole group); the
// group_members triggers then keep each contact in at least one group.
import type { Queryable } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { nextFreeName } from "../../domain/contact-input.ts";
import { newId } from "../../lib/ids.ts";

export interface GroupRow {
  id: string;
  orgId: string;
  name: string;
  system: boolean;
  contactCount: number;
  createdAt: Date;
}

const GROUP_SELECT = `select g.id, g.org_id as "orgId", g.name, g.system,
    (select count(*)::int from group_members m where m.group_id = g.id) as "contactCount",
    g.created_at as "createdAt"
  from contact_groups g`;

/**
 * Creates a group under the first free name (`name`, else `name(2)`, …). A
 * concurrent creation that takes the name first makes this one try the next.
 */
export async function insertGroup(q: Queryable, orgId: string, name: string): Promise<GroupRow> {
  for (let attempt = 0; ; attempt++) {
    const taken = await q.query<{ name: string }>(
      `select name from contact_groups
       where org_id = $1 and (name = $2 or starts_with(name, $2 || '('))`,
      [orgId, name],
    );
    const free = nextFreeName(
      name,
      taken.rows.map((r) => r.name),
    );
    const id = newId("grp");
    try {
      await q.query("savepoint group_name");
      await q.query("insert into contact_groups (id, org_id, name) values ($1, $2, $3)", [
        id,
        orgId,
        free,
      ]);
      await q.query("release savepoint group_name");
      return (await findGroup(q, orgId, id))!;
    } catch (err) {
      if (!isUniqueViolation(err, "contact_groups_org_name_key") || attempt >= 5) throw err;
      await q.query("rollback to savepoint group_name");
    }
  }
}

export async function findGroup(q: Queryable, orgId: string, id: string): Promise<GroupRow | null> {
  const r = await q.query<GroupRow>(`${GROUP_SELECT} where g.id = $1 and g.org_id = $2`, [
    id,
    orgId,
  ]);
  return r.rows[0] ?? null;
}

/** The organization's groups that exist among `ids`. */
export async function findGroups(q: Queryable, orgId: string, ids: string[]): Promise<GroupRow[]> {
  const r = await q.query<GroupRow>(
    `${GROUP_SELECT} where g.id = any($1::text[]) and g.org_id = $2`,
    [ids, orgId],
  );
  return r.rows;
}

/** Every group of the organization: 미지정 first, then by name. */
export async function listGroups(q: Queryable, orgId: string): Promise<GroupRow[]> {
  const r = await q.query<GroupRow>(
    `${GROUP_SELECT} where g.org_id = $1 order by g.system desc, g.name, g.id`,
    [orgId],
  );
  return r.rows;
}

export async function renameGroup(q: Queryable, id: string, name: string): Promise<void> {
  await q.query("update contact_groups set name = $2 where id = $1 and not system", [id, name]);
}

/** Deletes a group; its contacts in no other group go to 미지정 (the trigger). */
export async function deleteGroup(q: Queryable, id: string): Promise<void> {
  await q.query("delete from contact_groups where id = $1 and not system", [id]);
}

/** Which contacts a membership change is about: some of a group's members, or all of them. */
export type Members = { contactIds: string[] } | { all: true };

/** Adds the organization's contacts `contactIds` to a group; those already in it stay. */
export async function addMembers(
  q: Queryable,
  orgId: string,
  groupId: string,
  contactIds: string[],
): Promise<number> {
  const r = await q.query(
    `insert into group_members (group_id, contact_id)
     select $1, id from contacts where id = any($2::text[]) and org_id = $3
     on conflict do nothing`,
    [groupId, contactIds, orgId],
  );
  return r.affectedRows;
}

/** Removes contacts from a group; one left in no group goes to 미지정. */
export async function removeMembers(
  q: Queryable,
  groupId: string,
  contactIds: string[],
): Promise<number> {
  const r = await q.query(
    "delete from group_members where group_id = $1 and contact_id = any($2::text[])",
    [groupId, contactIds],
  );
  return r.affectedRows;
}

/**
 * Copies members of `fromGroupId` (some, or all; ids not in it are left
 * out) to `toGroupId`, and with `move` takes them out of the source: the copy
 * comes first, so a moved contact is never in no group, even for a moment.
 */
export async function copyMembers(
  q: Queryable,
  options: { fromGroupId: string; toGroupId: string; members: Members; move: boolean },
): Promise<number> {
  const { members } = options;
  const picked = await q.query<{ contactId: string }>(
    `select contact_id as "contactId" from group_members
     where group_id = $1 and ($2::text[] is null or contact_id = any($2::text[]))`,
    [options.fromGroupId, "all" in members ? null : members.contactIds],
  );
  const ids = picked.rows.map((row) => row.contactId);
  if (ids.length === 0) return 0;
  await q.query(
    `insert into group_members (group_id, contact_id)
     select $1, unnest($2::text[]) on conflict do nothing`,
    [options.toGroupId, ids],
  );
  if (options.move) await removeMembers(q, options.fromGroupId, ids);
  return ids.length;
}

/**
 * Every member of the groups, once each (a send to groups), with the group
 * it is sent as a member of: the first of `groupIds` it is in.
 */
export async function membersOfGroups(
  q: Queryable,
  orgId: string,
  groupIds: string[],
): Promise<
  {
    id: string;
    phone: string;
    name: string | null;
    attributes: Record<string, string | number | boolean>;
    adConsentAt: Date | null;
    nightConsentAt: Date | null;
    groupId: string;
  }[]
> {
  const r = await q.query(
    `select distinct on (c.id) c.id, c.phone, c.name, c.attributes,
       c.ad_consent_at as "adConsentAt", c.night_consent_at as "nightConsentAt",
       m.group_id as "groupId"
     from group_members m join contacts c on c.id = m.contact_id
     where m.group_id = any($1::text[]) and c.org_id = $2
     order by c.id, array_position($1::text[], m.group_id)`,
    [groupIds, orgId],
  );
  return r.rows as never;
}

/**
 * Sets a contact's groups to exactly `groupIds`: joins the new ones first,
 * then leaves the others, so it is never in no group.
 */
export async function setMembership(
  q: Queryable,
  contactId: string,
  groupIds: string[],
): Promise<void> {
  await q.query(
    `insert into group_members (group_id, contact_id)
     select unnest($2::text[]), $1 on conflict do nothing`,
    [contactId, groupIds],
  );
  await q.query("delete from group_members where contact_id = $1 and group_id <> all($2::text[])", [
    contactId,
    groupIds,
  ]);
}
