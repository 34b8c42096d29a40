// The routing module as other modules see it: import it from here, never from its files.
export { findRoutingChain, findRoutingUses } from "./queries.ts";
export { channelOf, type EffectiveRouting, type RouteSource, resolveRouting } from "./resolve.ts";
