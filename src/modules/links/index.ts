// The links module as other modules see it: import it from here, never from its files.
export {
  type CampaignClicks,
  findCampaignClicks,
  findCampaignLinkPrefix,
  findMessageClicks,
  type LinkCounts,
  type MessageClicks,
} from "./queries.ts";
export type { ClickRecorder } from "./recorder.ts";
export { type LinkRouteDeps, linkRoutes } from "./routes.ts";
export {
  createLinkTracking,
  type LinkTracking,
  type PreparedLinks,
  prepareLinks,
  storeLinks,
} from "./tracking.ts";
export {
  clicksView,
  LinkCountsSchema,
  MessageClicksSchema,
  type MessageClicksView,
  NO_CLICKS,
} from "./view.ts";
