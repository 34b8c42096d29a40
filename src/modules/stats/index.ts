// The stats module as other modules see it: import it from here, never from its files.
export { foldStatsDeltas } from "./queries.ts";
