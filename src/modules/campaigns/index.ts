// The campaigns module as other modules see it: import it from here, never from its files.

export { releaseLaunchedDraft } from "./draft-queries.ts";
export {
  findCampaignInSubtree,
  findMessageInSubtree,
  foldCampaignCounts,
  MESSAGE_COLUMNS,
  type MessageRow,
} from "./queries.ts";
export { renderContents } from "./results-content.ts";
export { recordCampaignGroups } from "./results-queries.ts";
export { Message } from "./schemas.ts";
export { messageView } from "./service.ts";
