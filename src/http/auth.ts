// Bearer API keys on /v1: the key names an organization, and the request may
// reach that organization and its subtree with the key's scopes.
import type { FastifyRequest } from "fastify";
import type { Queryable } from "../db/client.ts";
import { AppError } from "../lib/errors.ts";
import {
  findPrincipalByHash,
  type KeyPrincipal,
  touchApiKey,
} from "../modules/api-keys/queries.ts";
import { hashApiKeySecret, type Scope } from "../modules/api-keys/secret.ts";

export type Principal = KeyPrincipal;

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The scope a key needs for this route. */
    scope?: Scope;
  }
}

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

/**
 * Resolves keys to principals, caching hits briefly so that a burst of
 * requests does not look the same key up each time. Revocation takes effect
 * within the cache's lifetime.
 */
export function createAuthenticator(db: Queryable, now: () => number = Date.now) {
  const cache = new Map<string, { principal: Principal; expires: number }>();
  return async function authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new AppError("UNAUTHORIZED", "send an API key as 'Authorization: Bearer <key>'");
    }
    const hash = hashApiKeySecret(match[1]);
    const cached = cache.get(hash);
    if (cached && cached.expires > now()) return cached.principal;
    const principal = await findPrincipalByHash(db, hash);
    if (!principal) throw new AppError("UNAUTHORIZED", "the API key is not valid");
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, { principal, expires: now() + CACHE_TTL_MS });
    touchApiKey(db, principal.keyId).catch((err) => request.log.warn({ err }, "touch api key"));
    return principal;
  };
}

export function requireScope(principal: Principal, scope: Scope | undefined): void {
  if (scope && !principal.scopes.includes(scope)) {
    throw new AppError("FORBIDDEN", `this API key lacks the '${scope}' scope`);
  }
}

/** The authenticated principal of a /v1 request (set by the auth hook). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError("UNAUTHORIZED", "not authenticated");
  return request.principal;
}
