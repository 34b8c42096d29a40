import Type from "typebox";
import type { Queryable } from "../../db/client.ts";
import { formatCredits } from "../../domain/money.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { Credits, errorResponses, IsoTime } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findOrgInSubtree } from "../orgs/index.ts";
import { listLedger } from "./queries.ts";
import { getWallet } from "./service.ts";

const OrgQuery = Type.Object(
  { orgId: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);

const LedgerQuery = Type.Object(
  {
    orgId: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const Wallet = Type.Object({ balance: Credits, held: Credits, available: Credits });

const LedgerEntry = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  amount: Credits,
  balanceAfter: Credits,
  heldAfter: Credits,
  campaignId: Type.Optional(Type.String()),
  memo: Type.Optional(Type.String()),
  createdAt: IsoTime,
});

/** The caller's organization, or a descendant named by `orgId` (404 outside the subtree). */
async function targetOrg(q: Queryable, scopePath: string, ownOrgId: string, orgId?: string) {
  if (!orgId || orgId === ownOrgId) return ownOrgId;
  const org = await findOrgInSubtree(q, orgId, scopePath);
  if (!org) throw new AppError("NOT_FOUND", "organization not found");
  return org.id;
}

export function creditRoutes(app: App, deps: RouteDeps) {
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
      };
    },
  );

  app.get(
    "/v1/credits/ledger",
    {
      config: { scope: "read" },
      schema: {
        tags: ["credits"],
        summary: "Credit movements, newest first",
        querystring: LedgerQuery,
        response: { 200: Page(LedgerEntry), ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const orgId = await targetOrg(deps.db, p.orgPath, p.orgId, request.query.orgId);
      const limit = request.query.limit ?? 50;
      const rows = await listLedger(deps.db, {
        orgId,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(
        rows,
        limit,
        (e) => e.id,
        (e) => ({
          id: e.id,
          kind: e.kind,
          amount: formatCredits(e.amount),
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
