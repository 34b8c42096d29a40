// The named money movements of the platform. Each owns its idempotency-key
// scheme, so that no caller builds a key by hand and a repeated movement can
// never move money twice:
//
//   grant:opening:{orgId}            an organization's opening credits, once
//   grant:key:{orgId}:{caller's key} an operator's grant with the caller's key, once per organization
//   grant:{entry id}                 an operator's grant without a key
//   hold:{campaignId}                a campaign's worst-case price, once at acceptance
//   hold:fallback:{campaignId}:{batch}
//                                    the holds of fallbacks whose Alimtalk was charged on
//                                    acceptance; each fallback is funded once, by leaving
//                                    `accepted`, in the same transaction
//   capture|release:{campaignId}:{settlement batch}
//                                    a settlement batch; each message is settled once
//                                    by `settled_at`, in the same transaction
//   release:cancel:{campaignId}      the holds of a campaign's canceled messages, once
//   hold:{campaignId}:part:{offset}  a part of a campaign draft, whose recipients start at
//                                    `offset`: parts only grow the draft, so each is held once
//   release:discard:{campaignId}     the holds of a discarded draft, once
//   transfer:{transferId}:out|in     both sides of one transfer, in one transaction
//   margin:{campaignId}:{settlement batch}:{ancestor}
//                                    an ancestor's margin on a settlement batch, booked with it
import type { Db, Queryable } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { formatCredits } from "../../domain/money.ts";
import type { Captured, PriceLevel } from "../../domain/pricing.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { planMargins, walletOrder } from "./margins.ts";
import { applyMovement, findLedgerEntryByKey, type LedgerRow, type Movement } from "./queries.ts";

/**
 * Holds a campaign's worst-case price, or that of one part of a campaign
 * draft (`part`: where its recipients start, and how many messages it has).
 * Null when the available credits cannot cover it (nothing moved).
 */
export function holdForCampaign(
  q: Queryable,
  hold: {
    walletOrgId: string;
    orgId: string;
    campaignId: string;
    amount: bigint;
    part?: { offset: number; messages: number };
  },
): Promise<LedgerRow | null> {
  const { part } = hold;
  return applyMovement(q, {
    id: newId("led"),
    orgId: hold.walletOrgId,
    forOrgId: hold.orgId,
    kind: "hold",
    balanceDelta: 0n,
    heldDelta: hold.amount,
    idempotencyKey: part
      ? `hold:${hold.campaignId}:part:${part.offset}`
      : `hold:${hold.campaignId}`,
    campaignId: hold.campaignId,
    memo: part ? `draft part of ${part.messages} messages` : null,
  });
}

/** Releases every hold of a discarded draft; the caller deleted its messages. */
export async function releaseDiscarded(
  q: Queryable,
  release: {
    walletOrgId: string;
    orgId: string;
    campaignId: string;
    amount: bigint;
    messages: number;
  },
): Promise<LedgerRow | null> {
  if (release.amount === 0n) return null;
  const entry = await applyMovement(q, {
    id: newId("led"),
    orgId: release.walletOrgId,
    forOrgId: release.orgId,
    kind: "release",
    balanceDelta: 0n,
    heldDelta: -release.amount,
    idempotencyKey: `release:discard:${release.campaignId}`,
    campaignId: release.campaignId,
    memo: `discarded draft of ${release.messages} messages`,
  });
  if (!entry) throw new Error(`wallet of ${release.walletOrgId} cannot release ${release.amount}`);
  return entry;
}

/**
 * Holds the price of fallbacks created for Alimtalk messages that were
 * charged when the vendor accepted them (their own hold is spent). The caller
 * locked the wallet and checked that the amount is available; a wallet that
 * cannot cover it then is a bug.
 */
export async function holdForFallbacks(
  q: Queryable,
  hold: {
    walletOrgId: string;
    orgId: string;
    campaignId: string;
    amount: bigint;
    messages: number;
  },
): Promise<LedgerRow> {
  const entry = await applyMovement(q, {
    id: newId("led"),
    orgId: hold.walletOrgId,
    forOrgId: hold.orgId,
    kind: "hold",
    balanceDelta: 0n,
    heldDelta: hold.amount,
    idempotencyKey: `hold:fallback:${hold.campaignId}:${newId("led")}`,
    campaignId: hold.campaignId,
    memo: `${hold.messages} fallback messages`,
  });
  if (!entry) throw new Error(`wallet of ${hold.walletOrgId} cannot hold ${hold.amount}`);
  return entry;
}

/** What one settlement batch settled for one campaign. */
export interface CampaignSettlement {
  orgId: string;
  /** The wallet the campaign's holds are on. */
  walletOrgId: string;
  campaignId: string;
  messages: number;
  charged: bigint;
  released: bigint;
  captured: Captured[];
  /** Its price chain when it has ancestors to pay margins to. */
  priceChain: PriceLevel[] | null;
}

/**
 * Books a settlement batch: per campaign one capture (the delivered prices)
 * and one release (the rest of the holds) on the campaign's wallet, and a
 * `margin` for each ancestor that sold above its own price (margins.ts).
 * Runs in the transaction that marked the messages settled, which is what
 * makes it exactly once; the batch id only keeps the keys of successive
 * batches apart. The wallets are moved in one order — down the tree, then by
 * id — as transfers lock them, so two settlers, or a settler and a transfer,
 * never wait on each other in a cycle.
 */
export async function settleBatch(
  q: Queryable,
  groups: readonly CampaignSettlement[],
): Promise<void> {
  const batch = newId("led");
  const planned: Movement[] = [];
  for (const g of groups) {
    const forOrgId = g.walletOrgId === g.orgId ? null : g.orgId;
    const movements = [
      { kind: "capture" as const, amount: g.charged, balanceDelta: -g.charged },
      { kind: "release" as const, amount: g.released, balanceDelta: 0n },
    ];
    for (const m of movements) {
      if (m.amount === 0n) continue;
      planned.push({
        id: newId("led"),
        orgId: g.walletOrgId,
        forOrgId,
        kind: m.kind,
        balanceDelta: m.balanceDelta,
        heldDelta: -m.amount,
        idempotencyKey: `${m.kind}:${g.campaignId}:${batch}`,
        campaignId: g.campaignId,
        memo: `${g.messages} messages`,
      });
    }
  }
  const margins = await planMargins(q, groups, batch);
  const order = await walletOrder(
    q,
    [...planned, ...margins].map((m) => m.orgId),
  );
  const all = [...planned, ...margins].sort((a, b) => order(a.orgId) - order(b.orgId));
  for (const m of all) {
    const entry = await applyMovement(q, m);
    // The hold was taken at acceptance; a wallet that cannot give it back is a bug.
    if (!entry)
      throw new Error(`wallet ${m.orgId} cannot ${m.kind} ${m.heldDelta || m.balanceDelta}`);
  }
}

/**
 * Releases the holds of a campaign's canceled messages: once per campaign.
 * Asked again (a repeated cancel), it returns the first release and moves
 * nothing. The caller holds the campaign's row lock, so the check and the
 * movement cannot interleave with another cancel of the same campaign.
 */
export async function releaseCanceled(
  q: Queryable,
  release: {
    walletOrgId: string;
    orgId: string;
    campaignId: string;
    amount: bigint;
    messages: number;
  },
): Promise<LedgerRow | null> {
  const key = `release:cancel:${release.campaignId}`;
  const first = await findLedgerEntryByKey(q, key);
  if (first) return first;
  if (release.amount === 0n) return null;
  const entry = await applyMovement(q, {
    id: newId("led"),
    orgId: release.walletOrgId,
    forOrgId: release.orgId,
    kind: "release",
    balanceDelta: 0n,
    heldDelta: -release.amount,
    idempotencyKey: key,
    campaignId: release.campaignId,
    memo: `canceled ${release.messages} messages`,
  });
  if (!entry) throw new Error(`wallet of ${release.walletOrgId} cannot release ${release.amount}`);
  return entry;
}

/** An organization's opening credits, granted once when it is created. */
export async function grantOpeningCredits(
  q: Queryable,
  grant: { orgId: string; amount: bigint },
): Promise<LedgerRow | null> {
  return applyMovement(q, {
    id: newId("led"),
    orgId: grant.orgId,
    kind: "grant",
    balanceDelta: grant.amount,
    heldDelta: 0n,
    idempotencyKey: `grant:opening:${grant.orgId}`,
    memo: "opening credits",
  });
}

/**
 * An operator's grant, in a transaction of its own. Idempotent by the
 * caller's key: granting again with the same key returns the first entry and
 * moves nothing. The caller's key is namespaced (`grant:key:…`) so that it
 * can never collide with another movement's key.
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
  // Scoped by organization: the same key for another organization is another grant.
  const key = grant.idempotencyKey
    ? `grant:key:${grant.orgId}:${grant.idempotencyKey}`
    : `grant:${id}`;
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
    if (first.balanceDelta !== grant.amount) {
      // The same key with another amount is another request, not a retry of the first.
      throw new AppError(
        "CONFLICT",
        `idempotency key ${grant.idempotencyKey} was used for a grant of ${formatCredits(first.balanceDelta)} credits to this organization`,
        { details: [{ path: "/idempotencyKey", code: "IDEMPOTENCY_KEY_REUSED" }] },
      );
    }
    return first;
  }
}

export interface Transfer {
  id: string;
  fromOrgId: string;
  toOrgId: string;
  amount: bigint;
  memo: string | null;
  createdAt: Date;
}

/**
 * Moves credits from one wallet to another (a parent to a descendant): a
 * `transfer` entry on each side, in the caller's transaction. The debit is
 * conditional like every movement — it matches only while the available
 * credits cover it — so the transfer is refused whole (402) rather than
 * overdrawing, whatever runs beside it. The payer's row is locked first; a
 * transfer only ever goes down the tree, so two transfers never lock the
 * same pair in opposite orders.
 */
export async function transferCredits(
  q: Queryable,
  t: { fromOrgId: string; toOrgId: string; amount: bigint; memo: string | null },
): Promise<Transfer> {
  const id = newId("led");
  const memo = t.memo ?? null;
  const out = await applyMovement(q, {
    id: newId("led"),
    orgId: t.fromOrgId,
    kind: "transfer",
    balanceDelta: -t.amount,
    heldDelta: 0n,
    idempotencyKey: `transfer:${id}:out`,
    memo: memo ?? `to ${t.toOrgId}`,
  });
  if (!out) {
    const r = await q.query<{ available: bigint }>(
      "select balance - held as available from wallets where org_id = $1",
      [t.fromOrgId],
    );
    const available = r.rows[0]?.available ?? 0n;
    throw new AppError(
      "INSUFFICIENT_CREDITS",
      `this transfer needs ${formatCredits(t.amount)} credits; ${formatCredits(available)} are available`,
      { details: [{ required: formatCredits(t.amount), available: formatCredits(available) }] },
    );
  }
  const into = await applyMovement(q, {
    id: newId("led"),
    orgId: t.toOrgId,
    kind: "transfer",
    balanceDelta: t.amount,
    heldDelta: 0n,
    idempotencyKey: `transfer:${id}:in`,
    memo: memo ?? `from ${t.fromOrgId}`,
  });
  if (!into) throw new AppError("NOT_FOUND", `wallet of ${t.toOrgId} not found`);
  return { id, ...t, memo, createdAt: out.createdAt };
}
