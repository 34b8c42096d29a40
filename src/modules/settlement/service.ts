// Settlement: final messages capture or release their holds, batched into
// ledger entries per campaign and settlement batch, in one transaction with
// the messages' own settled amounts.
import type { Db, Queryable } from "../../db/client.ts";
import { settleBatch } from "../credits/index.ts";
import type { Settled } from "../messages/index.ts";
import { completeCampaigns, settleFinalMessages } from "./queries.ts";

export interface SettleRound {
  messages: number;
  completed: string[];
}

/**
 * Books what a batch of messages settled: per campaign one capture (the
 * delivered prices) and one release (the rest of the holds), then completes
 * the campaigns that have nothing left in flight. Runs in the caller's
 * transaction, the one that marked the messages settled.
 */
export async function bookSettlement(
  q: Queryable,
  groups: readonly Settled[],
  now: Date,
): Promise<string[]> {
  if (groups.length === 0) return [];
  await settleBatch(q, groups);
  return completeCampaigns(q, [...new Set(groups.map((g) => g.campaignId))], now);
}

export async function settleOnce(
  db: Db,
  options: { now: Date; limit?: number },
): Promise<SettleRound> {
  const { now } = options;
  return db.tx(async (q) => {
    const groups = await settleFinalMessages(q, { now, limit: options.limit ?? 5000 });
    const completed = await bookSettlement(q, groups, now);
    return { messages: groups.reduce((n, g) => n + g.messages, 0), completed };
  });
}
