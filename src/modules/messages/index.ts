// The messages module as other modules see it: import it from here, never from its files.
export { failMessages, fundFallbacks } from "./fallback-holds.ts";
export {
  contentOf,
  insufficient,
  planForOrg,
  type RejectionView,
  rejectionView,
  type SendRequest,
} from "./planning.ts";
export {
  copyMessages,
  holdQueuedMessages,
  insertCampaign,
  releaseQueuedMessages,
} from "./queries.ts";
export { Recipients, SendBody } from "./schemas.ts";
export {
  type Accepted,
  type ClaimedMessage,
  cancelPendingMessages,
  claimMessages,
  type FailedMessages,
  type Failure,
  markExpired,
  markFailed,
  markProgress,
  markRetry,
  markSent,
  type Retry,
  requeueExpiredLeases,
  type Settled,
  type UnfundedFallback,
} from "./transitions.ts";
