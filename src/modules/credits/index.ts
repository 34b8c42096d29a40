// The credits module as other modules see it: import it from here, never from its files.
export {
  grantOpeningCredits,
  holdForCampaign,
  holdForFallbacks,
  releaseCanceled,
  settleBatch,
} from "./movements.ts";
export { findWallet, lockWallet } from "./queries.ts";
