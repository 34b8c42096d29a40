import type { Queryable } from "../../db/client.ts";
import type { ReportDropReason } from "../../db/schema/reports.ts";
import type { DeliveryReport } from "../../vendors/vendor.ts";

/**
 * Stores reports once each: a repeat of (account, vendor message id, status)
 * is dropped by the unique index. A report whose message is already known is
 * stored as applied (the caller applies it in the same transaction); the
 * others wait for the applier. Returns the reports that were new.
 */
export async function insertReports(
  q: Queryable,
  options: {
    vendorAccountId: string;
    source: "webhook" | "poll";
    reports: DeliveryReport[];
    /** Per report, the message it is about when known, else null. */
    messageIds?: (string | null)[];
    /** On the applier's clock, so a report is due for it at once. */
    receivedAt: Date;
  },
): Promise<{ vendorMessageId: string; status: string }[]> {
  const { reports } = options;
  if (reports.length === 0) return [];
  const r = await q.query<{ vendorMessageId: string; status: string }>(
    `insert into delivery_reports (vendor_account_id, source, received_at, next_attempt_at,
       applied_at, vendor_message_id, status, type, fallback_of, error_code, raw_code,
       error_message, reported_at, raw, message_id)
     select $1, $2, $12, $12, case when u.message_id is null then null else $12::timestamptz end,
       u.vid, u.status, u.type, u.fallback_of, u.code, u.raw_code, u.msg, u.at, u.raw, u.message_id
     from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::text[], $10::timestamptz[], $11::jsonb[], $13::text[])
       as u(vid, status, type, fallback_of, code, raw_code, msg, at, raw, message_id)
     on conflict (vendor_account_id, vendor_message_id, status) do nothing
     returning vendor_message_id as "vendorMessageId", status`,
    [
      options.vendorAccountId,
      options.source,
      reports.map((x) => x.vendorMessageId),
      reports.map((x) => x.status),
      reports.map((x) => x.type),
      reports.map((x) => x.fallbackOf),
      reports.map((x) => x.error?.code ?? null),
      reports.map((x) => x.error?.rawCode ?? null),
      reports.map((x) => x.error?.message ?? null),
      reports.map((x) => x.at),
      reports.map((x) => (x.raw === undefined ? null : JSON.stringify(x.raw))),
      options.receivedAt,
      options.messageIds ?? reports.map(() => null),
    ],
  );
  return r.rows;
}

export interface PendingReport {
  id: bigint;
  vendorAccountId: string;
  vendorMessageId: string;
  status: "sent" | "delivered" | "failed";
  fallbackOf: string | null;
  errorCode: string | null;
  rawCode: string | null;
  errorMessage: string | null;
  reportedAt: Date;
  receivedAt: Date;
  /** Looks so far that found its message unknown. */
  checks: number;
}

/** Locks a batch of reports not yet applied (other appliers skip them). */
export async function claimPendingReports(
  q: Queryable,
  options: { now: Date; limit: number },
): Promise<PendingReport[]> {
  const r = await q.query<PendingReport>(
    `select id, vendor_account_id as "vendorAccountId", vendor_message_id as "vendorMessageId",
       status, fallback_of as "fallbackOf", error_code as "errorCode", raw_code as "rawCode",
       error_message as "errorMessage", reported_at as "reportedAt",
       received_at as "receivedAt", checks
     from delivery_reports
     where applied_at is null and next_attempt_at <= $1
     order by id
     limit $2
     for update skip locked`,
    [options.now, options.limit],
  );
  return r.rows;
}

export interface MessageRef {
  vendorAccountId: string;
  vendorMessageId: string;
  id: string;
  status: string;
  type: string;
  fallbackType: string | null;
}

/** The messages these vendor ids belong to (those whose acceptance is recorded). */
export async function findMessagesByVendorIds(
  q: Queryable,
  keys: { vendorAccountId: string; vendorMessageId: string }[],
): Promise<MessageRef[]> {
  if (keys.length === 0) return [];
  const r = await q.query<MessageRef>(
    `select m.vendor_account_id as "vendorAccountId", m.vendor_message_id as "vendorMessageId",
       m.id, m.status, m.type, m.fallback_type as "fallbackType"
     from unnest($1::text[], $2::text[]) as u(account, vid)
     join messages m on m.vendor_account_id = u.account and m.vendor_message_id = u.vid`,
    [keys.map((k) => k.vendorAccountId), keys.map((k) => k.vendorMessageId)],
  );
  return r.rows;
}

/** The fallback message of each parent, for a vendor's native fallback reports. */
export async function findFallbacks(
  q: Queryable,
  parentIds: string[],
): Promise<{ id: string; fallbackOf: string; vendorMessageId: string | null }[]> {
  if (parentIds.length === 0) return [];
  const r = await q.query<{ id: string; fallbackOf: string; vendorMessageId: string | null }>(
    `select id, fallback_of as "fallbackOf", vendor_message_id as "vendorMessageId"
     from messages where fallback_of = any($1::text[])`,
    [parentIds],
  );
  return r.rows;
}

/** Gives a vendor-sent fallback message the id the vendor reports it under. */
export async function setFallbackVendorIds(
  q: Queryable,
  items: { id: string; vendorMessageId: string }[],
): Promise<void> {
  if (items.length === 0) return;
  await q.query(
    `update messages m set vendor_message_id = u.vid
     from unnest($1::text[], $2::text[]) as u(id, vid)
     where m.id = u.id and m.vendor_message_id is null`,
    [items.map((i) => i.id), items.map((i) => i.vendorMessageId)],
  );
}

export async function markReportsApplied(
  q: Queryable,
  items: { id: bigint; messageId: string }[],
  now: Date,
): Promise<void> {
  if (items.length === 0) return;
  await q.query(
    `update delivery_reports r set applied_at = $3, message_id = u.message_id
     from unnest($1::bigint[], $2::text[]) as u(id, message_id)
     where r.id = u.id`,
    [items.map((i) => i.id), items.map((i) => i.messageId), now],
  );
}

/**
 * Parked reports whose message is still unknown: looked at again at their
 * own time (domain/report-parking.ts), one update per look, not per tick.
 */
export async function deferReports(
  q: Queryable,
  items: { id: bigint; checks: number; nextAttemptAt: Date }[],
): Promise<void> {
  if (items.length === 0) return;
  await q.query(
    `update delivery_reports r set checks = u.checks, next_attempt_at = u.next_at
     from unnest($1::bigint[], $2::int[], $3::timestamptz[]) as u(id, checks, next_at)
     where r.id = u.id`,
    [items.map((i) => i.id), items.map((i) => i.checks), items.map((i) => i.nextAttemptAt)],
  );
}

/** Deletes parked reports whose window is over; returns how many per account. */
export async function deleteReports(
  q: Queryable,
  ids: bigint[],
): Promise<{ vendorAccountId: string; n: number }[]> {
  if (ids.length === 0) return [];
  const r = await q.query<{ vendorAccountId: string; n: number }>(
    `with d as (
       delete from delivery_reports where id = any($1::bigint[]) and applied_at is null
       returning vendor_account_id
     )
     select vendor_account_id as "vendorAccountId", count(*)::int as n
     from d group by vendor_account_id`,
    [ids],
  );
  return r.rows;
}

/** Counts reports dropped without being applied: one counter per (account, reason). */
export async function countDroppedReports(
  q: Queryable,
  options: { reason: ReportDropReason; drops: { vendorAccountId: string; n: number }[]; now: Date },
): Promise<void> {
  const drops = options.drops.filter((d) => d.n > 0);
  if (drops.length === 0) return;
  await q.query(
    `insert into report_drops (vendor_account_id, reason, count, last_at)
     select u.account, $3, u.n, $4 from unnest($1::text[], $2::bigint[]) as u(account, n)
     on conflict (vendor_account_id, reason)
     do update set count = report_drops.count + excluded.count, last_at = excluded.last_at`,
    [drops.map((d) => d.vendorAccountId), drops.map((d) => d.n), options.reason, options.now],
  );
}

/**
 * How many reports an account has parked, counted up to `limit`, under a
 * transaction-scoped lock of the account's parking: two deliveries for one
 * account count and park one after the other, so together they cannot go
 * past the limit. Taken only by deliveries that have something to park.
 */
export async function countParkedReports(
  q: Queryable,
  options: { vendorAccountId: string; limit: number },
): Promise<number> {
  await q.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [
    `alimi:parked-reports:${options.vendorAccountId}`,
  ]);
  const r = await q.query<{ n: number }>(
    `select count(*)::int as n from (
       select 1 from delivery_reports
       where vendor_account_id = $1 and applied_at is null
       limit $2
     ) parked`,
    [options.vendorAccountId, options.limit],
  );
  return r.rows[0]?.n ?? 0;
}
