import type { Queryable } from "../../db/client.ts";
import type { LedgerKind } from "../../db/schema/credits.ts";

export interface WalletRow {
  orgId: string;
  balance: bigint;
  held: bigint;
}

export interface LedgerRow {
  id: string;
  /** The wallet that moved. */
  orgId: string;
  /** The organization it moved for, when not the wallet's own. */
  forOrgId: string | null;
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

const LEDGER_COLUMNS = `id, org_id as "orgId", for_org_id as "forOrgId", kind, amount, balance_delta as "balanceDelta",
  held_delta as "heldDelta", balance_after as "balanceAfter", held_after as "heldAfter",
  campaign_id as "campaignId", memo, created_at as "createdAt"`;

export interface Movement {
  id: string;
  /** The wallet that moves. */
  orgId: string;
  /** The organization it moves for, when not the wallet's own. */
  forOrgId?: string | null;
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
       balance_after, held_after, campaign_id, idempotency_key, memo, for_org_id)
     select $1, $2, $5, $6, $3, $4, w.balance, w.held, $7, $8, $9, $10 from w
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
      m.forOrgId && m.forOrgId !== m.orgId ? m.forOrgId : null,
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

/**
 * A page of an organization's ledger, newest first: the movements of its
 * wallet (those for its descendants spending it included) and those made
 * for it on another wallet (spending its parent's, or a margin). `before`
 * is the last id of the previous page; `from` (inclusive), `to` (exclusive)
 * and `kind` filter. Two index scans (ledger_entries_org_idx,
 * ledger_entries_for_org_idx) merged.
 */
export async function listLedger(
  q: Queryable,
  options: {
    orgId: string;
    before: string | null;
    limit: number;
    from?: Date | null;
    to?: Date | null;
    kind?: LedgerKind | null;
  },
): Promise<LedgerRow[]> {
  const filter = `($2::text is null or id < $2)
    and ($4::timestamptz is null or created_at >= $4) and ($5::timestamptz is null or created_at < $5)
    and ($6::text is null or kind = $6)`;
  const r = await q.query<LedgerRow>(
    `select ${LEDGER_COLUMNS} from (
       (select * from ledger_entries where org_id = $1 and ${filter} order by id desc limit $3)
       union all
       (select * from ledger_entries where for_org_id = $1 and ${filter} order by id desc limit $3)
     ) l
     order by id desc limit $3`,
    [
      options.orgId,
      options.before,
      options.limit,
      options.from ?? null,
      options.to ?? null,
      options.kind ?? null,
    ],
  );
  return r.rows;
}

/** The wallet each campaign's holds are on. */
export async function campaignWallets(
  q: Queryable,
  campaignIds: string[],
): Promise<Map<string, string>> {
  const r = await q.query<{ id: string; walletOrgId: string }>(
    `select id, wallet_org_id as "walletOrgId" from campaigns where id = any($1::text[])`,
    [campaignIds],
  );
  return new Map(r.rows.map((row) => [row.id, row.walletOrgId]));
}

/** The wallet each organization spends now: its own, or its nearest ancestor's with its own. */
export async function spendingWallets(
  q: Queryable,
  orgIds: string[],
): Promise<Map<string, string>> {
  if (orgIds.length === 0) return new Map();
  const r = await q.query<{ id: string; walletOrgId: string }>(
    `select o.id, w.id as "walletOrgId"
     from orgs o
     cross join lateral (
       select a.id from orgs a
       where a.id = any(string_to_array(rtrim(o.path, '/'), '/')) and a.wallet_mode = 'own'
       order by a.depth desc limit 1
     ) w
     where o.id = any($1::text[])`,
    [orgIds],
  );
  return new Map(r.rows.map((row) => [row.id, row.walletOrgId]));
}
