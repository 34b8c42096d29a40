// API keys managed through the API: created with scopes (never more than the
// caller has), an optional expiry and IP allowlist; the secret is shown once.
// A revoked key is refused by the next request in every process (keys are
// looked up per request, authenticate.ts).
import Type from "typebox";
import { mayGrantScopes } from "../../domain/roles.ts";
import { SCOPES, type Scope } from "../../domain/scopes.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, ListQuery, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { invalidAllowedIps } from "./allowed-ips.ts";
import { type ApiKeyRow, insertApiKey, listApiKeys, revokeApiKey } from "./queries.ts";
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from "./secret.ts";

const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: "The key's first characters, to recognise it" }),
  scopes: Type.Array(Type.String()),
  expiresAt: Nullable(IsoTime),
  allowedIps: Type.Array(Type.String()),
  createdAt: IsoTime,
  lastUsedAt: Nullable(IsoTime),
});

const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: "The secret, shown this once" }),
});

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.Enum([...SCOPES]), { minItems: 1, maxItems: 3, uniqueItems: true }),
    expiresAt: Type.Optional(IsoTime),
    allowedIps: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);

const view = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  expiresAt: k.expiresAt ? k.expiresAt.toISOString() : null,
  allowedIps: k.allowedIps,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt ? k.lastUsedAt.toISOString() : null,
});

export function apiKeyRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/api-keys",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["api-keys"],
        summary: "Create an API key; its secret is shown once",
        body: CreateBody,
        response: { 201: CreatedApiKey, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { name, scopes, expiresAt, allowedIps = [] } = request.body;
      if (!mayGrantScopes(principal.scopes, scopes)) {
        throw new AppError("FORBIDDEN", "a key gets no scope its maker lacks", {
          details: [{ path: "/scopes", code: "SCOPE_TOO_HIGH", message: scopes.join(", ") }],
        });
      }
      const bad = invalidAllowedIps(allowedIps);
      if (bad.length > 0) {
        throw new AppError(
          "VALIDATION_FAILED",
          `"${bad[0]!.entry}" is not an IP address or range`,
          {
            details: bad.map((b) => ({
              path: `/allowedIps/${b.index}`,
              code: "INVALID_VALUE",
              message: "an IPv4 or IPv6 address, or a CIDR range like 203.0.113.0/24",
            })),
          },
        );
      }
      const expiry = expiresAt ? new Date(expiresAt) : null;
      if (expiry && expiry <= deps.now()) {
        throw new AppError("VALIDATION_FAILED", "expiresAt is in the past", {
          details: [{ path: "/expiresAt", code: "IN_PAST", message: expiresAt! }],
        });
      }
      const secret = generateApiKeySecret();
      const id = newId("key");
      await insertApiKey(deps.db, {
        id,
        orgId: principal.orgId,
        name,
        prefix: apiKeyPrefix(secret),
        secretHash: hashApiKeySecret(secret),
        scopes: scopes as Scope[],
        expiresAt: expiry,
        allowedIps,
      });
      const now = deps.now();
      return reply.status(201).send({
        ...view({
          id,
          name,
          prefix: apiKeyPrefix(secret),
          scopes,
          expiresAt: expiry,
          allowedIps,
          createdAt: now,
          lastUsedAt: null,
        }),
        key: secret,
      });
    },
  );

  app.get(
    "/v1/api-keys",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["api-keys"],
        summary: "The organization's API keys (never their secrets)",
        querystring: ListQuery,
        response: { 200: Page(ApiKey), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listApiKeys(deps.db, {
        orgId: principalOf(request).orgId,
        after: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (k) => k.id, view);
    },
  );

  app.delete(
    "/v1/api-keys/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["api-keys"],
        summary: "Revoke an API key: refused from the next request on, in every process",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const revoked = await revokeApiKey(deps.db, {
        orgId: principalOf(request).orgId,
        keyId: request.params.id,
      });
      if (!revoked) throw new AppError("NOT_FOUND", "API key not found");
      return reply.status(204).send(null);
    },
  );
}
