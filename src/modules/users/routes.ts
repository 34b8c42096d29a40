import Type from "typebox";
import { ROLES } from "../../domain/roles.ts";
import { SCOPES } from "../../domain/scopes.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, ListQuery, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams, IsoTime } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findOrg, Org, orgView } from "../orgs/index.ts";
import { SESSION_COOKIE, sessionToken } from "./authenticate.ts";
import { findUserById, listOrgUsers, revokeSession } from "./queries.ts";
import {
  changeUser,
  createUser,
  login,
  removeUser,
  setPasswordWithToken,
  userView,
} from "./service.ts";
import { hashToken } from "./tokens.ts";

const Role = Type.Enum([...ROLES]);

const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  orgId: Type.String(),
  status: Type.Enum(["invited", "active", "disabled"]),
  createdAt: IsoTime,
});

const CreatedUser = Type.Object({
  ...User.properties,
  inviteToken: Type.Optional(
    Type.String({ description: "Shown once, when no password was given: for accept-invite" }),
  ),
});

const strict = { additionalProperties: false } as const;
const Email = Type.String({ format: "email", maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 200 });

const Me = Type.Object({
  user: Type.Optional(User),
  role: Type.Optional(Role),
  csrfToken: Type.Optional(
    Type.String({ description: "Send it as x-alimi-csrf on every request that changes anything" }),
  ),
  apiKey: Type.Optional(
    Type.Object({ id: Type.String(), scopes: Type.Array(Type.Enum([...SCOPES])) }),
  ),
  org: Org,
});

const Signed = Type.Object({ user: User, org: Org });

export function userRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/auth/login",
    {
      config: { public: true },
      schema: {
        tags: ["auth"],
        summary: "Sign in: sets the alimi_session cookie",
        security: [],
        body: Type.Object({ email: Email, password: Password }, strict),
        response: { 200: Signed, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await login(deps.db, { ...request.body, now: deps.now() });
      const org = await findOrg(deps.db, result.user.orgId);
      reply.setCookie(SESSION_COOKIE, result.token, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: request.protocol === "https",
        expires: result.expiresAt,
      });
      return { user: result.user, org: orgView(org!) };
    },
  );

  app.post(
    "/v1/auth/logout",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign out: the session ends in every process",
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const token = sessionToken(request);
      if (token) await revokeSession(deps.db, hashToken(token));
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  for (const [url, purpose] of [
    ["/v1/auth/accept-invite", "invite"],
    ["/v1/auth/reset-password", "reset"],
  ] as const) {
    app.post(
      url,
      {
        config: { public: true },
        schema: {
          tags: ["auth"],
          summary:
            purpose === "invite"
              ? "Accept an invitation by choosing a password"
              : "Choose a new password with a one-time token (alimi user reset-password)",
          security: [],
          body: Type.Object(
            { token: Type.String({ minLength: 1, maxLength: 200 }), password: Password },
            strict,
          ),
          response: { 200: User, ...errorResponses },
        },
      },
      async (request) =>
        setPasswordWithToken(deps.db, { ...request.body, purpose, now: deps.now() }),
    );
  }

  app.get(
    "/v1/me",
    {
      schema: {
        tags: ["auth"],
        summary: "Who is calling: the user and role, or the API key, and the organization",
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const org = orgView((await findOrg(deps.db, principal.orgId))!);
      if (principal.userId) {
        const user = await findUserById(deps.db, principal.userId);
        if (!user) throw new AppError("UNAUTHORIZED", "the user no longer exists");
        return {
          user: userView(user),
          role: principal.role!,
          csrfToken: principal.csrfToken,
          org,
        };
      }
      return {
        apiKey: { id: principal.keyId!, scopes: principal.scopes as (typeof SCOPES)[number][] },
        org,
      };
    },
  );

  app.post(
    "/v1/users",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["users"],
        summary: "Add a user; without a password the answer carries an invitation token",
        body: Type.Object(
          {
            email: Email,
            name: Type.String({ minLength: 1, maxLength: 100 }),
            role: Role,
            password: Type.Optional(Password),
          },
          strict,
        ),
        response: { 201: CreatedUser, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const user = await createUser(deps.db, {
        orgId: principal.orgId,
        caller: principal,
        ...request.body,
        now: deps.now(),
      });
      return reply.status(201).send(user);
    },
  );

  app.get(
    "/v1/users",
    {
      config: { scope: "read" },
      schema: {
        tags: ["users"],
        summary: "The organization's users",
        querystring: ListQuery,
        response: { 200: Page(User), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listOrgUsers(deps.db, {
        orgId: principalOf(request).orgId,
        after: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (u) => u.id, userView);
    },
  );

  app.patch(
    "/v1/users/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["users"],
        summary: "Change a user's role, or disable it (its sessions end at once)",
        params: IdParams,
        body: Type.Object(
          {
            role: Type.Optional(Role),
            status: Type.Optional(Type.Enum(["active", "disabled"])),
          },
          { ...strict, minProperties: 1 },
        ),
        response: { 200: User, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return changeUser(deps.db, {
        orgId: principal.orgId,
        caller: principal,
        id: request.params.id,
        ...request.body,
      });
    },
  );

  app.delete(
    "/v1/users/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["users"],
        summary: "Remove a user",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (request.params.id === principal.userId) {
        throw new AppError("CONFLICT", "you cannot remove yourself");
      }
      await removeUser(deps.db, {
        orgId: principal.orgId,
        caller: principal,
        id: request.params.id,
      });
      return reply.status(204).send(null);
    },
  );
}
