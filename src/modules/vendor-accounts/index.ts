// The vendor-accounts module as other modules see it: import it from here, never from its files.
export {
  findDefaultVendorAccountId,
  findVendorAccount,
  findVendorAccountUsableBy,
} from "./queries.ts";
export type { Route, RouteAnswer, VendorDirectory } from "./service.ts";
