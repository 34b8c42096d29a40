// The imports module as other modules see it: import it from here, never from its files.
export { DEFAULT_IMPORT_LIMITS, type ImportLimits } from "./file.ts";
export { type ImportWorkerOptions, runNextImport, startImportWorker } from "./worker.ts";
