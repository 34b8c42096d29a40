// The campaigns module as other modules see it: import it from here, never from its files.

export { releaseLaunchedDraft } from "./draft-queries.ts";
export { findMessageInSubtree, foldCampaignCounts } from "./queries.ts";
export { Message } from "./schemas.ts";
export { messageView } from "./service.ts";
