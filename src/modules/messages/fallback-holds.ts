// Fallbacks of messages charged on acceptance. An Alimtalk message sent
// through a vendor account its organization controls is captured when the
// vendor accepts it (messages/transitions.ts), so its hold is spent — or about
// to be — by the time a failure report comes, forged or not. Its fallback is
// therefore a new purchase: it holds its own type's dearer price from the
// wallet, in the transaction that failed the Alimtalk, or is refused
// (INSUFFICIENT_CREDITS) when the credits cannot cover it. Money stays exact:
// the Alimtalk is captured once at its own price, the fallback holds, then
// captures or releases, its own.
import type { Queryable } from "../../db/client.ts";
import { campaignWallets, holdForFallbacks, lockWallet, walletOrder } from "../credits/index.ts";
import {
  type FailedMessages,
  type Failure,
  markFailed,
  startFallbacks,
  type UnfundedFallback,
} from "./transitions.ts";

/**
 * Funds the fallbacks markFailed created `accepted`: per wallet (their
 * campaigns'), in id
 * order, while the wallet's available credits cover them, with one hold per
 * campaign; the rest are refused. The wallet is locked first, so what was
 * available is still available when the hold is booked.
 */
export async function fundFallbacks(
  q: Queryable,
  unfunded: readonly UnfundedFallback[],
  now: Date,
): Promise<{ funded: number; refused: number }> {
  if (unfunded.length === 0) return { funded: 0, refused: 0 };
  const walletOf = await campaignWallets(q, [...new Set(unfunded.map((f) => f.campaignId))]);
  const byWallet = new Map<string, UnfundedFallback[]>();
  for (const f of [...unfunded].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const walletOrgId = walletOf.get(f.campaignId) ?? f.orgId;
    const list = byWallet.get(walletOrgId);
    if (list) list.push(f);
    else byWallet.set(walletOrgId, [f]);
  }
  const answers: { id: string; funded: boolean }[] = [];
  const order = await walletOrder(q, [...byWallet.keys()]);
  // Wallets in one order (down the tree, then by id): concurrent transactions never wait in a cycle.
  for (const walletOrgId of [...byWallet.keys()].sort((a, b) => order(a) - order(b))) {
    const wallet = await lockWallet(q, walletOrgId);
    let available = wallet ? wallet.balance - wallet.held : 0n;
    const perCampaign = new Map<string, { orgId: string; amount: bigint; messages: number }>();
    for (const f of byWallet.get(walletOrgId)!) {
      const funded = f.held <= available;
      answers.push({ id: f.id, funded });
      if (!funded) continue;
      available -= f.held;
      const c = perCampaign.get(f.campaignId) ?? { orgId: f.orgId, amount: 0n, messages: 0 };
      c.amount += f.held;
      c.messages += 1;
      perCampaign.set(f.campaignId, c);
    }
    for (const [campaignId, c] of perCampaign) {
      if (c.amount > 0n) await holdForFallbacks(q, { walletOrgId, campaignId, ...c });
    }
  }
  await startFallbacks(q, answers, now);
  const funded = answers.filter((a) => a.funded).length;
  return { funded, refused: answers.length - funded };
}

/**
 * Fails messages as markFailed does and funds the fallbacks that need a hold
 * of their own, in the caller's transaction. For failures that vendors report
 * (a sent message may have been charged on acceptance).
 */
export async function failMessages(
  q: Queryable,
  items: Failure[],
  now: Date,
): Promise<FailedMessages> {
  const failed = await markFailed(q, items, now);
  await fundFallbacks(q, failed.unfunded, now);
  return failed;
}
