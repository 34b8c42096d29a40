// The plans module as other modules see it: import it from here, never from its files.
export { ensureDefaultPlan, findOrgPrices, type OrgPrices } from "./queries.ts";
