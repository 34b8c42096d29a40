// The templates module as other modules see it: import it from here, never from its files.
export { findTemplateByCode, type TemplateRow } from "./queries.ts";
export { pollDueReviews, type ReviewDeps } from "./review.ts";
export { createApprovedTemplate, createTemplate } from "./service.ts";
