// Who may do what (API-2.md, "Acting in the tree"): a user's role or an API
// key's scopes. Roles are cumulative — each may do what the one before it may,
// and more — and a caller never hands out more than it has.
import type { Scope } from "./scopes.ts";

export const ROLES = ["viewer", "operator", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };

/** The scopes a role carries: viewer reads, operator also sends, admin also manages. */
export function scopesOfRole(role: Role): Scope[] {
  if (role === "viewer") return ["read"];
  if (role === "operator") return ["read", "send"];
  return ["read", "send", "manage"];
}

/** The highest role whose scopes a set of key scopes covers (what a key may hand out). */
export function roleOfScopes(scopes: readonly string[]): Role | null {
  const has = (s: Scope) => scopes.includes(s);
  if (has("manage") && has("send") && has("read")) return "admin";
  if (has("send") && has("read")) return "operator";
  if (has("read")) return "viewer";
  return null;
}

/**
 * Whether a caller of `caller` role may give someone `target`: never above
 * its own, and only an owner makes owners.
 */
export function mayGrantRole(caller: Role | null, target: Role): boolean {
  if (caller === null) return false;
  if (target === "owner") return caller === "owner";
  return RANK[target] <= RANK[caller];
}

/** Whether every scope asked for is one the caller has. */
export function mayGrantScopes(callerScopes: readonly string[], asked: readonly string[]): boolean {
  return asked.every((s) => callerScopes.includes(s));
}
