// The sandbox's memory in the database, as a real vendor keeps it on its
// side: what it accepted (by our id, so a message sent again after our crash
// gets the same sandbox id and is not reported twice) and the reports it
// still owes, which its deliverer POSTs until the webhook answers 2xx —
// across restarts of this process, since nothing is kept only in memory.
//
// The deliverer: a few lanes, each claiming up to 1,000 due reports with a
// lease (FOR UPDATE SKIP LOCKED, so several processes serving the sandbox
// share the work), POSTing them as signed batches per webhook, then marking
// them delivered, or due again after a backoff. Lanes sleep until the next
// report of this process is due, and look at the table at least every second
// (for retries and for reports another process owes).
import { createHash } from "node:crypto";
import type { Db } from "../../db/client.ts";
import { retryTransient } from "../../db/retry.ts";
import type { MessageType } from "../../domain/message-content.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { signSandboxReports } from "./callback.ts";
import { POSTS_IN_FLIGHT, REPORTS_PER_POST, reportRetryDelayMs } from "./reporter.ts";
import type { ReportDelivery, ReporterStats, SandboxRecord, SandboxStore } from "./store.ts";
import {
  type ClaimedReport,
  claimDueReports,
  countOwedReports,
  deleteDeliveredReports,
  ensureWebhook,
  findRecords,
  findWebhooks,
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
  /** Seals the webhooks' signing secrets at rest. */
  box: SecretBox;
}

/** A store factory for createSandbox: the sandbox's records and owed reports in `db`. */
export function databaseStore(options: DatabaseStoreOptions) {
  return (delivery: ReportDelivery): SandboxStore => createDatabaseStore(options, delivery);
}

function createDatabaseStore(
  { db, box }: DatabaseStoreOptions,
  delivery: ReportDelivery,
): SandboxStore {
  const stats = { scheduled: 0, delivered: 0, posts: 0, failedPosts: 0 };
  /** Webhooks known to be stored, by URL and secret → id. */
  const stored = new Map<string, string>();
  /** Opened secrets and URLs by webhook id. */
  const targets = new Map<string, { url: string; secret: string }>();
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

  async function targetsOf(ids: string[]) {
    const missing = ids.filter((id) => !targets.has(id));
    if (missing.length > 0) {
      for (const w of await findWebhooks(db, missing)) {
        targets.set(w.id, { url: w.url, secret: box.open(w.secretSealed) });
      }
    }
  }

  /** One signed POST of a batch; true when the webhook answered 2xx. Never rejects. */
  async function post(target: { url: string; secret: string }, reports: ClaimedReport[]) {
    const batchId = delivery.newBatchId();
    const body = `{"batchId":${JSON.stringify(batchId)},"reports":[${reports.map((r) => r.report).join(",")}]}`;
    const signature = signSandboxReports(target.secret, body, Date.now() / 1000);
    stats.posts++;
    try {
      const response = await delivery.fetch(target.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...signature },
        body,
        signal: AbortSignal.timeout(delivery.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      delivery.logger.warn(
        { batchId, status: response.status, reports: reports.length },
        "sandbox: the webhook refused a report batch; retrying",
      );
    } catch (err) {
      delivery.logger.warn(
        { batchId, err: (err as Error).message, reports: reports.length },
        "sandbox: could not POST a report batch; retrying",
      );
    }
    stats.failedPosts++;
    return false;
  }

  /** Claims due reports, POSTs them per webhook, records the outcome. True when more may be due. */
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
    const byWebhook = new Map<string, ClaimedReport[]>();
    for (const report of claimed) {
      const list = byWebhook.get(report.webhookId);
      if (list) list.push(report);
      else byWebhook.set(report.webhookId, [report]);
    }
    await targetsOf([...byWebhook.keys()]);
    await Promise.all(
      [...byWebhook].map(async ([webhookId, reports]) => {
        const target = targets.get(webhookId);
        const ok = target !== undefined && (await post(target, reports));
        const ids = reports.map((r) => r.id);
        if (ok) {
          await retryTransient(() => deleteDeliveredReports(db, ids));
          stats.delivered += reports.length;
        } else {
          const attempts = 1 + Math.max(...reports.map((r) => r.attempts));
          const retryAt = new Date(Date.now() + reportRetryDelayMs(attempts, delivery.retry));
          await retryTransient(() => markReportsFailed(db, ids, retryAt));
          wakeAt(retryAt.getTime());
        }
      }),
    );
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
    async record(sightings, decide) {
      const counts = new Map<string, { customId: string; count: number; type: MessageType }>();
      for (const s of sightings) {
        const seen = counts.get(s.customId);
        if (seen) seen.count++;
        else counts.set(s.customId, { customId: s.customId, count: 1, type: s.type });
      }
      const items = [...counts.values()].sort((a, b) => (a.customId < b.customId ? -1 : 1));
      const webhooks: { key: string; id: string }[] = [];
      let owed = 0;
      const dueTimes: number[] = [];
      const result = await retryTransient(() =>
        db.tx(async (q) => {
          webhooks.length = 0;
          owed = 0;
          dueTimes.length = 0;
          const existing = await lockRecords(
            q,
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
            after.filter((r) => before.has(r.customId)),
          );
          const lost = await insertRecords(
            q,
            after.filter((r) => !before.has(r.customId)),
          );
          if (lost.length > 0) throw raced();
          for (const report of recorded.reports) {
            const key = `${report.target.url}\n${report.target.secret}`;
            let webhookId = stored.get(key);
            if (webhookId === undefined) {
              webhookId = createHash("sha256").update(key).digest("hex").slice(0, 32);
              await ensureWebhook(q, {
                id: webhookId,
                url: report.target.url,
                secretSealed: box.seal(report.target.secret),
              });
              webhooks.push({ key, id: webhookId });
            }
            const dueAt = report.acceptedAt + delivery.delayMs * (report.wave + 1);
            await insertReports(q, {
              webhookId,
              dueAt: new Date(dueAt),
              reports: report.reports.map((r) => JSON.stringify(r)),
            });
            owed += report.reports.length;
            dueTimes.push(dueAt);
          }
          return recorded.result;
        }),
      );
      for (const w of webhooks) stored.set(w.key, w.id);
      stats.scheduled += owed;
      if (dueTimes.length > 0) wakeAt(Math.min(...dueTimes));
      return result;
    },
    findByVendorIds: (vendorIds) => findRecords(db, { vendorIds }),
    async find(customId) {
      return (await findRecords(db, { customIds: [customId] }))[0];
    },
    reportStats: (): ReporterStats => ({
      ...stats,
      pending: Math.max(0, stats.scheduled - stats.delivered),
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
