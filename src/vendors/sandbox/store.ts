// Where the sandbox keeps what it has seen and accepted, and the reports it
// owes. Two stores behind one interface: the database (store-db.ts), which
// survives our crashes as a real vendor would, used by the server; and
// memory, for unit tests of the sandbox's behaviour, which forgets it all
// when it closes.
import type { FastifyBaseLogger } from "fastify";
import type { MessageType } from "../../domain/message-content.ts";
import type { SandboxAccounts } from "./accounts.ts";
import type { PlannedReport } from "./behaviour.ts";
import type { ReportRetry } from "./report-delivery.ts";
import { createReporter, type ReporterStats } from "./reporter.ts";
import type { WireReport } from "./wire.ts";

export type { ReporterStats } from "./reporter.ts";

/**
 * One message the sandbox has seen from one account, by our id (the
 * account's deduplication key, as at a real vendor: another account's
 * message with the same id is another message).
 */
export interface SandboxRecord {
  /** The account that sent it: only that account is answered about it. */
  accountId: string;
  customId: string;
  /** Send requests that carried it. */
  seen: number;
  /** Null until accepted. */
  vendorId: string | null;
  /** The native fallback's own id, when the plan uses one. */
  fallbackVendorId: string | null;
  type: MessageType;
  plan: PlannedReport[];
  /** Unix ms; 0 until accepted. */
  acceptedAt: number;
}

/**
 * Reports owed for one send request's wave, to the account that sent it:
 * due `delay × (wave + 1)` after `acceptedAt`.
 */
export interface OwedReports {
  wave: 0 | 1;
  acceptedAt: number;
  reports: WireReport[];
}

/** What a send request changed: the records it accepted (complete) and the reports they owe. */
export interface Recorded<T> {
  accepted: SandboxRecord[];
  reports: OwedReports[];
  result: T;
}

/** A sighting of our id in a send request: its type, for a record made on first sight. */
export interface Sighting {
  customId: string;
  type: MessageType;
}

export interface SandboxStore {
  /**
   * One send request of an account, atomically: each sighting counts once (an
   * id may come twice in one request); `decide` is given the account's
   * records as they were before the request (absent: never seen) and says
   * what was accepted, and the reports it owes the account. Two requests
   * carrying the same id are serialized, so one id is accepted only once.
   */
  record<T>(
    accountId: string,
    sightings: Sighting[],
    decide: (before: ReadonlyMap<string, SandboxRecord>) => Recorded<T>,
  ): Promise<T>;
  /** The account's records by their sandbox ids (a message's own or its native fallback's). */
  findByVendorIds(accountId: string, vendorIds: string[]): Promise<SandboxRecord[]>;
  /** Every account's record of our id (for tests: how often it was seen and sent). */
  findAll(customId: string): Promise<SandboxRecord[]>;
  reportStats(): ReporterStats;
  /** Resolves once no report is owed. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface ReportDelivery {
  delayMs: number;
  logger: FastifyBaseLogger;
  fetch: typeof fetch;
  /** Where each account's reports go. */
  accounts: SandboxAccounts;
  newBatchId: () => string;
  retry: ReportRetry;
  timeoutMs: number;
  drainMs: number;
}

/** The store in memory, with the in-memory reporter (reports still owed at close are dropped). */
export function createMemoryStore(delivery: ReportDelivery): SandboxStore {
  const reporter = createReporter(delivery);
  /** By account and our id. */
  const records = new Map<string, SandboxRecord>();
  const byVendorId = new Map<string, SandboxRecord>();
  const keyOf = (accountId: string, customId: string) => `${accountId}\n${customId}`;

  return {
    async record(accountId, sightings, decide) {
      const before = new Map<string, SandboxRecord>();
      for (const s of sightings) {
        const record = records.get(keyOf(accountId, s.customId));
        if (record && !before.has(s.customId)) before.set(s.customId, { ...record });
      }
      for (const s of sightings) {
        let record = records.get(keyOf(accountId, s.customId));
        if (record === undefined) {
          record = {
            accountId,
            customId: s.customId,
            seen: 0,
            vendorId: null,
            fallbackVendorId: null,
            type: s.type,
            plan: [],
            acceptedAt: 0,
          };
          records.set(keyOf(accountId, s.customId), record);
        }
        record.seen++;
      }
      const recorded = decide(before);
      for (const accepted of recorded.accepted) {
        const record = records.get(keyOf(accountId, accepted.customId));
        if (record === undefined) continue;
        Object.assign(record, { ...accepted, seen: record.seen });
        if (record.vendorId) byVendorId.set(record.vendorId, record);
        if (record.fallbackVendorId) byVendorId.set(record.fallbackVendorId, record);
      }
      for (const owed of recorded.reports) {
        reporter.schedule(accountId, owed.wave, owed.acceptedAt, owed.reports);
      }
      return recorded.result;
    },
    async findByVendorIds(accountId, vendorIds) {
      const found = new Set<SandboxRecord>();
      for (const id of vendorIds) {
        const record = byVendorId.get(id);
        if (record?.accountId === accountId) found.add(record);
      }
      return [...found].map((r) => ({ ...r }));
    },
    async findAll(customId) {
      return [...records.values()].filter((r) => r.customId === customId).map((r) => ({ ...r }));
    },
    reportStats: () => reporter.stats(),
    settled: () => reporter.settled(),
    close: () => reporter.close(),
  };
}
