// The contacts module as other modules see it: import it from here, never from its files.
export { membersOfGroups } from "./group-queries.ts";
export { findOptOuts } from "./opt-outs.ts";
export { findUngroupedContacts } from "./queries.ts";
