// One dispatch round: claim due messages, render them, hand each vendor
// account its share in the vendor's batch size, and record what the vendor
// said. The vendor call is never inside a database transaction: a claim is
// committed with a lease, and the outcome is recorded afterwards.
import type { Db } from "../../db/client.ts";
import { canRetry, retryDelayMs } from "../../domain/backoff.ts";
import type {
  OutboundMessage,
  SendOutcome,
  VendorAdapter,
  VendorName,
} from "../../vendors/vendor.ts";
import {
  type Failure,
  markFailed,
  markRetry,
  markSent,
  type Retry,
} from "../messages/transitions.ts";
import type { VendorDirectory } from "../vendor-accounts/service.ts";
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
}

export interface DispatchRound {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

const CAMPAIGN_CACHE_MAX = 1000;

export function createDispatcher(options: DispatcherOptions) {
  const { db, directory, adapters, workerId, now } = options;
  const random = options.random ?? Math.random;
  const leaseMs = options.leaseMs ?? 60_000;
  const claimSize = options.claimSize ?? 1000;
  // Campaign content is frozen at acceptance, so compiled content can be kept.
  const campaigns = new Map<string, { from: string; content: CompiledContent }>();

  async function loadCampaigns(ids: string[]) {
    const missing = ids.filter((id) => !campaigns.has(id));
    if (missing.length > 0) {
      if (campaigns.size + missing.length > CAMPAIGN_CACHE_MAX) campaigns.clear();
      for (const c of await findCampaignsForDispatch(db, missing)) {
        campaigns.set(c.id, { from: c.fromNumber ?? "", content: compileContent(c.content) });
      }
    }
  }

  async function sendGroup(
    accountId: string,
    messages: ClaimedMessage[],
    round: DispatchRound,
  ): Promise<void> {
    const account = await directory.get(accountId);
    const adapter = account ? adapters[account.vendor] : undefined;
    const at = now();
    if (!account || !adapter) {
      const failures = messages.map((m) => ({
        id: m.id,
        code: "NO_VENDOR",
        message: "no usable vendor account",
      }));
      round.failed += (await markFailed(db, failures, at)).failed.length;
      return;
    }
    const native = account.settings.nativeFallback === true;
    for (let start = 0; start < messages.length; start += adapter.batchSize) {
      const chunk = messages.slice(start, start + adapter.batchSize);
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
      await record({ accountId, native, chunk, outcomes, failures, round });
    }
  }

  async function record(r: {
    accountId: string;
    native: boolean;
    chunk: ClaimedMessage[];
    outcomes: SendOutcome[];
    failures: Failure[];
    round: DispatchRound;
  }) {
    const attempts = new Map(r.chunk.map((m) => [m.id, m.attempts]));
    const accepted = [];
    const retries: Retry[] = [];
    const at = now();
    for (const o of r.outcomes) {
      if (o.outcome === "accepted") {
        accepted.push({
          id: o.id,
          vendorAccountId: r.accountId,
          vendorMessageId: o.vendorMessageId,
          nativeFallback: r.native,
        });
      } else if (o.outcome === "retry" && canRetry(attempts.get(o.id) ?? 1)) {
        const delay = retryDelayMs(attempts.get(o.id) ?? 1, random());
        retries.push({
          id: o.id,
          runAt: new Date(at.getTime() + delay),
          code: o.error.code,
          message: o.error.message,
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
    /** Claims one batch and sends it; resolves when its outcomes are recorded. */
    async dispatchOnce(): Promise<DispatchRound> {
      const at = now();
      const claimed = await claimMessages(db, {
        workerId,
        now: at,
        leaseUntil: new Date(at.getTime() + leaseMs),
        limit: claimSize,
      });
      const round: DispatchRound = { claimed: claimed.length, sent: 0, retried: 0, failed: 0 };
      if (claimed.length === 0) return round;
      const campaignIds = [...new Set(claimed.map((m) => m.campaignId))];
      await markCampaignsSending(db, campaignIds);
      await loadCampaigns(campaignIds);

      const accountOf = new Map<string, string>();
      for (const orgId of new Set(claimed.map((m) => m.orgId))) {
        accountOf.set(orgId, (await directory.accountFor(orgId)).id);
      }
      const groups = new Map<string, ClaimedMessage[]>();
      for (const m of claimed) {
        const accountId = accountOf.get(m.orgId)!;
        const list = groups.get(accountId);
        if (list) list.push(m);
        else groups.set(accountId, [m]);
      }
      await Promise.all([...groups].map(([accountId, list]) => sendGroup(accountId, list, round)));
      return round;
    },

    requeueExpiredLeases: () => requeueExpiredLeases(db, now()),
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
