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
  },
): Promise<void> {
  await q.query(
    `insert into api_keys (id, org_id, name, prefix, secret_hash, scopes)
     values ($1, $2, $3, $4, $5, $6)`,
    [key.id, key.orgId, key.name, key.prefix, key.secretHash, key.scopes],
  );
}

/** The key with this secret hash and its organization, unless revoked. */
export async function findPrincipalByHash(
  q: Queryable,
  secretHash: string,
): Promise<Principal | null> {
  const r = await q.query<Principal>(
    `select k.id as "keyId", k.scopes, o.id as "orgId", o.kind as "orgKind", o.path as "orgPath"
     from api_keys k join orgs o on o.id = k.org_id
     where k.secret_hash = $1 and k.revoked_at is null`,
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
