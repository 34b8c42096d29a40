// Statuses only move forward. These lists are what the SQL updates check in
// their WHERE clauses, so a late or duplicate report can never move a message
// back (a late "sent" never overwrites "delivered").
import type { MessageStatus } from "../db/schema/messages.ts";

export const FINAL_STATUSES = ["delivered", "failed", "canceled", "expired"] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

const RANK: Record<MessageStatus, number> = {
  accepted: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  failed: 4,
  canceled: 4,
  expired: 4,
};

/** The statuses a message may be in for a move to `to` to apply. */
export function predecessorsOf(to: MessageStatus): MessageStatus[] {
  switch (to) {
    case "accepted":
      return [];
    case "queued":
      // A retry puts a message back in the queue only from an attempt in progress.
      return ["accepted", "sending"];
    case "canceled":
      return ["accepted", "queued"];
    case "expired":
      return ["sent"];
    default:
      return (Object.keys(RANK) as MessageStatus[]).filter(
        (s) => RANK[s] < RANK[to] && s !== "accepted",
      );
  }
}

export function isFinal(status: MessageStatus): status is FinalStatus {
  return RANK[status] === 4;
}

/** Of several reports about one message, the one that moves it furthest (first wins a tie). */
export function furthest<T extends { status: MessageStatus }>(reports: readonly T[]): T | null {
  let best: T | null = null;
  for (const r of reports) if (best === null || RANK[r.status] > RANK[best.status]) best = r;
  return best;
}
