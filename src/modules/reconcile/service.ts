// Results that no report brought: sent messages are asked of their vendor
// ALIMI_POLL_AFTER after sending and then with backoff (domain/poll-schedule),
// and expired — their holds released — only at ALIMI_EXPIRE_AFTER.
//
// Why this shape: vendors answer status queries for many ids at once, so due
// messages are claimed in one statement, grouped by vendor account and asked
// in chunks of the adapter's batch size. Each account is polled by a task of
// its own, a few at a time: a vendor that takes its full timeout to answer
// holds up its own messages only, and tick() never waits for a vendor (the
// loop that calls it also recovers dispatch leases). An account still being
// polled is not claimed again until its task ends.
import type { Db } from "../../db/client.ts";
import { expiresAt, nextPollAt, type PollSchedule } from "../../domain/poll-schedule.ts";
import type { VendorAdapter, VendorName } from "../../vendors/vendor.ts";
import { markExpired } from "../messages/index.ts";
import { type IngestResult, ingestReports } from "../reports/index.ts";
import { completeSettledCampaigns } from "../settlement/index.ts";
import type { VendorDirectory } from "../vendor-accounts/index.ts";
import { claimDuePolls, type DuePoll, schedulePolls } from "./queries.ts";

/** Accounts polled at the same time by one poller. */
const ACCOUNTS_IN_FLIGHT = 4;
/** Messages claimed per tick. */
const CLAIM_LIMIT = 5000;
/**
 * How long a claimed message is left to its poller: longer than a poll takes
 * (the adapters time out after 10 s), short enough that a crashed poller's
 * messages are asked again within a minute.
 */
const POLL_LEASE_MS = 30_000;

export interface PollerDeps {
  db: Db;
  directory: VendorDirectory;
  adapters: Record<VendorName, VendorAdapter | undefined>;
  schedule: PollSchedule;
  /** Told of every batch of polled results stored (to wake the applier and settler). */
  onIngested?: (result: IngestResult) => void;
  onError?: (err: unknown, accountId: string) => void;
  accountsInFlight?: number;
  claimLimit?: number;
}

export interface PollTick {
  /** Messages expired (to be released by the settler). */
  expired: number;
  /** Messages claimed for polling in this tick. */
  claimed: number;
}

export interface PollRound extends PollTick {
  /** Messages asked of a vendor. */
  polled: number;
  /** Messages whose final result a poll brought. */
  resolved: number;
  /** Messages polled and still pending, scheduled again. */
  rescheduled: number;
}

export interface Poller {
  /** Expires what is past its window and starts polls for what is due; does not wait for vendors. */
  tick(now: Date): Promise<PollTick>;
  /** Resolves when every poll started so far has finished. */
  idle(): Promise<void>;
  /** Counts since the poller was created. */
  totals(): Omit<PollRound, "claimed" | "expired">;
}

export function createPoller(deps: PollerDeps): Poller {
  const { db, schedule } = deps;
  const limit = deps.accountsInFlight ?? ACCOUNTS_IN_FLIGHT;
  const claimLimit = deps.claimLimit ?? CLAIM_LIMIT;
  /** Accounts claimed and waiting for a slot, in claim order. */
  const waiting: { accountId: string; messages: DuePoll[]; now: Date }[] = [];
  const running = new Map<string, Promise<void>>();
  const totals = { polled: 0, resolved: 0, rescheduled: 0 };

  function startWaiting() {
    while (running.size < limit && waiting.length > 0) {
      const next = waiting.shift()!;
      const task = pollAccount(next.accountId, next.messages, next.now)
        .catch((err) => deps.onError?.(err, next.accountId))
        .finally(() => {
          running.delete(next.accountId);
          startWaiting();
        });
      running.set(next.accountId, task);
    }
  }

  /** Asks the account's vendor about its messages, chunk by chunk, and records the answers. */
  async function pollAccount(accountId: string, messages: DuePoll[], now: Date) {
    const account = await deps.directory.get(accountId);
    const adapter = account ? deps.adapters[account.vendor] : undefined;
    if (!account || !adapter?.canPoll) {
      // Nobody can be asked: the message waits for a report until it expires.
      await schedulePolls(
        db,
        messages.map((m) => ({ id: m.id, next: expiresAt(m.sentAt, schedule) })),
      );
      return;
    }
    const askable = messages.filter((m) => m.vendorMessageId !== null);
    // A vendor's own fallback not yet named by its report has no id to ask about.
    await reschedule(
      messages.filter((m) => m.vendorMessageId === null),
      now,
    );
    for (let start = 0; start < askable.length; start += adapter.batchSize) {
      const chunk = askable.slice(start, start + adapter.batchSize);
      let resolved = new Set<string>();
      try {
        const { reports } = await adapter.poll(
          account,
          chunk.map((m) => ({ id: m.id, vendorMessageId: m.vendorMessageId! })),
        );
        totals.polled += chunk.length;
        // Final results, and news of a vendor's own fallback (which names it for later polls).
        const finals = reports.filter((r) => r.status !== "sent" || r.fallbackOf !== null);
        const result = await ingestReports(db, {
          vendorAccountId: accountId,
          source: "poll",
          reports: finals,
          now,
        });
        deps.onIngested?.(result);
        resolved = new Set(finals.filter((r) => r.status !== "sent").map((r) => r.vendorMessageId));
      } catch (err) {
        // The vendor could not be asked this time: it is asked again later, with the same backoff.
        deps.onError?.(err, accountId);
      }
      totals.resolved += chunk.filter((m) => resolved.has(m.vendorMessageId!)).length;
      await reschedule(
        chunk.filter((m) => !resolved.has(m.vendorMessageId!)),
        now,
      );
    }
  }

  async function reschedule(messages: DuePoll[], now: Date) {
    totals.rescheduled += await schedulePolls(
      db,
      messages.map((m) => ({
        id: m.id,
        next: nextPollAt({ sentAt: m.sentAt, polls: m.polls + 1, now, schedule }),
      })),
    );
  }

  return {
    async tick(now) {
      // Claim only what can start soon: claimed messages wait under a lease.
      if (running.size >= limit || waiting.length > 0) return { expired: 0, claimed: 0 };
      const claimed = await claimDuePolls(db, {
        now,
        firstDueSentBefore: new Date(now.getTime() - schedule.pollAfterMs),
        leaseUntil: new Date(now.getTime() + POLL_LEASE_MS),
        busyAccounts: [...running.keys()],
        limit: claimLimit,
      });
      // A poll is never scheduled past the expiry: one due then is the expiry.
      const isExpired = (m: DuePoll) => expiresAt(m.sentAt, schedule).getTime() <= now.getTime();
      const expiring = claimed.filter(isExpired).map((m) => m.id);
      const expired =
        expiring.length === 0
          ? 0
          : await db.tx(async (q) => {
              const n = await markExpired(q, expiring, now);
              // Those charged on acceptance were settled already: their campaign may be done.
              await completeSettledCampaigns(q, expiring, now);
              return n;
            });
      const due = claimed.filter((m) => !isExpired(m));
      const byAccount = new Map<string, DuePoll[]>();
      for (const m of due) {
        const key = m.vendorAccountId ?? "";
        const list = byAccount.get(key);
        if (list) list.push(m);
        else byAccount.set(key, [m]);
      }
      for (const [accountId, messages] of byAccount) waiting.push({ accountId, messages, now });
      startWaiting();
      return { expired, claimed: claimed.length };
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
    totals: () => ({ ...totals }),
  };
}

/**
 * One whole round at `now`, waiting for every poll it starts: the tests'
 * passed clock, and a CLI or script that reconciles once.
 */
export async function reconcileOnce(
  deps: PollerDeps & { now: Date; poller?: Poller },
): Promise<PollRound> {
  const poller = deps.poller ?? createPoller(deps);
  const before = poller.totals();
  const tick = await poller.tick(deps.now);
  await poller.idle();
  const after = poller.totals();
  return {
    ...tick,
    polled: after.polled - before.polled,
    resolved: after.resolved - before.resolved,
    rescheduled: after.rescheduled - before.rescheduled,
  };
}
