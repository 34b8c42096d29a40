// One dispatch round: claim due messages, choose each one's vendor account
// (routing, circuit breakers), render them, hand each account its share in
// the vendor's batch size, and record what the vendor said. The vendor call
// is never inside a database transaction: a claim is committed with a lease,
// and the outcome is recorded afterwards.
import type { Db } from "../../db/client.ts";
import type { RoutingChannel } from "../../db/schema/vendors.ts";
import { canRetry, retryDelayMs } from "../../domain/backoff.ts";
import type { BreakerPolicy } from "../../domain/circuit-breaker.ts";
import type {
  OutboundMessage,
  SendOutcome,
  VendorAccount,
  VendorAdapter,
  VendorName,
} from "../../vendors/vendor.ts";
import { findFilesForDispatch } from "../files/queries.ts";
import {
  type Accepted,
  type Failure,
  markFailed,
  markRetry,
  markSent,
  type Retry,
} from "../messages/transitions.ts";
import { channelOf } from "../routing/resolve.ts";
import type { VendorDirectory } from "../vendor-accounts/service.ts";
import { createBreakers } from "./breakers.ts";
import {
  type ClaimedMessage,
  claimMessages,
  findCampaignsForDispatch,
  markCampaignsSending,
  requeueExpiredLeases,
} from "./queries.ts";
import { type CompiledContent, compileContent, renderMessage } from "./render.ts";

export interface DispatcherOptions {
  db: Db;
  directory: VendorDirectory;
  adapters: Record<VendorName, VendorAdapter | undefined>;
  workerId: string;
  now: () => Date;
  random?: () => number;
  /** How long a claimed batch stays ours; past it, another worker may send it again. */
  leaseMs?: number;
  claimSize?: number;
  breakerPolicy?: BreakerPolicy;
}

export interface DispatchRound {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

const CAMPAIGN_CACHE_MAX = 1000;
const EXPRESS_CLAIM = 100;
/** When every account of a route is unavailable, its messages wait this long. */
const ROUTE_DOWN_RETRY_MS = 5_000;
/** Outcomes that say the vendor is unreachable rather than that it refused. */
const OUTAGE_CODES = new Set(["TIMEOUT", "VENDOR_UNAVAILABLE"]);

type KakaoChannel = { id: string; senderKey: string | null; pfId: string | null };

/**
 * The account as the adapter should see it for one KakaoTalk channel: the
 * organization's channel replaces the account's own (`senderKey` for NHN and
 * Aligo, `pfId` for SOLAPI), so a shared vendor account sends each
 * organization's Alimtalk under that organization's channel.
 */
function withChannel(account: VendorAccount, channel: KakaoChannel | null): VendorAccount {
  if (!channel) return account;
  return {
    ...account,
    settings: {
      ...account.settings,
      ...(channel.senderKey ? { senderKey: channel.senderKey } : {}),
      ...(channel.pfId ? { pfId: channel.pfId } : {}),
    },
  };
}

interface Group {
  account: VendorAccount;
  reason: string;
  messages: ClaimedMessage[];
}

export function createDispatcher(options: DispatcherOptions) {
  const { db, directory, adapters, workerId, now } = options;
  const random = options.random ?? Math.random;
  const leaseMs = options.leaseMs ?? 60_000;
  const claimSize = options.claimSize ?? 1000;
  const breakers = createBreakers({ now: () => now().getTime(), policy: options.breakerPolicy });
  // Campaign content is frozen at acceptance, so compiled content can be kept.
  const campaigns = new Map<
    string,
    { from: string; content: CompiledContent; channel: KakaoChannel | null }
  >();

  async function loadCampaigns(ids: string[]) {
    const missing = ids.filter((id) => !campaigns.has(id));
    if (missing.length === 0) return;
    // A campaign seen by this dispatcher is already marked as sending.
    await markCampaignsSending(db, missing);
    if (campaigns.size + missing.length > CAMPAIGN_CACHE_MAX) campaigns.clear();
    const images = await findFilesForDispatch(db, missing);
    for (const c of await findCampaignsForDispatch(db, missing)) {
      campaigns.set(c.id, {
        from: c.fromNumber ?? "",
        content: compileContent(c.content, images.get(c.id)),
        channel: c.content.kakaoChannel ?? null,
      });
    }
  }

  /**
   * Sorts claimed messages into groups by the account that will send them.
   * A message whose last attempt timed out goes back to that same account:
   * the vendor may have it already, and only there does our message id
   * deduplicate it. Routes whose accounts are all unavailable wait.
   */
  async function group(claimed: ClaimedMessage[], round: DispatchRound): Promise<Group[]> {
    const groups = new Map<string, Group>();
    const choices = new Map<string, { account: VendorAccount; reason: string } | null>();
    const waiting: Retry[] = [];
    const at = now();
    const add = (chosen: VendorAccount, reason: string, m: ClaimedMessage) => {
      const channel = m.type === "alimtalk" ? (campaigns.get(m.campaignId)?.channel ?? null) : null;
      const key = `${chosen.id}\u0000${reason}\u0000${channel?.id ?? ""}`;
      const g = groups.get(key);
      if (g) g.messages.push(m);
      else groups.set(key, { account: withChannel(chosen, channel), reason, messages: [m] });
    };
    for (const m of claimed) {
      if (m.lastError === "TIMEOUT" && m.lastAccountId) {
        const same = await directory.get(m.lastAccountId);
        if (same) {
          add(same, "same account as the attempt that timed out", m);
          continue;
        }
      }
      const channel: RoutingChannel = channelOf(m.type);
      const key = `${m.orgId}\u0000${channel}`;
      if (!choices.has(key))
        choices.set(key, breakers.choose(await directory.routeFor(m.orgId, channel)));
      const choice = choices.get(key);
      if (choice) add(choice.account, choice.reason, m);
      else {
        waiting.push({
          id: m.id,
          runAt: new Date(at.getTime() + ROUTE_DOWN_RETRY_MS),
          code: "VENDOR_UNAVAILABLE",
          message: "every vendor account of this route is unavailable",
          vendorAccountId: null,
        });
      }
    }
    round.retried += await markRetry(db, waiting);
    return [...groups.values()];
  }

  async function sendGroup(g: Group, round: DispatchRound): Promise<void> {
    const { account } = g;
    const adapter = adapters[account.vendor];
    if (!adapter) {
      const failures = g.messages.map((m) => ({
        id: m.id,
        code: "NO_VENDOR",
        message: `no adapter for ${account.vendor}`,
      }));
      round.failed += (await markFailed(db, failures, now())).failed.length;
      return;
    }
    const native = account.settings.nativeFallback === true;
    for (let start = 0; start < g.messages.length; start += adapter.batchSize) {
      const chunk = g.messages.slice(start, start + adapter.batchSize);
      const outbound: OutboundMessage[] = [];
      const failures: Failure[] = [];
      for (const m of chunk) {
        const campaign = campaigns.get(m.campaignId);
        const rendered = campaign
          ? renderMessage(campaign.content, m, { from: campaign.from, nativeFallback: native })
          : { ok: false as const, reason: "campaign not found" };
        if (rendered.ok) outbound.push(rendered.message);
        else failures.push({ id: m.id, code: "CONTENT_REJECTED", message: rendered.reason });
      }
      const outcomes = outbound.length > 0 ? await adapter.send(account, outbound) : [];
      if (outcomes.length > 0) {
        const outage = outcomes.every(
          (o) => o.outcome === "retry" && OUTAGE_CODES.has(o.error.code),
        );
        const first = outcomes[0];
        if (outage && first?.outcome === "retry") breakers.failed(account.id, first.error.code);
        else breakers.succeeded(account.id);
      }
      await record({ group: g, native, chunk, outcomes, failures, round });
    }
  }

  async function record(r: {
    group: Group;
    native: boolean;
    chunk: ClaimedMessage[];
    outcomes: SendOutcome[];
    failures: Failure[];
    round: DispatchRound;
  }) {
    const attempts = new Map(r.chunk.map((m) => [m.id, m.attempts]));
    const accepted: Accepted[] = [];
    const retries: Retry[] = [];
    const at = now();
    const accountId = r.group.account.id;
    for (const o of r.outcomes) {
      if (o.outcome === "accepted") {
        accepted.push({
          id: o.id,
          vendorAccountId: accountId,
          vendorMessageId: o.vendorMessageId,
          nativeFallback: r.native,
          routeReason: r.group.reason,
        });
      } else if (o.outcome === "retry" && canRetry(attempts.get(o.id) ?? 1)) {
        const delay = retryDelayMs(attempts.get(o.id) ?? 1, random());
        retries.push({
          id: o.id,
          runAt: new Date(at.getTime() + delay),
          code: o.error.code,
          message: o.error.message,
          vendorAccountId: accountId,
        });
      } else {
        r.failures.push({
          id: o.id,
          code: o.error.code,
          message: `${o.error.message} (${o.error.rawCode})`,
        });
      }
    }
    r.round.sent += await markSent(db, accepted, at);
    r.round.retried += await markRetry(db, retries);
    r.round.failed += (await markFailed(db, r.failures, at)).failed.length;
  }

  return {
    /**
     * Claims one batch and sends it; resolves when its outcomes are recorded.
     * The express lane claims only single sends and fallbacks, in small
     * batches, so they never wait behind a round of bulk work.
     */
    async dispatchOnce(lane: "all" | "express" = "all"): Promise<DispatchRound> {
      const at = now();
      const claimed = await claimMessages(db, {
        workerId,
        now: at,
        leaseUntil: new Date(at.getTime() + leaseMs),
        limit: lane === "express" ? EXPRESS_CLAIM : claimSize,
        expressOnly: lane === "express",
      });
      const round: DispatchRound = { claimed: claimed.length, sent: 0, retried: 0, failed: 0 };
      if (claimed.length === 0) return round;
      await loadCampaigns([...new Set(claimed.map((m) => m.campaignId))]);
      const groups = await group(claimed, round);
      await Promise.all(groups.map((g) => sendGroup(g, round)));
      return round;
    },

    requeueExpiredLeases: () => requeueExpiredLeases(db, now()),
    breakers,
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
