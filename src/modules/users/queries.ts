import type { Queryable } from "../../db/client.ts";
import type { Role } from "../../domain/roles.ts";
import type { OrgKind, UserStatus } from "../../domain/vocabulary.ts";

export interface UserRow {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  passwordHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const USER_COLUMNS = `u.id, u.org_id as "orgId", u.email, u.name, u.role, u.status,
  u.password_hash as "passwordHash", u.created_at as "createdAt", u.updated_at as "updatedAt"`;

/** Inserts a user; null when the email is taken. */
export async function insertUser(
  q: Queryable,
  user: Omit<UserRow, "createdAt" | "updatedAt">,
): Promise<UserRow | null> {
  const r = await q.query<UserRow>(
    `insert into users as u (id, org_id, email, name, role, status, password_hash)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (email) do nothing
     returning ${USER_COLUMNS}`,
    [user.id, user.orgId, user.email, user.name, user.role, user.status, user.passwordHash],
  );
  return r.rows[0] ?? null;
}

export async function findUserById(q: Queryable, id: string): Promise<UserRow | null> {
  const r = await q.query<UserRow>(`select ${USER_COLUMNS} from users u where u.id = $1`, [id]);
  return r.rows[0] ?? null;
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | null> {
  const r = await q.query<UserRow>(`select ${USER_COLUMNS} from users u where u.email = $1`, [
    email,
  ]);
  return r.rows[0] ?? null;
}

/** A user of this organization (not of its descendants: each manages its own people). */
export async function findOrgUser(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<UserRow | null> {
  const r = await q.query<UserRow>(
    `select ${USER_COLUMNS} from users u where u.id = $1 and u.org_id = $2`,
    [id, orgId],
  );
  return r.rows[0] ?? null;
}

export async function listOrgUsers(
  q: Queryable,
  options: { orgId: string; after: string | null; limit: number },
): Promise<UserRow[]> {
  const r = await q.query<UserRow>(
    `select ${USER_COLUMNS} from users u
     where u.org_id = $1 and ($2::text is null or u.id > $2) order by u.id limit $3`,
    [options.orgId, options.after, options.limit],
  );
  return r.rows;
}

export async function updateUser(
  q: Queryable,
  id: string,
  change: { role?: Role; status?: UserStatus; passwordHash?: string },
): Promise<UserRow | null> {
  const r = await q.query<UserRow>(
    `update users u set role = coalesce($2, role), status = coalesce($3, status),
       password_hash = coalesce($4, password_hash), updated_at = now()
     where u.id = $1 returning ${USER_COLUMNS}`,
    [id, change.role ?? null, change.status ?? null, change.passwordHash ?? null],
  );
  return r.rows[0] ?? null;
}

export async function deleteUser(q: Queryable, id: string): Promise<void> {
  await q.query("delete from users where id = $1", [id]);
}

/** Owners of an organization still able to sign in. */
export async function countActiveOwners(q: Queryable, orgId: string): Promise<number> {
  const r = await q.query<{ n: number }>(
    `select count(*)::int as n from users
     where org_id = $1 and role = 'owner' and status = 'active'`,
    [orgId],
  );
  return r.rows[0]!.n;
}

export async function insertUserToken(
  q: Queryable,
  token: { tokenHash: string; userId: string; purpose: "invite" | "reset"; expiresAt: Date },
): Promise<void> {
  await q.query(
    `insert into user_tokens (token_hash, user_id, purpose, expires_at) values ($1, $2, $3, $4)`,
    [token.tokenHash, token.userId, token.purpose, token.expiresAt],
  );
}

/** Uses a one-time token: marks it used and returns its user, or null if unknown, used or expired. */
export async function useUserToken(
  q: Queryable,
  options: { tokenHash: string; purpose: "invite" | "reset"; now: Date },
): Promise<string | null> {
  const r = await q.query<{ userId: string }>(
    `update user_tokens set used_at = $3
     where token_hash = $1 and purpose = $2 and used_at is null and expires_at > $3
     returning user_id as "userId"`,
    [options.tokenHash, options.purpose, options.now],
  );
  return r.rows[0]?.userId ?? null;
}

export async function insertSession(
  q: Queryable,
  session: { tokenHash: string; userId: string; csrfToken: string; expiresAt: Date },
): Promise<void> {
  await q.query(
    `insert into sessions (token_hash, user_id, csrf_token, expires_at) values ($1, $2, $3, $4)`,
    [session.tokenHash, session.userId, session.csrfToken, session.expiresAt],
  );
}

export interface SessionPrincipal {
  rateLimit: number | null;
  userId: string;
  role: Role;
  csrfToken: string;
  orgId: string;
  orgKind: OrgKind;
  orgPath: string;
}

/** The live session with this token hash: not revoked, not expired, its user active. */
export async function findSession(
  q: Queryable,
  tokenHash: string,
  now: Date,
): Promise<SessionPrincipal | null> {
  const r = await q.query<SessionPrincipal>(
    `select u.id as "userId", u.role, s.csrf_token as "csrfToken",
       o.id as "orgId", o.kind as "orgKind", o.path as "orgPath",
       o.rate_limit as "rateLimit"
     from sessions s join users u on u.id = s.user_id join orgs o on o.id = u.org_id
     where s.token_hash = $1 and s.revoked_at is null and s.expires_at > $2
       and u.status = 'active'`,
    [tokenHash, now],
  );
  return r.rows[0] ?? null;
}

export async function revokeSession(q: Queryable, tokenHash: string): Promise<void> {
  await q.query("update sessions set revoked_at = now() where token_hash = $1", [tokenHash]);
}

export async function revokeUserSessions(q: Queryable, userId: string): Promise<void> {
  await q.query(
    "update sessions set revoked_at = now() where user_id = $1 and revoked_at is null",
    [userId],
  );
}

export async function recordLoginFailure(q: Queryable, email: string, at: Date): Promise<void> {
  await q.query("insert into login_failures (email, at) values ($1, $2)", [email, at]);
}

/** Failed logins for this email since `since`, and the oldest of them. */
export async function recentLoginFailures(
  q: Queryable,
  email: string,
  since: Date,
): Promise<{ count: number; oldest: Date | null }> {
  const r = await q.query<{ count: number; oldest: Date | null }>(
    `select count(*)::int as count, min(at) as oldest from login_failures
     where email = $1 and at > $2`,
    [email, since],
  );
  return r.rows[0]!;
}
