// The credits module as other modules see it: import it from here, never from its files.
export {
  grantOpeningCredits,
  holdForCampaign,
  holdForFallbacks,
  releaseCanceled,
  releaseDiscarded,
  settleBatch,
  transferCredits,
} from "./movements.ts";
export { findWallet, lockWallet } from "./queries.ts";
