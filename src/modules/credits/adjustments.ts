// The platform operator's corrections of a wallet, each with its reason and
// in the audit log: credits added or taken back (`adjustment`), or taken
// back because their money was returned to the customer outside a payment's
// own cancellation (`refund`). Only the platform makes them (credits are
// otherwise bought, granted or moved down the tree), and only from credits
// still available: what campaigns hold stays theirs.
//
//   adjustment:{entry id}   one correction; a retried request finds its first
//                           answer through the Idempotency-Key header
import Type from "typebox";
import type { Queryable } from "../../db/client.ts";
import { formatCredits, parseCredits } from "../../domain/money.ts";
import { auditActor, principalOf } from "../../http/auth.ts";
import { Credits, ErrorResponse, errorResponses, IsoTime } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { insertAudit } from "../audit/index.ts";
import { idempotencyOf, runIdempotent } from "../idempotency/index.ts";
import { findOrgInSubtree } from "../orgs/index.ts";
import { applyMovement, findWallet, type LedgerRow } from "./queries.ts";

const AdjustmentBody = Type.Object(
  {
    orgId: Type.String({ minLength: 1, maxLength: 100 }),
    amount: Type.String({
      pattern: "^[-+]?\\d{1,10}(\\.\\d{1,2})?$",
      description: "Credits added (positive) or taken back (negative)",
      examples: ["500.00", "-120.00"],
    }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    kind: Type.Optional(
      Type.Enum(["adjustment", "refund"], {
        description:
          "refund: credits taken back because their money was returned (amount negative)",
        default: "adjustment",
      }),
    ),
  },
  { additionalProperties: false },
);

const AdjustmentView = Type.Object({
  id: Type.String({ description: "The ledger entry" }),
  orgId: Type.String(),
  kind: Type.Enum(["adjustment", "refund"]),
  amount: Credits,
  reason: Type.String(),
  balanceAfter: Credits,
  createdAt: IsoTime,
});

export interface Adjustment {
  orgId: string;
  kind: "adjustment" | "refund";
  /** Micro-credits, signed: added (+) or taken back (−). */
  delta: bigint;
  reason: string;
}

/**
 * Moves the wallet by `delta` with its ledger entry; null when a negative
 * delta is more than the available credits (nothing moved).
 */
export function adjustCredits(q: Queryable, a: Adjustment): Promise<LedgerRow | null> {
  const id = newId("led");
  return applyMovement(q, {
    id,
    orgId: a.orgId,
    kind: a.kind,
    balanceDelta: a.delta,
    heldDelta: 0n,
    idempotencyKey: `adjustment:${id}`,
    memo: a.reason,
  });
}

function readAmount(body: { amount: string; kind?: "adjustment" | "refund" }): bigint {
  const parsed = parseCredits(body.amount);
  if (!parsed.ok || parsed.micro === 0n) {
    throw new AppError("VALIDATION_FAILED", "amount must be a non-zero number of credits", {
      details: [{ path: "/amount", code: "INVALID_VALUE", message: 'e.g. "500.00" or "-120.00"' }],
    });
  }
  if (body.kind === "refund" && parsed.micro > 0n) {
    throw new AppError("VALIDATION_FAILED", "a refund takes credits back: its amount is negative", {
      details: [
        { path: "/amount", code: "INVALID_VALUE", message: "must be negative for a refund" },
      ],
    });
  }
  return parsed.micro;
}

export function adjustmentRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/credits/adjustments",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["credits"],
        operationId: "adjustCredits",
        summary: "Add credits to a wallet or take them back, with a reason (the platform operator)",
        body: AdjustmentBody,
        response: { 201: AdjustmentView, 402: ErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      if (p.orgKind !== "platform" || p.callerOrgId) {
        throw new AppError("FORBIDDEN", "credits are adjusted by the platform operator");
      }
      const { orgId, reason } = request.body;
      const kind = request.body.kind ?? "adjustment";
      const delta = readAmount(request.body);
      const org = await findOrgInSubtree(deps.db, orgId, p.orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      if (org.walletMode === "parent") {
        throw new AppError(
          "CONFLICT",
          `${org.name} spends its parent's wallet: adjust that wallet, or set its wallet mode to own first`,
          { details: [{ path: "/orgId", code: "WALLET_MODE_PARENT", message: org.id }] },
        );
      }
      const result = await runIdempotent(
        deps.db,
        { orgId: p.orgId, idempotency: idempotencyOf(request, "POST /v1/credits/adjustments") },
        async (q) => {
          const entry = await adjustCredits(q, { orgId: org.id, kind, delta, reason });
          if (!entry) {
            const wallet = await findWallet(q, org.id);
            const available = wallet ? wallet.balance - wallet.held : 0n;
            throw new AppError(
              "INSUFFICIENT_CREDITS",
              `only ${formatCredits(available)} credits are available to take back`,
              {
                details: [
                  {
                    path: "/amount",
                    code: "INSUFFICIENT_CREDITS",
                    message: formatCredits(available),
                  },
                ],
              },
            );
          }
          await insertAudit(q, {
            orgId: org.id,
            actor: auditActor(p),
            action: kind === "refund" ? "credits.refunded" : "credits.adjusted",
            targetType: "ledger_entry",
            targetId: entry.id,
            details: { amount: formatCredits(delta), reason },
          });
          return {
            statusCode: 201,
            body: {
              id: entry.id,
              orgId: org.id,
              kind,
              amount: formatCredits(delta),
              reason,
              balanceAfter: formatCredits(entry.balanceAfter),
              createdAt: entry.createdAt.toISOString(),
            },
          };
        },
      );
      return reply.status(result.statusCode).send(result.body);
    },
  );
}
