import type { Queryable } from "../../db/client.ts";
import { AppError } from "../../lib/errors.ts";
import { findWallet, spendingWallets } from "./queries.ts";

export { grantCredits } from "./movements.ts";

export interface WalletView {
  balance: bigint;
  held: bigint;
  available: bigint;
  /** The wallet the organization spends: its own, or (wallet mode `parent`) an ancestor's. */
  walletOrgId: string;
}

/** The wallet an organization spends, with what is available in it. */
export async function getWallet(q: Queryable, orgId: string): Promise<WalletView> {
  const walletOrgId = (await spendingWallets(q, [orgId])).get(orgId) ?? orgId;
  const w = await findWallet(q, walletOrgId);
  if (!w) throw new AppError("NOT_FOUND", "wallet not found");
  return { balance: w.balance, held: w.held, available: w.balance - w.held, walletOrgId };
}
