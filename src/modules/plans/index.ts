// The plans module as other modules see it: import it from here, never from its files.
export {
  ensureDefaultPlan,
  findOrgPrices,
  type OrgPrices,
  type OrgPricing,
  type PricingLevel,
  pricesOfChain,
} from "./queries.ts";
