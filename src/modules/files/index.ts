// The files module as other modules see it: import it from here, never from its files.
export { findFilesForDispatch, findOrgImages } from "./queries.ts";
