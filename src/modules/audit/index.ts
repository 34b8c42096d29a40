// The audit module as other modules see it: import it from here, never from its files.
export { type Actor, insertAudit } from "./queries.ts";
