// One dispatch round: claim due messages, choose each one's vendor account
// (routing, circuit breakers), render them, hand each account its share in
// the vendor's batch size, and record what the vendor said. The vendor call
// is never inside a database transaction: a claim is committed with a lease,
// and the outcome is recorded afterwards, under the claim's token.
//
// Every claimed message leaves this round with an answer of its own: sent,
// retried or failed. A message that cannot be routed (its organization's
// account is disabled or gone) waits with backoff and, past its retries,
// fails NO_ROUTE; it never holds up the rest of the batch, whoever's it is.
//
// Nor does a slow vendor. Each account's share of a round is sent on its
// own, in chunks that each hold one of the account's few call slots
// (account-slots.ts); a chunk that finds its account's slots all taken waits
// briefly, then goes back to the queue. A round's answer (`done`) comes when
// its last chunk is recorded, but the workers' loops only wait for it a
// little (workers/delivery.ts): a silent vendor keeps its own calls waiting
// until their timeout, and nobody else's. A chunk starts only while its
// claim's lease outlasts the longest call, so its outcome is still ours to
// record.
import { randomUUID } from "node:crypto";
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
import { findFilesForDispatch } from "../files/index.ts";
import {
  type Accepted,
  type ClaimedMessage,
  claimMessages,
  type Failure,
  markFailed,
  markRetry,
  markSent,
  type Retry,
  requeueExpiredLeases,
} from "../messages/index.ts";
import { channelOf } from "../routing/index.ts";
import type { RouteAnswer, VendorDirectory } from "../vendor-accounts/index.ts";
import { createAccountSlots } from "./account-slots.ts";
import { type Choice, createBreakers } from "./breakers.ts";
import { findCampaignsForDispatch, markCampaignsSending } from "./queries.ts";
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
  /** Vendor calls in flight at once per account, in this process (default 8). */
  accountConcurrency?: number;
  /** How long a chunk waits for one of its account's slots before going back to the queue. */
  slotWaitMs?: number;
}

export interface DispatchRound {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

const CAMPAIGN_CACHE_MAX = 1000;
/** MMS images kept with cached campaigns (up to 900 KB a campaign): past this, start afresh. */
const CAMPAIGN_CACHE_IMAGE_BYTES = 64 * 1024 * 1024;
const EXPRESS_CLAIM = 100;
/** When every account of a route is unavailable, its messages wait this long. */
const ROUTE_DOWN_RETRY_MS = 5_000;
/** A chunk whose account has no free slot (or whose lease is too short) waits this long in the queue. */
const BUSY_RETRY_MS = 1_000;
/**
 * Above the dispatch loops of one worker (six and the express lane on
 * PostgreSQL), so that a healthy vendor's calls never queue for slots.
 */
const DEFAULT_ACCOUNT_CONCURRENCY = 8;
/** Calls in flight per account for the express lane, apart from the bulk's. */
const EXPRESS_ACCOUNT_CONCURRENCY = 2;
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
  /** This group holds its account's half-open trial: it must report or give it back. */
  trial: boolean;
  messages: ClaimedMessage[];
}

/** One claimed batch on its way: the claim's token and what became of its messages. */
interface Round {
  claim: string;
  /** Express rounds (single sends, fallbacks) take their account's express slots. */
  lane: "all" | "express";
  /** When the claim's lease ends: past it, another worker may send the batch again. */
  leaseUntil: Date;
  counts: DispatchRound;
}

/** A round whose sending goes on: how many it claimed, and its counts once all is recorded. */
export interface StartedRound {
  claimed: number;
  done: Promise<DispatchRound>;
}

export function createDispatcher(options: DispatcherOptions) {
  const { db, directory, adapters, workerId, now } = options;
  const random = options.random ?? Math.random;
  const leaseMs = options.leaseMs ?? 60_000;
  const claimSize = options.claimSize ?? 1000;
  const breakers = createBreakers({ now: () => now().getTime(), policy: options.breakerPolicy });
  const slots = createAccountSlots(options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY);
  // Single sends never wait for a slot behind another tenant's bulk on a shared account.
  const expressSlots = createAccountSlots(EXPRESS_ACCOUNT_CONCURRENCY);
  const slotWaitMs = options.slotWaitMs ?? 1_000;
  /** Rounds still sending: stop() waits for them (their outcomes are recorded). */
  const running = new Set<Promise<unknown>>();
  // Campaign content is frozen at acceptance, so compiled content can be kept.
  const campaigns = new Map<
    string,
    { from: string; content: CompiledContent; channel: KakaoChannel | null }
  >();
  let cachedImageBytes = 0;

  async function loadCampaigns(ids: string[]) {
    const missing = ids.filter((id) => !campaigns.has(id));
    if (missing.length === 0) return;
    // A campaign seen by this dispatcher is already marked as sending.
    await markCampaignsSending(db, missing);
    const found = await findCampaignsForDispatch(db, missing);
    // Only MMS campaigns have images to read: the rest cost no query.
    const withImages = found.filter((c) => (c.content.imageIds?.length ?? 0) > 0).map((c) => c.id);
    const images = withImages.length > 0 ? await findFilesForDispatch(db, withImages) : new Map();
    let bytes = 0;
    for (const list of images.values()) for (const image of list) bytes += image.data.length;
    if (
      campaigns.size + missing.length > CAMPAIGN_CACHE_MAX ||
      cachedImageBytes + bytes > CAMPAIGN_CACHE_IMAGE_BYTES
    ) {
      campaigns.clear();
      cachedImageBytes = 0;
    }
    cachedImageBytes += bytes;
    for (const c of found) {
      campaigns.set(c.id, {
        from: c.fromNumber ?? "",
        content: compileContent(c.content, images.get(c.id)),
        channel: c.content.kakaoChannel ?? null,
      });
    }
  }

  /**
   * Sorts claimed messages into groups by the account that will send them.
   * A message whose last attempt timed out goes back to that same account
   * while its circuit lets calls through: the vendor may have it already,
   * and only there does our message id deduplicate it. Once timeouts have
   * opened that circuit, it is routed like any other message and may fail
   * over to the route's secondary. Routes whose accounts' circuits are all
   * open wait; a message without a route waits with backoff, then fails
   * NO_ROUTE. Neither counts as an attempt: no vendor was called.
   */
  async function group(claimed: ClaimedMessage[], round: Round): Promise<Group[]> {
    const groups = new Map<string, Group>();
    const answers = new Map<string, RouteAnswer>();
    const choices = new Map<string, Choice | null>();
    const sameAccount = new Map<string, Choice | null>();
    const waiting: Retry[] = [];
    const noRoute: Failure[] = [];
    const at = now();
    const add = (chosen: Choice, m: ClaimedMessage) => {
      const channel = m.type === "alimtalk" ? (campaigns.get(m.campaignId)?.channel ?? null) : null;
      const key = `${chosen.account.id}\u0000${chosen.reason}\u0000${channel?.id ?? ""}`;
      const g = groups.get(key);
      if (g) {
        g.messages.push(m);
        g.trial ||= chosen.trial;
      } else {
        groups.set(key, {
          account: withChannel(chosen.account, channel),
          reason: chosen.reason,
          trial: chosen.trial,
          messages: [m],
        });
      }
    };
    for (const m of claimed) {
      if (m.lastError === "TIMEOUT" && m.lastAccountId) {
        let again = sameAccount.get(m.lastAccountId);
        if (again === undefined) {
          const same = await directory.usable(m.lastAccountId);
          again = same ? breakers.allow(same, "same account as the attempt that timed out") : null;
          sameAccount.set(m.lastAccountId, again);
        }
        if (again) {
          add(again, m);
          continue;
        }
      }
      const channel: RoutingChannel = channelOf(m.type);
      const key = `${m.orgId}\u0000${channel}`;
      let answer = answers.get(key);
      if (!answer) {
        answer = await directory.routeFor(m.orgId, channel);
        answers.set(key, answer);
        choices.set(key, answer.ok ? breakers.choose(answer.route) : null);
      }
      const choice = choices.get(key);
      if (!answer.ok) {
        const misses = m.routeMisses + 1;
        if (canRetry(misses)) {
          waiting.push({
            id: m.id,
            claim: round.claim,
            called: false,
            unroutable: true,
            runAt: new Date(at.getTime() + retryDelayMs(misses, random())),
            code: "NO_ROUTE",
            message: answer.reason,
            vendorAccountId: null,
          });
        } else {
          noRoute.push({ id: m.id, claim: round.claim, code: "NO_ROUTE", message: answer.reason });
        }
      } else if (choice) add(choice, m);
      else {
        waiting.push({
          id: m.id,
          claim: round.claim,
          called: false,
          runAt: new Date(at.getTime() + ROUTE_DOWN_RETRY_MS),
          code: "VENDOR_UNAVAILABLE",
          message: "every vendor account of this route is unavailable",
          vendorAccountId: null,
        });
      }
    }
    round.counts.retried += await markRetry(db, waiting);
    round.counts.failed += (await markFailed(db, noRoute, at)).failed.length;
    return [...groups.values()];
  }

  /**
   * The vendor's answers for one chunk. An adapter never throws for vendor
   * trouble; one that throws anyway is answered as an outage would be, so
   * that the messages retry with backoff instead of waiting for their lease.
   */
  async function call(
    adapter: VendorAdapter,
    account: VendorAccount,
    outbound: OutboundMessage[],
  ): Promise<{ outcomes: SendOutcome[]; outage: string | null }> {
    let outcomes: SendOutcome[];
    try {
      outcomes = await adapter.send(account, outbound);
    } catch (err) {
      const message = `the adapter failed: ${(err as Error).message}`;
      return {
        outcomes: outbound.map((o) => ({
          id: o.id,
          outcome: "retry" as const,
          error: { code: "UNKNOWN" as const, rawCode: "ADAPTER_ERROR", message },
        })),
        outage: "ADAPTER_ERROR",
      };
    }
    const first = outcomes[0];
    const outage =
      first?.outcome === "retry" &&
      outcomes.every((o) => o.outcome === "retry" && OUTAGE_CODES.has(o.error.code))
        ? first.error.code
        : null;
    return { outcomes, outage };
  }

  /**
   * Sends one group, a chunk per vendor request, each chunk in one of its
   * account's slots. A group that holds its account's half-open trial sends
   * its chunks one after the other, so that the trial is one call.
   */
  async function sendGroup(g: Group, round: Round): Promise<void> {
    const { account } = g;
    // Whatever happens below, a trial this group holds is reported or given back.
    const called = { any: false };
    try {
      const adapter = adapters[account.vendor];
      if (!adapter) {
        const failures = g.messages.map((m) => ({
          id: m.id,
          claim: round.claim,
          code: "NO_VENDOR",
          message: `no adapter for ${account.vendor}`,
        }));
        round.counts.failed += (await markFailed(db, failures, now())).failed.length;
        return;
      }
      const chunks: ClaimedMessage[][] = [];
      for (let start = 0; start < g.messages.length; start += adapter.batchSize) {
        chunks.push(g.messages.slice(start, start + adapter.batchSize));
      }
      if (g.trial) {
        for (const chunk of chunks) await sendChunk({ group: g, adapter, chunk, round, called });
      } else {
        await Promise.all(
          chunks.map((chunk) => sendChunk({ group: g, adapter, chunk, round, called })),
        );
      }
    } finally {
      if (g.trial && !called.any) breakers.abandoned(account.id);
    }
  }

  /**
   * One vendor request in one of the account's slots, and its outcomes
   * recorded. Without a slot soon, or with too little of the lease left for
   * the longest call, the chunk goes back to the queue instead (no attempt
   * counted): nothing waits in this process for longer than that.
   */
  async function sendChunk(c: {
    group: Group;
    adapter: VendorAdapter;
    chunk: ClaimedMessage[];
    round: Round;
    called: { any: boolean };
  }): Promise<void> {
    const { group: g, adapter, chunk, round } = c;
    const { account } = g;
    const release = await (round.lane === "express" ? expressSlots : slots).acquire(
      account.id,
      slotWaitMs,
    );
    try {
      const leaseLeft = round.leaseUntil.getTime() - now().getTime();
      if (!release || leaseLeft < account.transport.maxTimeoutMs) {
        const why = release
          ? "the claim's lease is too short for another vendor call"
          : `vendor account ${account.id} has every call slot in use (a slow vendor)`;
        round.counts.retried += await markRetry(db, giveBack(chunk, round, why));
        return;
      }
      const native = account.settings.nativeFallback === true;
      const outbound: OutboundMessage[] = [];
      const failures: Failure[] = [];
      for (const m of chunk) {
        const campaign = campaigns.get(m.campaignId);
        const rendered = campaign
          ? renderMessage(
              campaign.content,
              { ...m, attempts: m.attempts + 1 },
              { from: campaign.from, nativeFallback: native, accountId: account.id },
            )
          : { ok: false as const, reason: "campaign not found" };
        if (rendered.ok) outbound.push(rendered.message);
        else {
          failures.push({
            id: m.id,
            claim: round.claim,
            code: "CONTENT_REJECTED",
            message: rendered.reason,
          });
        }
      }
      let outcomes: SendOutcome[] = [];
      if (outbound.length > 0) {
        const answer = await call(adapter, account, outbound);
        outcomes = answer.outcomes;
        if (answer.outage) breakers.failed(account.id, answer.outage);
        else breakers.succeeded(account.id);
        c.called.any = true;
      }
      await record({ group: g, native, chunk, outbound, outcomes, failures, round });
    } finally {
      release?.();
    }
  }

  /**
   * A chunk that was not sent, back to the queue shortly. A message whose
   * last attempt timed out keeps that error, and so its claim to go back to
   * the account that may have it.
   */
  function giveBack(chunk: ClaimedMessage[], round: Round, why: string): Retry[] {
    const runAt = new Date(now().getTime() + BUSY_RETRY_MS);
    return chunk.map((m) => ({
      id: m.id,
      claim: round.claim,
      called: false,
      runAt,
      code: m.lastError === "TIMEOUT" ? "TIMEOUT" : "ACCOUNT_BUSY",
      message: `not sent yet: ${why}`,
      vendorAccountId: null,
    }));
  }

  /**
   * Records a chunk's answers under the claim. Each message handed to the
   * vendor counts one attempt. One the vendor's answer left out is tried
   * again at once (it is not left to its lease), while it has attempts left.
   */
  async function record(r: {
    group: Group;
    native: boolean;
    chunk: ClaimedMessage[];
    outbound: OutboundMessage[];
    outcomes: SendOutcome[];
    failures: Failure[];
    round: Round;
  }) {
    const { claim } = r.round;
    const byId = new Map(r.chunk.map((m) => [m.id, m]));
    const accepted: Accepted[] = [];
    const retries: Retry[] = [];
    const at = now();
    const accountId = r.group.account.id;
    const answered = new Set<string>();
    for (const o of r.outcomes) {
      const m = byId.get(o.id);
      // Only one answer per message, and only for messages of this chunk.
      if (!m || answered.has(o.id)) continue;
      answered.add(o.id);
      const attempts = m.attempts + 1;
      if (o.outcome === "accepted") {
        accepted.push({
          id: o.id,
          claim,
          vendorAccountId: accountId,
          vendorMessageId: o.vendorMessageId,
          nativeFallback: r.native,
          routeReason: r.group.reason,
        });
      } else if (o.outcome === "retry" && canRetry(attempts)) {
        retries.push({
          id: o.id,
          claim,
          called: true,
          runAt: new Date(at.getTime() + retryDelayMs(attempts, random())),
          code: o.error.code,
          message: o.error.message,
          vendorAccountId: accountId,
        });
      } else {
        r.failures.push({
          id: o.id,
          claim,
          called: true,
          code: o.error.code,
          message: `${o.error.message} (${o.error.rawCode})`,
        });
      }
    }
    for (const o of r.outbound) {
      if (answered.has(o.id)) continue;
      const m = byId.get(o.id);
      const message = "the vendor's answer did not mention this message";
      if (m && canRetry(m.attempts + 1)) {
        retries.push({
          id: o.id,
          claim,
          called: true,
          runAt: at,
          code: "NO_OUTCOME",
          message,
          vendorAccountId: accountId,
        });
      } else r.failures.push({ id: o.id, claim, called: true, code: "NO_OUTCOME", message });
    }
    r.round.counts.sent += await markSent(db, accepted, at);
    r.round.counts.retried += await markRetry(db, retries);
    r.round.counts.failed += (await markFailed(db, r.failures, at)).failed.length;
  }

  /**
   * Claims one batch and starts sending it: resolves once the batch is
   * claimed and routed, with `done` for when its outcomes are all recorded.
   * The express lane claims only single sends and fallbacks, in small
   * batches, so they never wait behind a round of bulk work.
   */
  async function startRound(lane: "all" | "express" = "all"): Promise<StartedRound> {
    const at = now();
    const claim = `${workerId}:${randomUUID()}`;
    const leaseUntil = new Date(at.getTime() + leaseMs);
    const claimed = await claimMessages(db, {
      claim,
      now: at,
      leaseUntil,
      limit: lane === "express" ? EXPRESS_CLAIM : claimSize,
      expressOnly: lane === "express",
    });
    const round: Round = {
      claim,
      lane,
      leaseUntil,
      counts: { claimed: claimed.length, sent: 0, retried: 0, failed: 0 },
    };
    if (claimed.length === 0) return { claimed: 0, done: Promise.resolve(round.counts) };
    await loadCampaigns([...new Set(claimed.map((m) => m.campaignId))]);
    const groups = await group(claimed, round);
    const done = Promise.all(groups.map((g) => sendGroup(g, round))).then(() => round.counts);
    const tracked = done.catch(() => {});
    running.add(tracked);
    void tracked.then(() => running.delete(tracked));
    return { claimed: claimed.length, done };
  }

  return {
    startRound,
    /** Claims one batch and sends it; resolves when its outcomes are recorded. */
    async dispatchOnce(lane: "all" | "express" = "all"): Promise<DispatchRound> {
      return (await startRound(lane)).done;
    },
    /** Resolves when every round started so far has recorded its outcomes (or failed). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all([...running]);
    },
    requeueExpiredLeases: () => requeueExpiredLeases(db, now()),
    breakers,
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
