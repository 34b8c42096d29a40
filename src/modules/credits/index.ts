// The credits module as other modules see it: import it from here, never from its files.
export { walletOrder } from "./margins.ts";
export {
  grantOpeningCredits,
  holdForCampaign,
  holdForFallbacks,
  releaseCanceled,
  releaseDiscarded,
  settleBatch,
  transferCredits,
} from "./movements.ts";
export {
  applyMovement,
  campaignWallets,
  findWallet,
  lockWallet,
  type Movement,
  spendingWallets,
} from "./queries.ts";
