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
  a: Omit<VendorAccountRow, "version" | "status">,
): Promise<VendorAccountRow> {
  const r = await q.query<VendorAccountRow>(
    `insert into vendor_accounts (id, org_id, vendor, name, settings, credentials_enc, webhook_secret_enc)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [
      a.id,
      a.orgId,
      a.vendor,
      a.name,
      JSON.stringify(a.settings),
      a.credentialsEnc,
      a.webhookSecretEnc,
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
