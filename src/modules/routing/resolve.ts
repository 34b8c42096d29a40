// Effective routing: per channel, the organization's own choice, else its
// nearest ancestor's, else the platform default — if there is one: with the
// sandbox vendor turned off (ALIMI_SANDBOX=false) a new installation has
// none, and a channel nobody routed has no account. A channel's primary and
// secondary are inherited together, as one choice.
import { ROUTING_CHANNELS, type RoutingChannel } from "../../domain/vocabulary.ts";
import type { RoutingRow } from "./queries.ts";

export type RouteSource =
  | { kind: "own" }
  | { kind: "inherited"; fromOrgId: string }
  | { kind: "platform-default" };

export interface EffectiveRoute {
  /** Null only for the platform default when there is none. */
  primaryAccountId: string | null;
  secondaryAccountId: string | null;
  source: RouteSource;
}

export type EffectiveRouting = Record<RoutingChannel, EffectiveRoute>;

/** `chain` holds the rows of the organization and its ancestors, nearest first. */
export function resolveRouting(options: {
  orgId: string;
  chain: readonly RoutingRow[];
  platformDefaultAccountId: string | null;
}): EffectiveRouting {
  const result = {} as EffectiveRouting;
  for (const channel of ROUTING_CHANNELS) {
    const row = options.chain.find((r) => r.channel === channel);
    result[channel] = row
      ? {
          primaryAccountId: row.primaryAccountId,
          secondaryAccountId: row.secondaryAccountId,
          source:
            row.orgId === options.orgId
              ? { kind: "own" }
              : { kind: "inherited", fromOrgId: row.orgId },
        }
      : {
          primaryAccountId: options.platformDefaultAccountId,
          secondaryAccountId: null,
          source: { kind: "platform-default" },
        };
  }
  return result;
}

/** The channel whose routing a message type follows (LMS and MMS go with SMS). */
export function channelOf(type: string): RoutingChannel {
  return type === "alimtalk" ? "alimtalk" : "sms";
}
