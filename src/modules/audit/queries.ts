import type { Queryable } from "../../db/client.ts";
import { newId } from "../../lib/ids.ts";

export interface AuditEntry {
  id: string;
  orgId: string;
  actorOrgId: string;
  actorKeyId: string | null;
  actorUserId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface Actor {
  /** The caller's own organization (not the one it acts for with X-Alimi-Org). */
  orgId: string;
  keyId: string | null;
  userId?: string | null;
}

/** Appends an entry; callers pass details without secret values. */
export async function insertAudit(
  q: Queryable,
  entry: {
    orgId: string;
    actor: Actor;
    action: string;
    targetType: string;
    targetId: string;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await q.query(
    `insert into audit_entries (id, org_id, actor_org_id, actor_key_id, action, target_type,
       target_id, details, actor_user_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      newId("aud"),
      entry.orgId,
      entry.actor.orgId,
      entry.actor.keyId,
      entry.action,
      entry.targetType,
      entry.targetId,
      JSON.stringify(entry.details ?? {}),
      entry.actor.userId ?? null,
    ],
  );
}

/** Entries about organizations in the subtree at `scopePath`, newest first. */
export async function listAudit(
  q: Queryable,
  options: { scopePath: string; targetId: string | null; before: string | null; limit: number },
): Promise<AuditEntry[]> {
  const r = await q.query<AuditEntry>(
    `select id, org_id as "orgId", actor_org_id as "actorOrgId", actor_key_id as "actorKeyId",
       actor_user_id as "actorUserId", action, target_type as "targetType", target_id as "targetId", details,
       created_at as "createdAt"
     from audit_entries
     where org_id in (select id from orgs where path like $1 || '%')
       and ($2::text is null or target_id = $2)
       and ($3::text is null or id < $3)
     order by id desc limit $4`,
    [options.scopePath, options.targetId, options.before, options.limit],
  );
  return r.rows;
}
