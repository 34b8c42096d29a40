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
import { holdForFallbacks, lockWallet } from "../credits/index.ts";
import {
  type FailedMessages,
  type Failure,
  markFailed,
  startFallbacks,
  type UnfundedFallback,
} from "./transitions.ts";

/**
 * Funds the fallbacks markFailed created `accepted`: per organization, in id
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
  const byOrg = new Map<string, UnfundedFallback[]>();
  for (const f of [...unfunded].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const list = byOrg.get(f.orgId);
    if (list) list.push(f);
    else byOrg.set(f.orgId, [f]);
  }
  const answers: { id: string; funded: boolean }[] = [];
  // Sorted organizations: concurrent transactions lock wallets in one order.
  for (const orgId of [...byOrg.keys()].sort()) {
    const wallet = await lockWallet(q, orgId);
    let available = wallet ? wallet.balance - wallet.held : 0n;
    const perCampaign = new Map<string, { amount: bigint; messages: number }>();
    for (const f of byOrg.get(orgId)!) {
      const funded = f.held <= available;
      answers.push({ id: f.id, funded });
      if (!funded) continue;
      available -= f.held;
      const c = perCampaign.get(f.campaignId) ?? { amount: 0n, messages: 0 };
      c.amount += f.held;
      c.messages += 1;
      perCampaign.set(f.campaignId, c);
    }
    for (const [campaignId, c] of perCampaign) {
      if (c.amount > 0n) await holdForFallbacks(q, { orgId, campaignId, ...c });
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
