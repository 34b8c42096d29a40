// The settlement module as other modules see it: import it from here, never from its files.
export { completeSettledCampaigns, settleFinalMessages } from "./queries.ts";
