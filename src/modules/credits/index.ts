// The credits module as other modules see it: import it from here, never from its files.
export { grantOpeningCredits, holdForCampaign, releaseCanceled, settleBatch } from "./movements.ts";
export { findWallet } from "./queries.ts";
export { isUniqueViolation } from "./service.ts";
