// Bearer API keys: the key names an organization, and the request may reach
// that organization and its subtree with the key's scopes.
import type { FastifyRequest } from "fastify";
import type { Queryable } from "../../db/client.ts";
import type { Authenticate, Principal } from "../../http/auth.ts";
import { AppError } from "../../lib/errors.ts";
import { findPrincipalByHash, touchApiKey } from "./queries.ts";
import { hashApiKeySecret } from "./secret.ts";

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

/**
 * Resolves keys to principals, caching hits briefly so that a burst of
 * requests does not look the same key up each time. Revocation takes effect
 * within the cache's lifetime.
 */
export function createKeyAuthenticator(db: Queryable, now: () => number = Date.now): Authenticate {
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
