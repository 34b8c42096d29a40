// The reports module as other modules see it: import it from here, never from its files.
export { type IngestResult, ingestReports } from "./service.ts";
