import { createHash } from "node:crypto";
import type { Db, Queryable } from "../../db/client.ts";
import { AppError } from "../../lib/errors.ts";
import { isUniqueViolation } from "../credits/index.ts";
import { findStoredResponse, insertStoredResponse } from "./queries.ts";

export interface Idempotency {
  key: string;
  requestHash: string;
}

export function hashRequest(body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(body ?? null))
    .digest("hex");
}

/** The request's Idempotency-Key header, if any; one of 1 to 200 characters, or a 400. */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>) {
  const key = headers["idempotency-key"];
  if (Array.isArray(key) || (key !== undefined && (key.length === 0 || key.length > 200))) {
    throw new AppError("VALIDATION_FAILED", "Idempotency-Key must be 1 to 200 characters", {
      details: [{ path: "/headers/idempotency-key", code: "INVALID_VALUE" }],
    });
  }
  return key;
}

export interface CreatedResponse<T> {
  statusCode: number;
  body: T;
}

/**
 * Runs a creating request at most once per (organization, Idempotency-Key).
 * `create` runs inside a transaction; its response is stored in that same
 * transaction, so a replay finds either everything or nothing. A replay with
 * the same body returns the first response; with another body, 409. Requests
 * that fail (400, 402…) store nothing and may be retried with the same key.
 */
export async function runIdempotent<T>(
  db: Db,
  scope: { orgId: string; idempotency: Idempotency | null },
  create: (q: Queryable) => Promise<CreatedResponse<T>>,
): Promise<CreatedResponse<T>> {
  const { orgId, idempotency } = scope;
  if (!idempotency) return db.tx(create);

  const replay = async () => {
    const stored = await findStoredResponse(db, orgId, idempotency.key);
    if (!stored) return null;
    if (stored.requestHash !== idempotency.requestHash) {
      throw new AppError(
        "CONFLICT",
        "this Idempotency-Key was already used with a different request body",
      );
    }
    return { statusCode: stored.statusCode, body: stored.response as T };
  };

  const first = await replay();
  if (first) return first;
  try {
    return await db.tx(async (q) => {
      const result = await create(q);
      await insertStoredResponse(q, {
        orgId,
        key: idempotency.key,
        requestHash: idempotency.requestHash,
        statusCode: result.statusCode,
        response: result.body,
      });
      return result;
    });
  } catch (err) {
    // A concurrent request with the same key won the race: answer as it did.
    if (isUniqueViolation(err, "idempotency_keys_org_id_key_pk")) {
      const winner = await replay();
      if (winner) return winner;
    }
    throw err;
  }
}
