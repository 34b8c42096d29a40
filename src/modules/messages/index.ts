// The messages module as other modules see it: import it from here, never from its files.
export {
  type Accepted,
  type ClaimedMessage,
  cancelPendingMessages,
  claimMessages,
  type Failure,
  markExpired,
  markFailed,
  markProgress,
  markRetry,
  markSent,
  type Retry,
  requeueExpiredLeases,
  type Settled,
} from "./transitions.ts";
