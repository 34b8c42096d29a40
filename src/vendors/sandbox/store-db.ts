// The sandbox's memory in the database, as a real vendor keeps it on its
// side: what each account sent it (by our id, so a message sent again after
// our crash gets the same sandbox id and is not reported twice) and the
// reports it still owes, which its deliverer POSTs to the account's webhook
// — across restarts of this process, since nothing is kept only in memory.
//
// The deliverer: a few lanes, each claiming up to 1,000 due reports with a
// lease (FOR UPDATE SKIP LOCKED, so several processes serving the sandbox
// share the work), POSTing them as signed batches per account, then deleting
// them, or making them due again after a backoff — until the last allowed
// attempt, after which they are deleted too, with a log line: each report
// row is written a bounded number of times, never in a loop. Lanes sleep
// until the next report of this process is due, and look at the table at
// least every second (for retries and for reports another process owes);
// that look is a read when nothing is due.
import type { Db } from "../../db/client.ts";
import { retryTransient } from "../../db/retry.ts";
import type { MessageType } from "../../domain/message-content.ts";
import type { ReportTarget } from "./accounts.ts";
import {
  logGivenUp,
  POSTS_IN_FLIGHT,
  postReports,
  REPORTS_PER_POST,
  reportRetryDelayMs,
} from "./report-delivery.ts";
import type { ReportDelivery, ReporterStats, SandboxRecord, SandboxStore } from "./store.ts";
import {
  type ClaimedReport,
  claimDueReports,
  countOwedReports,
  deleteReports,
  findRecordsByVendorIds,
  findRecordsOfCustomId,
  insertRecords,
  insertReports,
  lockRecords,
  markReportsFailed,
  updateRecords,
} from "./store-db-queries.ts";

/** Thrown when another request stored one of our new ids first: the transaction starts over. */
const raced = () =>
  Object.assign(new Error("sandbox: a concurrent request stored the same id"), { code: "40001" });

/**
 * How long a claimed report is left to its deliverer beyond the POST's own
 * time limit: a dead deliverer's reports go out again this soon after it.
 */
const LEASE_MARGIN_MS = 5_000;
/** How often idle lanes look for due reports they were not told about. */
const IDLE_MS = 1_000;

export interface DatabaseStoreOptions {
  db: Db;
}

export function databaseStore(options: DatabaseStoreOptions) {
  return (delivery: ReportDelivery): SandboxStore => createDatabaseStore(options, delivery);
}

function createDatabaseStore({ db }: DatabaseStoreOptions, delivery: ReportDelivery): SandboxStore {
  const stats = { scheduled: 0, delivered: 0, gaveUp: 0, posts: 0, failedPosts: 0 };
  let stopped = false;
  let wakeTimer: NodeJS.Timeout | null = null;
  let wakeTimerAt = Number.POSITIVE_INFINITY;
  let sleepers: (() => void)[] = [];

  const wakeAll = () => {
    if (wakeTimer !== null) clearTimeout(wakeTimer);
    wakeTimer = null;
    wakeTimerAt = Number.POSITIVE_INFINITY;
    const woken = sleepers;
    sleepers = [];
    for (const wake of woken) wake();
  };
  const wakeAt = (at: number) => {
    if (stopped || at >= wakeTimerAt) return;
    if (wakeTimer !== null) clearTimeout(wakeTimer);
    wakeTimerAt = at;
    wakeTimer = setTimeout(wakeAll, Math.max(0, at - Date.now()));
  };
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, IDLE_MS);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      sleepers.push(done);
    });

  /** One POST of an account's reports and what became of them. */
  async function deliverTo(accountId: string, reports: ClaimedReport[]): Promise<void> {
    const ids = reports.map((r) => r.id);
    const attempts = 1 + Math.max(...reports.map((r) => r.attempts));
    let target: ReportTarget | null;
    try {
      target = await delivery.accounts.reportTarget(accountId);
    } catch (err) {
      // Counted as a failed attempt: a database that is down now may be back for the next.
      delivery.logger.warn({ err, accountId }, "sandbox: could not look up a report target");
      return failed(ids, attempts, accountId);
    }
    if (target === null) {
      await retryTransient(() => deleteReports(db, ids));
      stats.gaveUp += reports.length;
      logGivenUp(delivery.logger, {
        accountId,
        reports: reports.length,
        attempts: attempts - 1,
        reason: "account",
      });
      return;
    }
    const batchId = delivery.newBatchId();
    const body = `{"batchId":${JSON.stringify(batchId)},"reports":[${reports.map((r) => r.report).join(",")}]}`;
    stats.posts++;
    const ok = await postReports(delivery, target, {
      id: batchId,
      body,
      reports: reports.length,
      attempt: attempts,
    });
    if (ok) {
      await retryTransient(() => deleteReports(db, ids));
      stats.delivered += reports.length;
    } else {
      stats.failedPosts++;
      await failed(ids, attempts, accountId);
    }
  }

  /** A failed attempt: due again after the backoff, or given up after the last one. */
  async function failed(ids: string[], attempts: number, accountId: string): Promise<void> {
    if (attempts >= delivery.retry.attempts) {
      await retryTransient(() => deleteReports(db, ids));
      stats.gaveUp += ids.length;
      logGivenUp(delivery.logger, { accountId, reports: ids.length, attempts, reason: "attempts" });
      return;
    }
    const retryAt = new Date(Date.now() + reportRetryDelayMs(attempts, delivery.retry));
    await retryTransient(() => markReportsFailed(db, ids, retryAt));
    wakeAt(retryAt.getTime());
  }

  /** Claims due reports, POSTs them per account, records the outcome. True when more may be due. */
  async function deliverOnce(): Promise<boolean> {
    const now = new Date();
    const claimed = await claimDueReports(db, {
      now,
      leaseUntil: new Date(now.getTime() + delivery.timeoutMs + LEASE_MARGIN_MS),
      limit: REPORTS_PER_POST,
    });
    if (claimed.length === 0) return false;
    // In the order they were owed (0005's replay after its first reports).
    claimed.sort((a, b) => Number(a.id) - Number(b.id));
    const byAccount = new Map<string, ClaimedReport[]>();
    for (const report of claimed) {
      const list = byAccount.get(report.accountId);
      if (list) list.push(report);
      else byAccount.set(report.accountId, [report]);
    }
    await Promise.all([...byAccount].map(([accountId, reports]) => deliverTo(accountId, reports)));
    return claimed.length === REPORTS_PER_POST;
  }

  const lanes = Array.from({ length: POSTS_IN_FLIGHT }, async () => {
    while (!stopped) {
      let more = false;
      try {
        more = await deliverOnce();
      } catch (err) {
        if (!stopped) delivery.logger.error({ err }, "sandbox: report delivery failed");
      }
      if (!more && !stopped) await sleep();
    }
  });

  return {
    async record(accountId, sightings, decide) {
      const counts = new Map<string, { customId: string; count: number; type: MessageType }>();
      for (const s of sightings) {
        const seen = counts.get(s.customId);
        if (seen) seen.count++;
        else counts.set(s.customId, { customId: s.customId, count: 1, type: s.type });
      }
      const items = [...counts.values()].sort((a, b) => (a.customId < b.customId ? -1 : 1));
      let owed = 0;
      const dueTimes: number[] = [];
      const result = await retryTransient(() =>
        db.tx(async (q) => {
          owed = 0;
          dueTimes.length = 0;
          const existing = await lockRecords(
            q,
            accountId,
            items.map((i) => i.customId),
          );
          const before = new Map(existing.map((r) => [r.customId, r]));
          const recorded = decide(before);
          // Every sighted record in its state after this request, each written once.
          const accepted = new Map(recorded.accepted.map((r) => [r.customId, r]));
          const after = items.map((item): SandboxRecord => {
            const known = accepted.get(item.customId) ?? before.get(item.customId);
            const seen = (before.get(item.customId)?.seen ?? 0) + item.count;
            return known
              ? { ...known, seen }
              : {
                  accountId,
                  customId: item.customId,
                  seen,
                  vendorId: null,
                  fallbackVendorId: null,
                  type: item.type,
                  plan: [],
                  acceptedAt: 0,
                };
          });
          await updateRecords(
            q,
            accountId,
            after.filter((r) => before.has(r.customId)),
          );
          const lost = await insertRecords(
            q,
            accountId,
            after.filter((r) => !before.has(r.customId)),
          );
          if (lost.length > 0) throw raced();
          for (const report of recorded.reports) {
            const dueAt = report.acceptedAt + delivery.delayMs * (report.wave + 1);
            await insertReports(q, {
              accountId,
              dueAt: new Date(dueAt),
              reports: report.reports.map((r) => JSON.stringify(r)),
            });
            owed += report.reports.length;
            dueTimes.push(dueAt);
          }
          return recorded.result;
        }),
      );
      stats.scheduled += owed;
      if (dueTimes.length > 0) wakeAt(Math.min(...dueTimes));
      return result;
    },
    findByVendorIds: (accountId, vendorIds) => findRecordsByVendorIds(db, accountId, vendorIds),
    findAll: (customId) => findRecordsOfCustomId(db, customId),
    reportStats: (): ReporterStats => ({
      ...stats,
      pending: Math.max(0, stats.scheduled - stats.delivered - stats.gaveUp),
    }),
    async settled() {
      while (!stopped && (await countOwedReports(db)) > 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      stopped = true;
      wakeAll();
      await Promise.all(lanes);
    },
  };
}
