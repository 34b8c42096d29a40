import type { Queryable } from "../../db/client.ts";
import { AppError } from "../../lib/errors.ts";
import { findWallet } from "./queries.ts";

export { grantCredits } from "./movements.ts";

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
