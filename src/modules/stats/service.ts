// Statistics as people read them: a summary of a range and a series of
// hours or local days in the organization's time zone, from stats_deltas.
import type { Queryable } from "../../db/client.ts";
import { formatLocalTime } from "../../domain/iso-time.ts";
import type { MessageType } from "../../domain/message-content.ts";
import { formatCredits } from "../../domain/money.ts";
import { PRICED_TYPES } from "../../domain/pricing.ts";
import { AppError } from "../../lib/errors.ts";
import { findOrg } from "../orgs/index.ts";
import {
  bucketStart,
  countAddressBook,
  listBuckets,
  type StatsFigures,
  type StatsScope,
  sumStats,
  sumStatsByBucket,
} from "./queries.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A series has at most this many buckets: 41 days of hours, 2.7 years of days. */
export const MAX_BUCKETS = 1000;

export interface StatsCaller {
  orgId: string;
  orgPath: string;
}

const scopeOf = (caller: StatsCaller, includeChildren: boolean): StatsScope =>
  includeChildren ? { orgPath: caller.orgPath } : { orgId: caller.orgId };

function invalidRange(path: string, code: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", `${path}: ${message}`, {
    details: [{ path, code, message }],
  });
}

function checkOrder(from: Date | null, to: Date | null): void {
  if (from && to && from >= to) {
    throw invalidRange("/querystring/to", "INVALID_RANGE", "must be after from");
  }
}

/** A rate of two counts, to four decimals; null when there is nothing to divide by. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

const floorHour = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);

export interface StatsSummary {
  from: string | null;
  to: string | null;
  contacts: number;
  groups: number;
  messages: {
    total: number;
    delivered: number;
    failed: number;
    pending: number;
    sent: number;
    expired: number;
    clicked: number;
    deliveredTracked: number;
  };
  successRate: number | null;
  clickRate: number | null;
  credits: { charged: string; refunded: string };
}

export async function statsSummary(
  q: Queryable,
  options: { caller: StatsCaller; includeChildren: boolean; from: Date | null; to: Date | null },
): Promise<StatsSummary> {
  const { from, to } = options;
  checkOrder(from, to);
  const scope = scopeOf(options.caller, options.includeChildren);
  const hoursFrom = from ? floorHour(from) : null;
  const f = await sumStats(q, { scope, from: hoursFrom, to });
  const book = await countAddressBook(q, scope);
  return {
    from: hoursFrom?.toISOString() ?? null,
    to: to?.toISOString() ?? null,
    contacts: book.contacts,
    groups: book.groups,
    messages: {
      total: f.accepted,
      delivered: f.delivered,
      failed: f.failed,
      pending: f.pending,
      sent: f.sent,
      expired: f.expired,
      clicked: f.clicked,
      deliveredTracked: f.deliveredTracked,
    },
    successRate: rate(f.delivered, f.delivered + f.failed + f.expired),
    clickRate: rate(f.clicked, f.deliveredTracked),
    credits: { charged: formatCredits(f.charged), refunded: formatCredits(f.refunded) },
  };
}

export type SeriesType = MessageType | "all";

export interface SeriesPoint {
  at: string;
  type: string;
  accepted: number;
  sent: number;
  delivered: number;
  deliveredTracked: number;
  failed: number;
  expired: number;
  clicked: number;
  charged: string;
  refunded: string;
}

export interface StatsSeries {
  granularity: "hour" | "day";
  timeZone: string;
  from: string;
  to: string;
  data: SeriesPoint[];
}

const ZERO: StatsFigures = {
  accepted: 0,
  pending: 0,
  sent: 0,
  delivered: 0,
  deliveredTracked: 0,
  failed: 0,
  expired: 0,
  clicked: 0,
  charged: 0n,
  refunded: 0n,
};

function add(a: StatsFigures, b: StatsFigures): StatsFigures {
  return {
    accepted: a.accepted + b.accepted,
    pending: a.pending + b.pending,
    sent: a.sent + b.sent,
    delivered: a.delivered + b.delivered,
    deliveredTracked: a.deliveredTracked + b.deliveredTracked,
    failed: a.failed + b.failed,
    expired: a.expired + b.expired,
    clicked: a.clicked + b.clicked,
    charged: a.charged + b.charged,
    refunded: a.refunded + b.refunded,
  };
}

/**
 * Every bucket of [from, to) — hours, or days of the organization's time
 * zone — for each type asked (`all`: summed over types; none: each type the
 * range saw), zeros included, oldest first.
 */
export async function statsSeries(
  q: Queryable,
  options: {
    caller: StatsCaller;
    includeChildren: boolean;
    granularity: "hour" | "day";
    from: Date | null;
    to: Date | null;
    type: SeriesType | null;
    now: Date;
  },
): Promise<StatsSeries> {
  const { granularity } = options;
  const org = await findOrg(q, options.caller.orgId);
  if (!org) throw new AppError("NOT_FOUND", "organization not found");
  const timeZone = org.timezone;
  const to = options.to ?? options.now;
  const wanted =
    options.from ?? new Date(to.getTime() - (granularity === "hour" ? DAY_MS : 30 * DAY_MS));
  checkOrder(wanted, to);
  const bucketMs = granularity === "hour" ? HOUR_MS : DAY_MS;
  // A local day is 23 to 25 hours long: the estimate allows for one more.
  if ((to.getTime() - wanted.getTime()) / bucketMs > MAX_BUCKETS) {
    throw invalidRange(
      "/querystring/from",
      "RANGE_TOO_LONG",
      `a series has at most ${MAX_BUCKETS} buckets (${granularity}s): narrow from and to`,
    );
  }
  const from = await bucketStart(q, { granularity, timeZone, at: wanted });
  const scope = scopeOf(options.caller, options.includeChildren);
  const buckets = await listBuckets(q, { granularity, timeZone, from, to });
  const rows = await sumStatsByBucket(q, {
    scope,
    granularity,
    timeZone,
    from,
    to,
    type: options.type === "all" ? null : options.type,
  });

  const byBucket = new Map<number, Map<string, StatsFigures>>();
  for (const row of rows) {
    const key = options.type === "all" ? "all" : row.type;
    const types = byBucket.get(row.at.getTime()) ?? new Map<string, StatsFigures>();
    byBucket.set(row.at.getTime(), types);
    types.set(key, add(types.get(key) ?? ZERO, row));
  }
  const types: string[] =
    options.type !== null
      ? [options.type]
      : PRICED_TYPES.filter((t) => rows.some((r) => r.type === t));
  const data: SeriesPoint[] = [];
  for (const at of buckets) {
    const seen = byBucket.get(at.getTime());
    for (const type of types) {
      const f = seen?.get(type) ?? ZERO;
      data.push({
        at: formatLocalTime(at, timeZone),
        type,
        accepted: f.accepted,
        sent: f.sent,
        delivered: f.delivered,
        deliveredTracked: f.deliveredTracked,
        failed: f.failed,
        expired: f.expired,
        clicked: f.clicked,
        charged: formatCredits(f.charged),
        refunded: formatCredits(f.refunded),
      });
    }
  }
  return {
    granularity,
    timeZone,
    from: formatLocalTime(from, timeZone),
    to: formatLocalTime(to, timeZone),
    data,
  };
}
