// Statuses only move forward. These lists are what the SQL updates check in
// their WHERE clauses, so a late or duplicate report can never move a message
// back (a late "sent" never overwrites "delivered"). This file owns the list:
// the schema's check constraint and partial indexes are built from it.

export const MESSAGE_STATUSES = [
  // In a campaign draft: held for, but not to be sent until the draft is launched.
  "draft",
  // A fallback waiting for its hold (messages/transitions.ts).
  "accepted",
  "queued",
  "sending",
  "sent",
  "delivered",
  "failed",
  "canceled",
  "expired",
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const FINAL_STATUSES = ["delivered", "failed", "canceled", "expired"] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/**
 * The statuses as SQL literals, `'a', 'b'`, for predicates that must be
 * spelled out (partial-index predicates, and queries that want the planner
 * to match them). Only known statuses get here, so nothing needs escaping.
 */
export function sqlList(statuses: readonly MessageStatus[]): string {
  for (const s of statuses) {
    if (!(MESSAGE_STATUSES as readonly string[]).includes(s))
      throw new Error(`unknown status ${s}`);
  }
  return statuses.map((s) => `'${s}'`).join(", ");
}

const RANK: Record<MessageStatus, number> = {
  draft: 0,
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
    case "draft":
    case "accepted":
      return [];
    case "queued":
      // A retry puts a message back in the queue only from an attempt in progress.
      return ["accepted", "sending"];
    case "canceled":
      return ["draft", "accepted", "queued"];
    case "expired":
      return ["sent"];
    default:
      return (Object.keys(RANK) as MessageStatus[]).filter(
        (s) => RANK[s] < RANK[to] && RANK[s] > 0,
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

/** Not final yet: the message is still on its way. */
export const IN_FLIGHT_STATUSES: readonly MessageStatus[] = MESSAGE_STATUSES.filter(
  (s) => !isFinal(s),
);
