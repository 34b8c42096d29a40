// The sandbox's statements over its own tables (db/schema/sandbox.ts). Batched
// with unnest: one statement per send request and per report batch. Every
// statement about messages names the account: one account's records are
// never read for another.
import type { Queryable } from "../../db/client.ts";
import type { MessageType } from "../../domain/message-content.ts";
import type { PlannedReport } from "./behaviour.ts";
import type { SandboxRecord } from "./store.ts";

interface RecordRow {
  accountId: string;
  customId: string;
  seen: number;
  vendorId: string | null;
  fallbackVendorId: string | null;
  type: MessageType;
  plan: PlannedReport[];
  acceptedAt: Date | null;
}

const RECORD_COLUMNS = `account_id as "accountId", custom_id as "customId", seen, vendor_id as "vendorId",
  fallback_vendor_id as "fallbackVendorId", type, plan, accepted_at as "acceptedAt"`;

const toRecord = (row: RecordRow): SandboxRecord => ({
  ...row,
  acceptedAt: row.acceptedAt ? row.acceptedAt.getTime() : 0,
});

/**
 * The account's records of these ids that exist, locked until the
 * transaction ends: a second request with the same id waits, then sees what
 * this one accepted. Rows are locked in id order, so concurrent requests
 * cannot deadlock.
 */
export async function lockRecords(
  q: Queryable,
  accountId: string,
  customIds: string[],
): Promise<SandboxRecord[]> {
  const r = await q.query<RecordRow>(
    `select ${RECORD_COLUMNS} from sandbox_messages
     where custom_id = any($2::text[]) and account_id = $1 order by custom_id for update`,
    [accountId, customIds],
  );
  return r.rows.map(toRecord);
}

/** The records' columns as arrays for unnest; the account goes alone ($1). */
const recordArrays = (records: SandboxRecord[]) => [
  records.map((r) => r.customId),
  records.map((r) => r.seen),
  records.map((r) => r.vendorId),
  records.map((r) => r.fallbackVendorId),
  records.map((r) => r.type),
  records.map((r) => JSON.stringify(r.plan)),
  records.map((r) => (r.acceptedAt ? new Date(r.acceptedAt) : null)),
];

/**
 * Stores records seen for the first time, in their final state (one write per
 * message, the common case). Returns the ids that another request inserted
 * first (between lockRecords and now): the caller starts over.
 */
export async function insertRecords(
  q: Queryable,
  accountId: string,
  records: SandboxRecord[],
): Promise<string[]> {
  if (records.length === 0) return [];
  const r = await q.query<{ customId: string }>(
    `insert into sandbox_messages
       (account_id, custom_id, seen, vendor_id, fallback_vendor_id, type, plan, accepted_at)
     select $1, id, seen, vid, fvid, type, plan::jsonb, at
     from unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       as u(id, seen, vid, fvid, type, plan, at)
     on conflict (custom_id, account_id) do nothing
     returning custom_id as "customId"`,
    [accountId, ...recordArrays(records)],
  );
  const inserted = new Set(r.rows.map((row) => row.customId));
  return records.filter((rec) => !inserted.has(rec.customId)).map((rec) => rec.customId);
}

/** Updates records seen before (locked by lockRecords): their count, and what was accepted now. */
export async function updateRecords(
  q: Queryable,
  accountId: string,
  records: SandboxRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await q.query(
    `update sandbox_messages m set seen = u.seen, vendor_id = u.vid, fallback_vendor_id = u.fvid,
       type = u.type, plan = u.plan::jsonb, accepted_at = u.at
     from unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       as u(id, seen, vid, fvid, type, plan, at)
     where m.custom_id = u.id and m.account_id = $1`,
    [accountId, ...recordArrays(records)],
  );
}

/** Owes reports (WireReport JSON) to one account, due at `dueAt`. */
export async function insertReports(
  q: Queryable,
  options: { accountId: string; dueAt: Date; reports: string[] },
): Promise<void> {
  await q.query(
    `insert into sandbox_reports (account_id, report, due_at)
     select $1, r, $2 from unnest($3::text[]) as r`,
    [options.accountId, options.dueAt, options.reports],
  );
}

/** The account's records whose own or native fallback's sandbox id is one of these. */
export async function findRecordsByVendorIds(
  q: Queryable,
  accountId: string,
  vendorIds: string[],
): Promise<SandboxRecord[]> {
  const r = await q.query<RecordRow>(
    `select ${RECORD_COLUMNS} from sandbox_messages
     where account_id = $1
       and (vendor_id = any($2::text[]) or fallback_vendor_id = any($2::text[]))`,
    [accountId, vendorIds],
  );
  return r.rows.map(toRecord);
}

/** Every account's record of our id (for tests: how often the sandbox saw and sent it). */
export async function findRecordsOfCustomId(
  q: Queryable,
  customId: string,
): Promise<SandboxRecord[]> {
  const r = await q.query<RecordRow>(
    `select ${RECORD_COLUMNS} from sandbox_messages where custom_id = $1`,
    [customId],
  );
  return r.rows.map(toRecord);
}

export interface ClaimedReport {
  id: string;
  accountId: string;
  /** The WireReport as JSON text, ready for the POST body. */
  report: string;
  attempts: number;
}

/**
 * Takes up to `limit` reports that are due and not leased, earliest first,
 * and leases them until `leaseUntil`: another deliverer skips them, and if
 * this one dies they are due again when the lease ends.
 */
export async function claimDueReports(
  q: Queryable,
  options: { now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedReport[]> {
  const r = await q.query<ClaimedReport>(
    `with due as (
       select id from sandbox_reports
       where due_at <= $1 and (locked_until is null or locked_until <= $1)
       order by due_at
       limit $3
       for update skip locked
     )
     update sandbox_reports r set locked_until = $2
     from due where r.id = due.id
     returning r.id::text as id, r.account_id as "accountId", r.report, r.attempts`,
    [options.now, options.leaseUntil, options.limit],
  );
  return r.rows;
}

/** The webhook answered 2xx for these reports, or they were given up: they are owed no more. */
export async function deleteReports(q: Queryable, ids: string[]): Promise<void> {
  await q.query("delete from sandbox_reports where id = any($1::bigint[])", [ids]);
}

/** The POST of these reports failed: one more attempt counted, due again at `retryAt`. */
export async function markReportsFailed(q: Queryable, ids: string[], retryAt: Date): Promise<void> {
  await q.query(
    `update sandbox_reports set attempts = attempts + 1, due_at = $2, locked_until = null
     where id = any($1::bigint[])`,
    [ids, retryAt],
  );
}

/** Reports not delivered yet. */
export async function countOwedReports(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>("select count(*)::int as n from sandbox_reports");
  return r.rows[0]?.n ?? 0;
}
