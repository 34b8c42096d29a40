// The vendors whose template API this build speaks (template-review.ts); the
// templates of organizations that send through any other vendor are reviewed
// by the platform operator.
import { nhnTemplateReviewer } from "./nhn/templates.ts";
import { solapiTemplateReviewer } from "./solapi/templates.ts";
import type { TemplateReviewer } from "./template-review.ts";
import type { VendorName } from "./vendor.ts";

export const templateReviewers: Partial<Record<VendorName, TemplateReviewer>> = {
  solapi: solapiTemplateReviewer,
  nhn: nhnTemplateReviewer,
};
