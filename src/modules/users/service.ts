// People: users of an organization, invitations, sign-in with a session
// cookie, and one-time password resets. A caller manages the users of the
// organization it acts for, never above its own role.
import type { Db, Queryable } from "../../db/client.ts";
import { mayGrantRole, type Role } from "../../domain/roles.ts";
import type { UserStatus } from "../../domain/vocabulary.ts";
import type { Principal } from "../../http/auth.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import {
  decoyHash,
  hashPassword,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from "../../lib/password.ts";
import {
  countActiveOwners,
  deleteUser,
  findOrgUser,
  findUserByEmail,
  insertSession,
  insertUser,
  insertUserToken,
  recentLoginFailures,
  recordLoginFailure,
  revokeUserSessions,
  type UserRow,
  updateUser,
  useUserToken,
} from "./queries.ts";
import { hashToken, newToken } from "./tokens.ts";

export const SESSION_TTL_MS = 12 * 3_600_000;
const INVITE_TTL_MS = 7 * 86_400_000;
const RESET_TTL_MS = 3_600_000;
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_FAILURES_MAX = 10;

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  orgId: string;
  status: UserStatus;
  createdAt: string;
}

export const userView = (u: UserRow): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  orgId: u.orgId,
  status: u.status,
  createdAt: u.createdAt.toISOString(),
});

const normalEmail = (email: string) => email.trim().toLowerCase();

function checkPassword(password: string): void {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    throw new AppError(
      "VALIDATION_FAILED",
      `a password has at least ${PASSWORD_MIN_LENGTH} characters`,
      {
        details: [
          {
            path: "/password",
            code: "PASSWORD_TOO_SHORT",
            message: `at least ${PASSWORD_MIN_LENGTH} characters`,
          },
        ],
      },
    );
  }
}

/** The role a caller has to hand out: a user's own; a key's by its scopes (never owner). */
function grantingRole(caller: Principal): Role | null {
  if (caller.role) return caller.role;
  return caller.scopes.includes("manage") ? "admin" : null;
}

function checkGrant(caller: Principal, role: Role): void {
  if (!mayGrantRole(grantingRole(caller), role)) {
    throw new AppError("FORBIDDEN", `you may not give the role '${role}'`, {
      details: [{ path: "/role", code: "ROLE_TOO_HIGH", message: role }],
    });
  }
}

export interface CreatedUser extends UserView {
  /** Shown once, for POST /v1/auth/accept-invite, when no password was given. */
  inviteToken?: string;
}

export async function createUser(
  q: Queryable,
  options: {
    orgId: string;
    caller: Principal | null;
    email: string;
    name: string;
    role: Role;
    password?: string;
    now: Date;
  },
): Promise<CreatedUser> {
  if (options.caller) checkGrant(options.caller, options.role);
  if (options.password !== undefined) checkPassword(options.password);
  const email = normalEmail(options.email);
  const user = await insertUser(q, {
    id: newId("usr"),
    orgId: options.orgId,
    email,
    name: options.name,
    role: options.role,
    status: options.password === undefined ? "invited" : "active",
    passwordHash: options.password === undefined ? null : await hashPassword(options.password),
  });
  if (!user) {
    throw new AppError("CONFLICT", `a user with the email ${email} exists`, {
      details: [{ path: "/email", code: "EMAIL_TAKEN", message: email }],
    });
  }
  if (options.password !== undefined) return userView(user);
  const inviteToken = newToken();
  await insertUserToken(q, {
    tokenHash: hashToken(inviteToken),
    userId: user.id,
    purpose: "invite",
    expiresAt: new Date(options.now.getTime() + INVITE_TTL_MS),
  });
  return { ...userView(user), inviteToken };
}

/** Sets the password of the user a one-time token was made for; the token is spent. */
export async function setPasswordWithToken(
  db: Db,
  options: { token: string; purpose: "invite" | "reset"; password: string; now: Date },
): Promise<UserView> {
  checkPassword(options.password);
  const passwordHash = await hashPassword(options.password);
  return db.tx(async (q) => {
    const userId = await useUserToken(q, {
      tokenHash: hashToken(options.token),
      purpose: options.purpose,
      now: options.now,
    });
    if (!userId) {
      throw new AppError("VALIDATION_FAILED", "the token is not valid (unknown, used or expired)", {
        details: [{ path: "/token", code: "TOKEN_INVALID", message: "ask for a new one" }],
      });
    }
    const user = await updateUser(q, userId, { passwordHash, status: "active" });
    // A new password signs out every session made with the old one.
    await revokeUserSessions(q, userId);
    return userView(user!);
  });
}

/** A one-time password reset token for the user with this email (the CLI prints it). */
export async function issuePasswordReset(
  q: Queryable,
  options: { email: string; now: Date },
): Promise<{ user: UserView; token: string }> {
  const user = await findUserByEmail(q, normalEmail(options.email));
  if (!user) throw new AppError("NOT_FOUND", `no user with the email ${options.email}`);
  const token = newToken();
  await insertUserToken(q, {
    tokenHash: hashToken(token),
    userId: user.id,
    purpose: "reset",
    expiresAt: new Date(options.now.getTime() + RESET_TTL_MS),
  });
  return { user: userView(user), token };
}

export interface LoginResult {
  user: UserView;
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Signs in: ten failures for one email within fifteen minutes refuse every
 * further attempt (429 with the seconds until the oldest leaves the window),
 * whatever the password. An unknown email costs as long as a wrong password.
 */
export async function login(
  db: Db,
  options: { email: string; password: string; now: Date },
): Promise<LoginResult> {
  const email = normalEmail(options.email);
  const since = new Date(options.now.getTime() - LOGIN_WINDOW_MS);
  const failures = await recentLoginFailures(db, email, since);
  if (failures.count >= LOGIN_FAILURES_MAX && failures.oldest) {
    const retryAfterMs = failures.oldest.getTime() + LOGIN_WINDOW_MS - options.now.getTime();
    throw new AppError(
      "RATE_LIMITED",
      "too many failed sign-ins for this email; wait and try again",
      {
        retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
      },
    );
  }
  const user = await findUserByEmail(db, email);
  const ok =
    user?.passwordHash != null
      ? await verifyPassword(options.password, user.passwordHash)
      : await verifyPassword(options.password, await decoyHash()).then(() => false);
  if (!user || !ok || user.status !== "active") {
    await recordLoginFailure(db, email, options.now);
    throw new AppError("UNAUTHORIZED", "the email or the password is wrong");
  }
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(options.now.getTime() + SESSION_TTL_MS);
  await insertSession(db, { tokenHash: hashToken(token), userId: user.id, csrfToken, expiresAt });
  return { user: userView(user), token, csrfToken, expiresAt };
}

/** Changes a user's role or status; a disabled user's sessions end at once. */
export async function changeUser(
  db: Db,
  options: {
    orgId: string;
    caller: Principal;
    id: string;
    role?: Role;
    status?: "active" | "disabled";
  },
): Promise<UserView> {
  return db.tx(async (q) => {
    const owners = await lockActiveOwners(q, options.orgId);
    const user = await findOrgUser(q, options.orgId, options.id);
    if (!user) throw new AppError("NOT_FOUND", "user not found");
    // Whoever may not give a user's role may not change that user either.
    checkGrant(options.caller, user.role);
    if (options.role) checkGrant(options.caller, options.role);
    const changed = await updateUser(q, user.id, { role: options.role, status: options.status });
    await keepAnOwner(q, options.orgId, owners);
    if (options.status === "disabled") await revokeUserSessions(q, user.id);
    return userView(changed!);
  });
}

export async function removeUser(
  db: Db,
  options: { orgId: string; caller: Principal; id: string },
): Promise<void> {
  await db.tx(async (q) => {
    const owners = await lockActiveOwners(q, options.orgId);
    const user = await findOrgUser(q, options.orgId, options.id);
    if (!user) throw new AppError("NOT_FOUND", "user not found");
    checkGrant(options.caller, user.role);
    await deleteUser(q, user.id);
    await keepAnOwner(q, options.orgId, owners);
  });
}

/**
 * The organization's active owners, locked: two changes that would each
 * leave the last owner (two admins demoting the two owners at once) take
 * turns, and the second finds one owner fewer.
 */
async function lockActiveOwners(q: Queryable, orgId: string): Promise<number> {
  const r = await q.query(
    `select id from users where org_id = $1 and role = 'owner' and status = 'active' for update`,
    [orgId],
  );
  return r.rows.length;
}

/** An organization that had an active owner keeps one. */
async function keepAnOwner(q: Queryable, orgId: string, before: number): Promise<void> {
  if (before > 0 && (await countActiveOwners(q, orgId)) === 0) {
    throw new AppError("CONFLICT", "an organization keeps at least one active owner", {
      details: [{ path: "/role", code: "LAST_OWNER", message: "make another owner first" }],
    });
  }
}
