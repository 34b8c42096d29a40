import type { Queryable } from "../../db/client.ts";
import type { LedgerKind } from "../../db/schema/credits.ts";

export interface WalletRow {
  orgId: string;
  balance: bigint;
  held: bigint;
}

export interface LedgerRow {
  id: string;
  orgId: string;
  kind: LedgerKind;
  amount: bigint;
  balanceDelta: bigint;
  heldDelta: bigint;
  balanceAfter: bigint;
  heldAfter: bigint;
  campaignId: string | null;
  memo: string | null;
  createdAt: Date;
}

const LEDGER_COLUMNS = `id, org_id as "orgId", kind, amount, balance_delta as "balanceDelta",
  held_delta as "heldDelta", balance_after as "balanceAfter", held_after as "heldAfter",
  campaign_id as "campaignId", memo, created_at as "createdAt"`;

export interface Movement {
  id: string;
  orgId: string;
  kind: LedgerKind;
  /** Change of the balance (grant +, capture −). */
  balanceDelta: bigint;
  /** Change of the held amount (hold +, capture and release −). */
  heldDelta: bigint;
  idempotencyKey: string;
  campaignId?: string | null;
  memo?: string | null;
}

/**
 * Moves money on a wallet and appends its ledger entry in one statement.
 *
 * The update is conditional: it matches only if the wallet stays consistent
 * afterwards (balance ≥ 0, 0 ≤ held ≤ balance), so a hold that the available
 * credits cannot cover matches no row and returns null. Under concurrency the
 * row lock taken by the update serialises movements on one wallet and each
 * re-evaluates the condition against the committed values, which is what makes
 * an overdraft impossible (a read-then-write would lose updates).
 *
 * A repeated idempotency key fails the insert with a unique violation, which
 * aborts the whole statement, wallet update included.
 */
export async function applyMovement(q: Queryable, m: Movement): Promise<LedgerRow | null> {
  const amount = absolute(m.balanceDelta !== 0n ? m.balanceDelta : m.heldDelta);
  const r = await q.query<LedgerRow>(
    `with w as (
       update wallets
       set balance = balance + $3, held = held + $4, updated_at = now()
       where org_id = $2
         and balance + $3 >= 0
         and held + $4 >= 0
         and held + $4 <= balance + $3
       returning balance, held
     )
     insert into ledger_entries (id, org_id, kind, amount, balance_delta, held_delta,
       balance_after, held_after, campaign_id, idempotency_key, memo)
     select $1, $2, $5, $6, $3, $4, w.balance, w.held, $7, $8, $9 from w
     returning ${LEDGER_COLUMNS}`,
    [
      m.id,
      m.orgId,
      m.balanceDelta,
      m.heldDelta,
      m.kind,
      amount,
      m.campaignId ?? null,
      m.idempotencyKey,
      m.memo ?? null,
    ],
  );
  return r.rows[0] ?? null;
}

function absolute(n: bigint): bigint {
  return n < 0n ? -n : n;
}

export async function findLedgerEntryByKey(
  q: Queryable,
  idempotencyKey: string,
): Promise<LedgerRow | null> {
  const r = await q.query<LedgerRow>(
    `select ${LEDGER_COLUMNS} from ledger_entries where idempotency_key = $1`,
    [idempotencyKey],
  );
  return r.rows[0] ?? null;
}

export async function findWallet(q: Queryable, orgId: string): Promise<WalletRow | null> {
  const r = await q.query<WalletRow>(
    `select org_id as "orgId", balance, held from wallets where org_id = $1`,
    [orgId],
  );
  return r.rows[0] ?? null;
}

/**
 * The wallet, locked until the transaction ends: what is available then
 * stays available for movements the caller makes in the same transaction.
 */
export async function lockWallet(q: Queryable, orgId: string): Promise<WalletRow | null> {
  const r = await q.query<WalletRow>(
    `select org_id as "orgId", balance, held from wallets where org_id = $1 for update`,
    [orgId],
  );
  return r.rows[0] ?? null;
}

/** A page of ledger entries, newest first; `before` is the last id of the previous page. */
export async function listLedger(
  q: Queryable,
  options: { orgId: string; before: string | null; limit: number },
): Promise<LedgerRow[]> {
  const r = await q.query<LedgerRow>(
    `select ${LEDGER_COLUMNS} from ledger_entries
     where org_id = $1 and ($2::text is null or id < $2)
     order by id desc limit $3`,
    [options.orgId, options.before, options.limit],
  );
  return r.rows;
}
