import { sql } from "drizzle-orm";
import {
  bigserial,
  check,
  index,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { Role } from "../../domain/roles.ts";
import type { UserStatus } from "../../domain/vocabulary.ts";
import { orgs } from "./orgs.ts";

export type { UserStatus };

/**
 * People who sign in to the console. An email is one user on the platform
 * (stored lower-cased); the user belongs to one organization with one role.
 * `password_hash` is scrypt (lib/password.ts); null until an invitation is
 * accepted.
 */
export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role").$type<Role>().notNull(),
    status: text("status").$type<UserStatus>().notNull(),
    passwordHash: text("password_hash"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    index("users_org_idx").on(t.orgId, t.id),
    check("users_role_check", sql`${t.role} in ('viewer', 'operator', 'admin', 'owner')`),
    check("users_status_check", sql`${t.status} in ('invited', 'active', 'disabled')`),
    check("users_email_check", sql`${t.email} = lower(${t.email})`),
  ],
);

/** One-time tokens (an invitation, a password reset), stored as a SHA-256. */
export const userTokens = pgTable(
  "user_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose").$type<"invite" | "reset">().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [check("user_tokens_purpose_check", sql`${t.purpose} in ('invite', 'reset')`)],
);

/**
 * Console sessions: the cookie carries a random token, the table its SHA-256
 * and the CSRF token state-changing requests must echo. Looked up on every
 * request, so a logout or a disabled user takes effect at once everywhere.
 */
export const sessions = pgTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    csrfToken: text("csrf_token").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Failed logins, by email: ten within fifteen minutes lock that email out for the rest of them. */
export const loginFailures = pgTable(
  "login_failures",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    email: text("email").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("login_failures_email_idx").on(t.email, t.at)],
);
