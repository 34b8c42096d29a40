// The orgs module as other modules see it: import it from here, never from its files.
export {
  findOrg,
  findOrgInSubtree,
  findPlatformOrg,
  type OrgRow,
  setMarkup,
  setWalletMode,
} from "./queries.ts";
export { Org, orgView } from "./view.ts";
