// The contacts module as other modules see it: import it from here, never from its files.
export { findGroup, membersOfGroups } from "./group-queries.ts";
export { findOptOuts } from "./opt-outs.ts";
export { ensureUnassignedGroup, findContact, findUngroupedContacts } from "./queries.ts";
