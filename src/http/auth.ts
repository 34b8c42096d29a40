// Who is calling /v1: the server asks an injected authenticator (API keys
// live in their module) and checks the route's scope. A principal may reach
// its organization and that organization's subtree.
import type { FastifyRequest } from "fastify";
import type { OrgKind } from "../db/schema/orgs.ts";
import type { Role } from "../domain/roles.ts";
import type { Scope } from "../domain/scopes.ts";
import { AppError } from "../lib/errors.ts";

export interface Principal {
  /** The API key calling, if a key is. */
  keyId: string | null;
  /** The signed-in user calling, if a user is (a console session). */
  userId: string | null;
  /** The user's role; null for a key, whose scopes say what it may do. */
  role: Role | null;
  scopes: string[];
  /** Requests a second the caller's organization allows each caller; null: the server's default. */
  rateLimit?: number | null;
  /** A session's CSRF token (GET /v1/me gives it to the console). */
  csrfToken?: string;
  orgId: string;
  orgKind: OrgKind;
  orgPath: string;
  /** Acting for a descendant (X-Alimi-Org): the caller's own organization. */
  callerOrgId?: string;
}

/** Who the audit log names for a change: the caller's own organization, key and user. */
export function auditActor(p: Principal): {
  orgId: string;
  keyId: string | null;
  userId: string | null;
} {
  return { orgId: p.callerOrgId ?? p.orgId, keyId: p.keyId, userId: p.userId };
}

/** Resolves the request's credentials to a principal, or throws UNAUTHORIZED. */
export type Authenticate = (request: FastifyRequest) => Promise<Principal>;

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The scope a key needs for this route (a user has the scopes of its role). */
    scope?: Scope;
    /** Reached without credentials (signing in, accepting an invitation). */
    public?: boolean;
  }
}

export function requireScope(principal: Principal, scope: Scope | undefined): void {
  if (scope && !principal.scopes.includes(scope)) {
    throw new AppError(
      "FORBIDDEN",
      principal.role
        ? `the role '${principal.role}' may not do this (it needs the '${scope}' scope)`
        : `this API key lacks the '${scope}' scope`,
    );
  }
}

/** The authenticated principal of a /v1 request (set by the auth hook). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError("UNAUTHORIZED", "not authenticated");
  return request.principal;
}
