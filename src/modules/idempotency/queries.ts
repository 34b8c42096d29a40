import type { Queryable } from "../../db/client.ts";

export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

export async function findStoredResponse(
  q: Queryable,
  orgId: string,
  key: string,
): Promise<StoredResponse | null> {
  const r = await q.query<StoredResponse>(
    `select request_hash as "requestHash", status_code as "statusCode", response
     from idempotency_keys where org_id = $1 and key = $2`,
    [orgId, key],
  );
  return r.rows[0] ?? null;
}

/** Fails with a unique violation if a concurrent request with the same key committed first. */
export async function insertStoredResponse(
  q: Queryable,
  entry: { orgId: string; key: string } & StoredResponse,
): Promise<void> {
  await q.query(
    `insert into idempotency_keys (org_id, key, request_hash, status_code, response)
     values ($1, $2, $3, $4, $5)`,
    [entry.orgId, entry.key, entry.requestHash, entry.statusCode, JSON.stringify(entry.response)],
  );
}
