import type { Db, Queryable } from "../../db/client.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { applyMovement, findLedgerEntryByKey, findWallet, type LedgerRow } from "./queries.ts";

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== "23505") return false;
  return (
    constraint === undefined || e.constraint === constraint || !!e.message?.includes(constraint)
  );
}

/**
 * Adds credits to a wallet (operator grant). Idempotent by key: granting again
 * with the same key returns the first entry and moves nothing.
 */
export async function grantCredits(
  db: Db,
  grant: { orgId: string; amount: bigint; idempotencyKey?: string; memo?: string },
): Promise<LedgerRow> {
  if (grant.amount <= 0n) {
    throw new AppError("VALIDATION_FAILED", "amount must be positive", {
      details: [{ path: "/amount", code: "INVALID_VALUE", message: "must be positive" }],
    });
  }
  const id = newId("led");
  const key = grant.idempotencyKey ?? `grant:${id}`;
  try {
    const entry = await db.tx((q) =>
      applyMovement(q, {
        id,
        orgId: grant.orgId,
        kind: "grant",
        balanceDelta: grant.amount,
        heldDelta: 0n,
        idempotencyKey: key,
        memo: grant.memo ?? null,
      }),
    );
    if (!entry) throw new AppError("NOT_FOUND", `wallet of ${grant.orgId} not found`);
    return entry;
  } catch (err) {
    if (!isUniqueViolation(err, "ledger_entries_idempotency_key")) throw err;
    const first = await findLedgerEntryByKey(db, key);
    if (!first) throw err;
    return first;
  }
}

export interface WalletView {
  balance: bigint;
  held: bigint;
  available: bigint;
}

export async function getWallet(q: Queryable, orgId: string): Promise<WalletView> {
  const w = await findWallet(q, orgId);
  if (!w) throw new AppError("NOT_FOUND", "wallet not found");
  return { balance: w.balance, held: w.held, available: w.balance - w.held };
}
