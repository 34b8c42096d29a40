import { describe, expect, it } from "vitest";
import { mayGrantRole, mayGrantScopes, roleOfScopes, scopesOfRole } from "./roles.ts";

describe("roles", () => {
  it.each([
    ["viewer", ["read"]],
    ["operator", ["read", "send"]],
    ["admin", ["read", "send", "manage"]],
    ["owner", ["read", "send", "manage"]],
  ] as const)("%s carries %j", (role, scopes) => {
    expect(scopesOfRole(role)).toEqual(scopes);
  });

  it("never lets a caller grant above itself; only an owner makes owners", () => {
    expect(mayGrantRole("admin", "admin")).toBe(true);
    expect(mayGrantRole("admin", "operator")).toBe(true);
    expect(mayGrantRole("admin", "owner")).toBe(false);
    expect(mayGrantRole("operator", "admin")).toBe(false);
    expect(mayGrantRole("viewer", "viewer")).toBe(true);
    expect(mayGrantRole("owner", "owner")).toBe(true);
    expect(mayGrantRole(null, "viewer")).toBe(false);
  });

  it("reads a key's scopes as the role they amount to", () => {
    expect(roleOfScopes(["send", "read", "manage"])).toBe("admin");
    expect(roleOfScopes(["read", "send"])).toBe("operator");
    expect(roleOfScopes(["send"])).toBeNull();
    expect(roleOfScopes(["read"])).toBe("viewer");
    expect(mayGrantScopes(["read", "send"], ["send"])).toBe(true);
    expect(mayGrantScopes(["read", "send"], ["manage"])).toBe(false);
  });
});
