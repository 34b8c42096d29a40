// Console sessions: the `alimi_session` cookie names a session; a request
// that changes anything must also carry the session's CSRF token in
// `x-alimi-csrf` (a cross-site form can send the cookie, never the header).
// Looked up every request, so a logout or a disabled user ends it at once.
import type {} from "@fastify/cookie";
import type { FastifyRequest } from "fastify";
import type { Queryable } from "../../db/client.ts";
import { scopesOfRole } from "../../domain/roles.ts";
import type { Authenticate, Principal } from "../../http/auth.ts";
import { AppError } from "../../lib/errors.ts";
import { findSession } from "./queries.ts";
import { hashToken } from "./tokens.ts";

export const SESSION_COOKIE = "alimi_session";
export const CSRF_HEADER = "x-alimi-csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function sessionToken(request: FastifyRequest): string | undefined {
  return request.cookies?.[SESSION_COOKIE];
}

export function createSessionAuthenticator(db: Queryable, now: () => Date): Authenticate {
  return async function authenticate(request: FastifyRequest): Promise<Principal> {
    const token = sessionToken(request);
    if (!token) throw new AppError("UNAUTHORIZED", "sign in, or send an API key");
    const session = await findSession(db, hashToken(token), now());
    if (!session) throw new AppError("UNAUTHORIZED", "the session has ended: sign in again");
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken) {
      throw new AppError(
        "FORBIDDEN",
        `send the session's CSRF token in ${CSRF_HEADER} (GET /v1/me)`,
      );
    }
    return {
      keyId: null,
      userId: session.userId,
      role: session.role,
      scopes: scopesOfRole(session.role),
      orgId: session.orgId,
      orgKind: session.orgKind,
      orgPath: session.orgPath,
      rateLimit: session.rateLimit,
      csrfToken: session.csrfToken,
    };
  };
}
