import type { Queryable } from "../../db/client.ts";
import type { Principal } from "../../http/auth.ts";

export async function insertApiKey(
  q: Queryable,
  key: {
    id: string;
    orgId: string;
    name: string;
    prefix: string;
    secretHash: string;
    scopes: string[];
    expiresAt?: Date | null;
    allowedIps?: string[];
  },
): Promise<void> {
  await q.query(
    `insert into api_keys (id, org_id, name, prefix, secret_hash, scopes, expires_at, allowed_ips)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      key.id,
      key.orgId,
      key.name,
      key.prefix,
      key.secretHash,
      key.scopes,
      key.expiresAt ?? null,
      key.allowedIps ?? [],
    ],
  );
}

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: Date | null;
  allowedIps: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The organization's keys that are not revoked, oldest first (never their secrets). */
export async function listApiKeys(
  q: Queryable,
  options: { orgId: string; after: string | null; limit: number },
): Promise<ApiKeyRow[]> {
  const r = await q.query<ApiKeyRow>(
    `select id, name, prefix, scopes, expires_at as "expiresAt", allowed_ips as "allowedIps",
       created_at as "createdAt", last_used_at as "lastUsedAt"
     from api_keys where org_id = $1 and revoked_at is null and ($2::text is null or id > $2)
     order by id limit $3`,
    [options.orgId, options.after, options.limit],
  );
  return r.rows;
}

/** The key with this secret hash and its organization, unless revoked or expired. */
export async function findPrincipalByHash(
  q: Queryable,
  secretHash: string,
): Promise<(Principal & { allowedIps: string[] }) | null> {
  const r = await q.query<Principal & { allowedIps: string[] }>(
    `select k.id as "keyId", null as "userId", null as role, k.scopes,
       k.allowed_ips as "allowedIps",
       o.id as "orgId", o.kind as "orgKind", o.path as "orgPath",
       o.rate_limit as "rateLimit"
     from api_keys k join orgs o on o.id = k.org_id
     where k.secret_hash = $1 and k.revoked_at is null
       and (k.expires_at is null or k.expires_at > now())`,
    [secretHash],
  );
  return r.rows[0] ?? null;
}

/** Records use without blocking the request; precision of a minute is enough. */
export async function touchApiKey(q: Queryable, keyId: string): Promise<void> {
  await q.query(
    `update api_keys set last_used_at = now()
     where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    [keyId],
  );
}

/** Revokes one of the organization's keys; false when it has no such unrevoked key. */
export async function revokeApiKey(
  q: Queryable,
  key: { orgId: string; keyId: string },
): Promise<boolean> {
  const r = await q.query(
    `update api_keys set revoked_at = now()
     where id = $1 and org_id = $2 and revoked_at is null`,
    [key.keyId, key.orgId],
  );
  return r.affectedRows > 0;
}
