import type { Queryable } from "../../db/client.ts";
import type { VendorName } from "../../vendors/vendor.ts";

export interface VendorAccountRow {
  id: string;
  orgId: string;
  vendor: VendorName;
  name: string;
  settings: Record<string, unknown>;
  credentialsEnc: string;
  webhookSecretEnc: string;
  version: number;
  status: string;
}

const COLUMNS = `id, org_id as "orgId", vendor, name, settings, credentials_enc as "credentialsEnc",
  webhook_secret_enc as "webhookSecretEnc", version, status`;

export async function insertVendorAccount(
  q: Queryable,
  a: Omit<VendorAccountRow, "version" | "status"> & { testedAt?: Date | null },
): Promise<VendorAccountRecord> {
  const r = await q.query<VendorAccountRecord>(
    `insert into vendor_accounts (id, org_id, vendor, name, settings, credentials_enc,
       webhook_secret_enc, last_tested_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${RECORD_COLUMNS}`,
    [
      a.id,
      a.orgId,
      a.vendor,
      a.name,
      JSON.stringify(a.settings),
      a.credentialsEnc,
      a.webhookSecretEnc,
      a.testedAt ?? null,
    ],
  );
  return r.rows[0]!;
}

export async function findVendorAccount(
  q: Queryable,
  id: string,
): Promise<VendorAccountRow | null> {
  const r = await q.query<VendorAccountRow>(
    `select ${COLUMNS} from vendor_accounts where id = $1`,
    [id],
  );
  return r.rows[0] ?? null;
}

/** The platform's default account (the sandbox until the operator chooses otherwise). */
export async function findDefaultVendorAccountId(q: Queryable): Promise<string | null> {
  const r = await q.query<{ id: string }>(
    "select value->>'id' as id from settings where key = 'default_vendor_account'",
  );
  return r.rows[0]?.id ?? null;
}

export async function setDefaultVendorAccountId(q: Queryable, id: string): Promise<void> {
  await q.query(
    `insert into settings (key, value) values ('default_vendor_account', $1)
     on conflict (key) do update set value = excluded.value, updated_at = now()`,
    [JSON.stringify({ id })],
  );
}

export interface VendorAccountRecord extends VendorAccountRow {
  lastTestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const RECORD_COLUMNS = `${COLUMNS}, last_tested_at as "lastTestedAt", created_at as "createdAt",
  updated_at as "updatedAt"`;

export async function findVendorAccountRecord(
  q: Queryable,
  id: string,
): Promise<VendorAccountRecord | null> {
  const r = await q.query<VendorAccountRecord>(
    `select ${RECORD_COLUMNS} from vendor_accounts where id = $1`,
    [id],
  );
  return r.rows[0] ?? null;
}

export async function listVendorAccounts(
  q: Queryable,
  orgId: string,
): Promise<VendorAccountRecord[]> {
  const r = await q.query<VendorAccountRecord>(
    `select ${RECORD_COLUMNS} from vendor_accounts where org_id = $1 order by id`,
    [orgId],
  );
  return r.rows;
}

/** An account owned by an organization of the subtree at `scopePath`. */
export async function findVendorAccountInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<VendorAccountRecord | null> {
  const r = await q.query<VendorAccountRecord>(
    `select ${RECORD_COLUMNS} from vendor_accounts
     where id = $1 and org_id in (select id from orgs where path like $2 || '%')`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

/** An account usable by the organization at `orgPath`: its own or an ancestor's. */
/**
 * An account that an organization may use (its own or an ancestor's), read
 * with a share lock: a routing change that names it commits before, or
 * waits for, a change of its status (which then sees the new routing).
 */
export async function findVendorAccountUsableBy(
  q: Queryable,
  id: string,
  orgPath: string,
): Promise<VendorAccountRecord | null> {
  const r = await q.query<VendorAccountRecord>(
    `select ${RECORD_COLUMNS} from vendor_accounts
     where id = $1 and org_id in (select id from orgs where $2 like path || '%')
     for share`,
    [id, orgPath],
  );
  return r.rows[0] ?? null;
}

/**
 * Updates an account if it is still at `version` (optimistic locking): null
 * when someone changed it in between.
 */
export async function updateVendorAccount(
  q: Queryable,
  change: {
    id: string;
    version: number;
    name: string;
    settings: Record<string, unknown>;
    credentialsEnc: string;
    status: string;
    testedAt: Date | null;
  },
): Promise<VendorAccountRecord | null> {
  const r = await q.query<VendorAccountRecord>(
    `update vendor_accounts set name = $3, settings = $4, credentials_enc = $5, status = $6,
       last_tested_at = coalesce($7, last_tested_at), version = version + 1, updated_at = now()
     where id = $1 and version = $2
     returning ${RECORD_COLUMNS}`,
    [
      change.id,
      change.version,
      change.name,
      JSON.stringify(change.settings),
      change.credentialsEnc,
      change.status,
      change.testedAt,
    ],
  );
  return r.rows[0] ?? null;
}

export async function markVendorAccountTested(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query("update vendor_accounts set last_tested_at = $2 where id = $1", [id, at]);
}

export async function deleteVendorAccount(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query("delete from vendor_accounts where id = $1", [id]);
  return r.affectedRows > 0;
}

/** Every sandbox account, of every organization (few: checked once at start). */
export async function listSandboxAccounts(q: Queryable): Promise<VendorAccountRow[]> {
  const r = await q.query<VendorAccountRow>(
    `select ${COLUMNS} from vendor_accounts where vendor = 'sandbox' order by id`,
  );
  return r.rows;
}

/** New credentials for an account; a new version, so a change read before it is stale. */
export async function replaceVendorCredentials(
  q: Queryable,
  id: string,
  credentialsEnc: string,
): Promise<void> {
  await q.query(
    `update vendor_accounts set credentials_enc = $2, version = version + 1, updated_at = now()
     where id = $1`,
    [id, credentialsEnc],
  );
}
