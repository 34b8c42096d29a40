// Idempotency-Key on creating requests: the first response to a key is
// stored with a fingerprint of its request, in the same transaction as what
// the request created, and given again to a retry of the same request.
import { createHash } from "node:crypto";
import type { Db, Queryable } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { AppError } from "../../lib/errors.ts";
import { findStoredResponse, insertStoredResponse } from "./queries.ts";

export interface Idempotency {
  key: string;
  requestHash: string;
}

/**
 * The fingerprint of a request: its operation (`POST /v1/templates`, so a
 * key reused on another route is a different request) and its body as
 * canonical JSON, so the same body with its keys in another order is the
 * same request.
 */
export function hashRequest(operation: string, body: unknown): string {
  return createHash("sha256")
    .update(operation)
    .update("\n")
    .update(canonicalJson(body ?? null))
    .digest("hex");
}

/** JSON with object keys sorted at every level (bodies are depth-bounded by the server). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
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

/** The request's idempotency, if it carries a key: the key and the request's fingerprint. */
export function idempotencyOf(
  request: { headers: Record<string, string | string[] | undefined>; body?: unknown },
  operation: string,
): Idempotency | null {
  const key = idempotencyKeyOf(request.headers);
  return key ? { key, requestHash: hashRequest(operation, request.body) } : null;
}

export interface CreatedResponse<T> {
  statusCode: number;
  body: T;
}

/**
 * How a stored response is kept: as it is, or sealed when it shows a secret
 * once (a vendor account's webhook signature), so that the database never
 * holds that secret in the clear.
 */
export interface ResponseSeal {
  seal(text: string): string;
  open(sealed: string): string;
}

interface Scope {
  orgId: string;
  idempotency: Idempotency | null;
  seal?: ResponseSeal;
}

/** Stores the response in the caller's transaction (the one that creates what it answers). */
export type RecordResponse<T> = (q: Queryable, response: CreatedResponse<T>) => Promise<void>;

/**
 * Runs a creating request at most once per (organization, Idempotency-Key).
 * `create` runs inside a transaction (a Db whose own transactions join it);
 * its response is stored in that same transaction, so a replay finds either
 * everything or nothing. A replay with the same request returns the first
 * response; with another, 409. Requests that fail (400, 402…) store nothing
 * and may be retried with the same key.
 */
export async function runIdempotent<T>(
  db: Db,
  scope: Scope,
  create: (q: Db) => Promise<CreatedResponse<T>>,
): Promise<CreatedResponse<T>> {
  return runIdempotentSteps(db, scope, (record) =>
    db.tx(async (q) => {
      const result = await create(joined(db, q));
      await record(q, result);
      return result;
    }),
  );
}

/**
 * The same, for a request whose work is not one transaction (a connection
 * test before the insert): `run` opens its own transaction for what it
 * creates and calls `record` inside it.
 */
export async function runIdempotentSteps<T>(
  db: Db,
  scope: Scope,
  run: (record: RecordResponse<T>) => Promise<CreatedResponse<T>>,
): Promise<CreatedResponse<T>> {
  const { orgId, idempotency, seal } = scope;
  if (!idempotency) return run(async () => {});

  const replay = async () => {
    const stored = await findStoredResponse(db, orgId, idempotency.key);
    if (!stored) return null;
    if (stored.requestHash !== idempotency.requestHash) {
      throw new AppError("CONFLICT", "this Idempotency-Key was already used with another request", {
        details: [{ path: "/headers/idempotency-key", code: "IDEMPOTENCY_KEY_REUSED" }],
      });
    }
    const body = seal
      ? JSON.parse(seal.open((stored.response as { sealed: string }).sealed))
      : stored.response;
    return { statusCode: stored.statusCode, body: body as T };
  };

  const first = await replay();
  if (first) return first;
  try {
    return await run(async (q, result) => {
      await insertStoredResponse(q, {
        orgId,
        key: idempotency.key,
        requestHash: idempotency.requestHash,
        statusCode: result.statusCode,
        response: seal ? { sealed: seal.seal(JSON.stringify(result.body)) } : result.body,
      });
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

/** An open transaction as a Db: work that opens a transaction of its own joins this one. */
function joined(db: Db, q: Queryable): Db {
  return {
    engine: db.engine,
    query: (text, params) => q.query(text, params),
    copyFrom: (target, chunks) => q.copyFrom(target, chunks),
    tx: (fn) => fn(q),
    session: (fn) => fn(q),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    notify: (channel, payload) => db.notify(channel, payload),
    close: () => Promise.reject(new Error("a transaction's Db cannot close the database")),
  };
}
