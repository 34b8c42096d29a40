import { randomBytes } from "node:crypto";
import type { Db } from "../../db/client.ts";
import { newId } from "../../lib/ids.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import type { VendorAccount } from "../../vendors/vendor.ts";
import { findPlatformOrg } from "../orgs/queries.ts";
import {
  findDefaultVendorAccountId,
  findVendorAccount,
  insertVendorAccount,
  setDefaultVendorAccountId,
  type VendorAccountRow,
} from "./queries.ts";

/**
 * The platform's sandbox account, created on first start and made the
 * default that every organization sends through until told otherwise.
 */
export async function ensurePlatformSandbox(db: Db, box: SecretBox): Promise<string> {
  const existing = await findDefaultVendorAccountId(db);
  if (existing) return existing;
  return db.tx(async (q) => {
    const again = await findDefaultVendorAccountId(q);
    if (again) return again;
    const platform = await findPlatformOrg(q);
    if (!platform) throw new Error("the platform organization does not exist yet");
    const account = await insertVendorAccount(q, {
      id: newId("vac"),
      orgId: platform.id,
      vendor: "sandbox",
      name: "Sandbox",
      settings: {},
      credentialsEnc: box.seal(
        JSON.stringify({ apiKey: `sbx_${randomBytes(16).toString("hex")}` }),
      ),
      webhookSecretEnc: box.seal(randomBytes(32).toString("base64url")),
    });
    await setDefaultVendorAccountId(q, account.id);
    return account.id;
  });
}

export interface VendorDirectory {
  /** The account a message of this organization is sent through. */
  accountFor(orgId: string): Promise<VendorAccount>;
  get(accountId: string): Promise<VendorAccount | null>;
}

/**
 * Resolves vendor accounts with their secrets opened, cached for a short
 * while: accounts change rarely and the dispatcher asks for every batch.
 */
export function createVendorDirectory(options: {
  db: Db;
  box: SecretBox;
  /** Where this installation receives vendor webhooks (and serves the sandbox). */
  publicUrl: () => string;
  ttlMs?: number;
}): VendorDirectory {
  const { db, box } = options;
  const ttl = options.ttlMs ?? 30_000;
  const cache = new Map<string, { account: VendorAccount; expires: number }>();

  const toAccount = (row: VendorAccountRow): VendorAccount => {
    const base = options.publicUrl();
    return {
      id: row.id,
      vendor: row.vendor,
      settings: { baseUrl: base, ...row.settings },
      credentials: JSON.parse(box.open(row.credentialsEnc)) as Record<string, string>,
      webhookSecret: box.open(row.webhookSecretEnc),
      webhookUrl: `${base}/webhooks/vendors/${row.id}`,
    };
  };

  const get = async (id: string) => {
    const hit = cache.get(id);
    if (hit && hit.expires > Date.now()) return hit.account;
    const row = await findVendorAccount(db, id);
    if (!row) return null;
    const account = toAccount(row);
    cache.set(id, { account, expires: Date.now() + ttl });
    return account;
  };

  return {
    get,
    async accountFor(_orgId) {
      const id = await findDefaultVendorAccountId(db);
      const account = id ? await get(id) : null;
      if (!account) throw new Error("no default vendor account");
      return account;
    },
  };
}
