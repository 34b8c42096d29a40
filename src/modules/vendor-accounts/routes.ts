import Type from "typebox";
import { auditActor, type Principal, principalOf } from "../../http/auth.ts";
import { errorResponses, IdParams, IsoTime, Nullable } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { VENDOR_NAMES } from "../../vendors/registry.ts";
import { idempotencyOf, runIdempotentSteps } from "../idempotency/index.ts";
import {
  createVendorAccount,
  type ManagingActor,
  removeVendorAccount,
  runConnectionTest,
  updateVendorAccountFrom,
  type VendorAccountDeps,
  type VendorAccountView,
  vendorAccountView,
} from "./manage.ts";
import {
  findVendorAccountInSubtree,
  listVendorAccounts,
  type VendorAccountRecord,
} from "./queries.ts";

const strict = { additionalProperties: false } as const;
const Credentials = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 4000 }), {
  maxProperties: 20,
});
const Settings = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
  maxProperties: 50,
});

const VendorAccount = Type.Object({
  id: Type.String(),
  vendor: Type.Enum(VENDOR_NAMES),
  name: Type.String(),
  settings: Type.Record(Type.String(), Type.Unknown()),
  credentials: Type.Record(Type.String(), Type.String()),
  version: Type.Integer(),
  status: Type.String(),
  lastTestedAt: Nullable(IsoTime),
  webhookUrl: Nullable(Type.String()),
  webhookSignature: Nullable(Type.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

const ConnectionTest = Type.Object({
  ok: Type.Boolean(),
  message: Type.String(),
  latencyMs: Type.Integer(),
});

export function actorOf(principal: Principal): ManagingActor {
  return { ...auditActor(principal), isOperator: principal.orgKind === "platform" };
}

export function vendorAccountRoutes(app: App, deps: VendorAccountDeps) {
  /** An account the caller may manage: one its own organization owns (others are 404). */
  const owned = async (principal: Principal, id: string) => {
    const row = await findVendorAccountInSubtree(deps.db, id, principal.orgPath);
    if (!row || row.orgId !== principal.orgId)
      throw new AppError("NOT_FOUND", "vendor account not found");
    return row;
  };

  app.post(
    "/v1/vendor-accounts",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["vendors"],
        summary: "Connect a vendor account (credentials are tested first)",
        body: Type.Object(
          {
            vendor: Type.Enum(VENDOR_NAMES),
            name: Type.String({ minLength: 1, maxLength: 100 }),
            // Optional for the sandbox, which issues its own.
            credentials: Type.Optional(Credentials),
            settings: Type.Optional(Settings),
            force: Type.Optional(Type.Boolean()),
          },
          strict,
        ),
        response: { 201: VendorAccount, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(principalOf(request));
      // The answer shows the webhook signature in full, once: stored sealed for a replay.
      const scope = {
        orgId: actor.orgId,
        idempotency: idempotencyOf(request, "POST /v1/vendor-accounts"),
        seal: deps.box,
      };
      const answer = (row: VendorAccountRecord) => ({
        statusCode: 201,
        body: vendorAccountView(deps, row, { revealSignature: true }),
      });
      const result = await runIdempotentSteps<VendorAccountView>(deps.db, scope, async (record) =>
        answer(
          await createVendorAccount(deps, actor, request.body, (q, row) => record(q, answer(row))),
        ),
      );
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/vendor-accounts",
    {
      config: { scope: "read" },
      schema: {
        tags: ["vendors"],
        summary: "The organization's vendor accounts",
        response: {
          200: Type.Object({ data: Type.Array(VendorAccount), nextCursor: Type.Null() }),
        },
      },
    },
    async (request) => ({
      data: (await listVendorAccounts(deps.db, principalOf(request).orgId)).map((r) =>
        vendorAccountView(deps, r),
      ),
      nextCursor: null,
    }),
  );

  app.get(
    "/v1/vendor-accounts/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["vendors"],
        summary: "One vendor account (credentials masked)",
        params: IdParams,
        response: { 200: VendorAccount, ...errorResponses },
      },
    },
    async (request) =>
      vendorAccountView(deps, await owned(principalOf(request), request.params.id)),
  );

  app.patch(
    "/v1/vendor-accounts/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["vendors"],
        summary: "Change a vendor account; carries the version it read (stale → 409)",
        params: IdParams,
        body: Type.Object(
          {
            version: Type.Integer({ minimum: 1 }),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            settings: Type.Optional(Settings),
            credentials: Type.Optional(Credentials),
            status: Type.Optional(Type.Enum(["active", "disabled"])),
            force: Type.Optional(Type.Boolean()),
          },
          strict,
        ),
        response: { 200: VendorAccount, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const current = await owned(principal, request.params.id);
      const row = await updateVendorAccountFrom(deps, actorOf(principal), current, request.body);
      return vendorAccountView(deps, row);
    },
  );

  app.delete(
    "/v1/vendor-accounts/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["vendors"],
        summary: "Remove a vendor account no routing uses",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await removeVendorAccount(
        deps,
        actorOf(principal),
        await owned(principal, request.params.id),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/v1/vendor-accounts/:id/test",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["vendors"],
        summary: "Test the account's credentials with a cheap authenticated call",
        params: IdParams,
        response: { 200: ConnectionTest, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return runConnectionTest(deps, actorOf(principal), await owned(principal, request.params.id));
    },
  );
}
