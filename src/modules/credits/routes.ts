import Type from "typebox";
import type { Queryable } from "../../db/client.ts";
import { formatCredits, parseCredits } from "../../domain/money.ts";
import { LEDGER_KINDS, WALLET_MODES } from "../../domain/vocabulary.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { Credits, ErrorResponse, errorResponses, IsoTime } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { idempotencyOf, runIdempotent } from "../idempotency/index.ts";
import { findOrgInSubtree } from "../orgs/index.ts";
import { transferCredits } from "./movements.ts";
import { listLedger } from "./queries.ts";
import { getWallet } from "./service.ts";

const OrgQuery = Type.Object(
  { orgId: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);

const LedgerQuery = Type.Object(
  {
    orgId: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(IsoTime),
    to: Type.Optional(IsoTime),
    kind: Type.Optional(Type.Enum([...LEDGER_KINDS])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const Wallet = Type.Object({
  balance: Credits,
  held: Credits,
  available: Credits,
  walletMode: Type.Enum([...WALLET_MODES]),
  walletOrgId: Type.String({
    description: "The wallet the organization spends: its own, or with mode parent an ancestor's",
  }),
});

const LedgerEntry = Type.Object({
  id: Type.String(),
  orgId: Type.String({ description: "The organization the movement was for" }),
  walletOrgId: Type.String({ description: "The wallet that moved" }),
  kind: Type.Enum([...LEDGER_KINDS]),
  amount: Credits,
  /** What the balance moved by, signed (an adjustment may take credits back). */
  balanceChange: Credits,
  balanceAfter: Credits,
  heldAfter: Credits,
  campaignId: Type.Optional(Type.String()),
  memo: Type.Optional(Type.String()),
  createdAt: IsoTime,
});

/** A ledger's time range; `to` before `from` is a mistake to name, not an empty page. */
function readRange(from: string | undefined, to: string | undefined) {
  const range = { from: from ? new Date(from) : null, to: to ? new Date(to) : null };
  if (range.from && range.to && range.to <= range.from) {
    throw new AppError("VALIDATION_FAILED", "to must be after from", {
      details: [{ path: "/querystring/to", code: "INVALID_RANGE", message: "must be after from" }],
    });
  }
  return range;
}

/** The caller's organization, or a descendant named by `orgId` (404 outside the subtree). */
async function targetOrg(q: Queryable, scopePath: string, ownOrgId: string, orgId?: string) {
  if (!orgId || orgId === ownOrgId) return ownOrgId;
  const org = await findOrgInSubtree(q, orgId, scopePath);
  if (!org) throw new AppError("NOT_FOUND", "organization not found");
  return org.id;
}

const TransferBody = Type.Object(
  {
    toOrgId: Type.String({ minLength: 1, maxLength: 100 }),
    amount: Type.String({ pattern: "^\\d{1,10}(\\.\\d{1,2})?$", examples: ["1000.00"] }),
    memo: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const TransferView = Type.Object({
  id: Type.String(),
  fromOrgId: Type.String(),
  toOrgId: Type.String(),
  amount: Credits,
  memo: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoTime,
});

export function creditRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/credits/transfers",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["credits"],
        summary: "Move credits from the caller's wallet to a descendant's",
        body: TransferBody,
        response: { 201: TransferView, 402: ErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { toOrgId, memo } = request.body;
      const parsed = parseCredits(request.body.amount);
      if (!parsed.ok || parsed.micro <= 0n) {
        throw new AppError("VALIDATION_FAILED", "amount must be a positive number of credits", {
          details: [{ path: "/amount", code: "INVALID_VALUE", message: 'e.g. "1000.00"' }],
        });
      }
      const to = await findOrgInSubtree(deps.db, toOrgId, p.orgPath);
      if (!to) throw new AppError("NOT_FOUND", "organization not found");
      if (to.walletMode === "parent") {
        throw new AppError(
          "CONFLICT",
          `${to.name} spends its parent's wallet: set its wallet mode to own before moving credits to it`,
          { details: [{ path: "/toOrgId", code: "WALLET_MODE_PARENT", message: to.id }] },
        );
      }
      if (to.id === p.orgId) {
        throw new AppError(
          "VALIDATION_FAILED",
          "a transfer goes to a descendant, not to yourself",
          {
            details: [
              { path: "/toOrgId", code: "INVALID_VALUE", message: "your own organization" },
            ],
          },
        );
      }
      const result = await runIdempotent(
        deps.db,
        { orgId: p.orgId, idempotency: idempotencyOf(request, "POST /v1/credits/transfers") },
        async (q) => {
          const t = await transferCredits(q, {
            fromOrgId: p.orgId,
            toOrgId: to.id,
            amount: parsed.micro,
            memo: memo ?? null,
          });
          return {
            statusCode: 201,
            body: {
              id: t.id,
              fromOrgId: t.fromOrgId,
              toOrgId: t.toOrgId,
              amount: formatCredits(t.amount),
              memo: t.memo,
              createdAt: t.createdAt.toISOString(),
            },
          };
        },
      );
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/credits",
    {
      config: { scope: "read" },
      schema: {
        tags: ["credits"],
        summary: "Balance, held and available credits",
        querystring: OrgQuery,
        response: { 200: Wallet, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const orgId = await targetOrg(deps.db, p.orgPath, p.orgId, request.query.orgId);
      const w = await getWallet(deps.db, orgId);
      return {
        balance: formatCredits(w.balance),
        held: formatCredits(w.held),
        available: formatCredits(w.available),
        walletMode: w.walletOrgId === orgId ? ("own" as const) : ("parent" as const),
        walletOrgId: w.walletOrgId,
      };
    },
  );

  app.get(
    "/v1/credits/ledger",
    {
      config: { scope: "read" },
      schema: {
        tags: ["credits"],
        summary:
          "Credit movements, newest first; from a time (inclusive) to a time (exclusive), of one kind",
        querystring: LedgerQuery,
        response: { 200: Page(LedgerEntry), ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const orgId = await targetOrg(deps.db, p.orgPath, p.orgId, request.query.orgId);
      const { from, to, kind } = request.query;
      const limit = request.query.limit ?? 50;
      const range = readRange(from, to);
      const rows = await listLedger(deps.db, {
        orgId,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
        ...range,
        kind: kind ?? null,
      });
      return toPage(
        rows,
        limit,
        (e) => e.id,
        (e) => ({
          id: e.id,
          orgId: e.forOrgId ?? e.orgId,
          walletOrgId: e.orgId,
          kind: e.kind,
          amount: formatCredits(e.amount),
          balanceChange: formatCredits(e.balanceDelta),
          balanceAfter: formatCredits(e.balanceAfter),
          heldAfter: formatCredits(e.heldAfter),
          ...(e.campaignId ? { campaignId: e.campaignId } : {}),
          ...(e.memo ? { memo: e.memo } : {}),
          createdAt: e.createdAt.toISOString(),
        }),
      );
    },
  );
}
