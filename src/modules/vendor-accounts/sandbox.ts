// The built-in sandbox vendor's customers are Alimi's sandbox vendor
// accounts. Alimi issues their credentials (the sandbox is Alimi's own, so
// there is no vendor console to get a key from): an API key that names its
// account and carries 256 random bits, sealed at rest like every vendor
// credential. The sandbox authenticates a caller by looking the account up by
// the id in the key and comparing the whole key in constant time; it posts
// the account's reports to this server's webhook for the account, signed
// with the account's webhook secret (vendors/sandbox/accounts.ts).
import { randomBytes } from "node:crypto";
import type { Db } from "../../db/client.ts";
import { AppError } from "../../lib/errors.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { type SandboxAccounts, sameSecret } from "../../vendors/sandbox/accounts.ts";
import { findVendorAccount, listSandboxAccounts, replaceVendorCredentials } from "./queries.ts";

/** `sbk_<account id>.<43 characters of base64url>`: the id says where to look, the rest is the secret. */
const KEY = /^sbk_([A-Za-z0-9_]{1,64})\.[A-Za-z0-9_-]{43}$/;

/** The credentials of a new sandbox account. */
export function issueSandboxCredentials(accountId: string): { apiKey: string } {
  return { apiKey: `sbk_${accountId}.${randomBytes(32).toString("base64url")}` };
}

/** The account a sandbox API key names, if it is shaped like one. */
function accountIdOf(apiKey: string): string | null {
  return KEY.exec(apiKey)?.[1] ?? null;
}

/**
 * How long a sandbox account's opened secrets are kept for the sandbox. Every
 * send, poll and report POST needs them; on the embedded database a lookup
 * waits behind the dispatcher's transactions. An account that is deleted
 * stops authenticating within this time (its key cannot be changed: it is
 * issued once).
 */
const ACCOUNT_CACHE_MS = 5_000;

/** The sandbox's customers: Alimi's sandbox vendor accounts, and their webhooks on this server. */
export function sandboxAccountsOf(deps: {
  db: Db;
  box: SecretBox;
  /** Where this server receives vendor webhooks (ALIMI_PUBLIC_URL, or its own address). */
  publicUrl: () => string;
  /** How long an account is kept (default ACCOUNT_CACHE_MS). */
  cacheMs?: number;
}): SandboxAccounts {
  const { db, box } = deps;
  const cacheMs = deps.cacheMs ?? ACCOUNT_CACHE_MS;
  // Only accounts that exist are kept: unknown ids (anyone can make them up) cost a lookup each.
  const cache = new Map<string, { apiKey: string; webhookSecret: string; until: number }>();
  const sandboxAccount = async (id: string) => {
    const hit = cache.get(id);
    if (hit && hit.until > Date.now()) return hit;
    cache.delete(id);
    const row = await findVendorAccount(db, id);
    if (row?.vendor !== "sandbox") return null;
    const { apiKey } = JSON.parse(box.open(row.credentialsEnc)) as { apiKey?: string };
    const entry = {
      apiKey: apiKey ?? "",
      webhookSecret: box.open(row.webhookSecretEnc),
      until: Date.now() + cacheMs,
    };
    cache.set(id, entry);
    return entry;
  };
  return {
    async authenticate(apiKey) {
      const id = accountIdOf(apiKey);
      const account = id === null ? null : await sandboxAccount(id);
      return account !== null && sameSecret(apiKey, account.apiKey) ? id : null;
    },
    async reportTarget(accountId) {
      const account = await sandboxAccount(accountId);
      if (account === null) return null;
      return {
        url: `${deps.publicUrl()}/webhooks/vendors/${accountId}`,
        secret: account.webhookSecret,
      };
    },
  };
}

/**
 * Sandbox accounts made before the sandbox checked keys (any key would do
 * then) get issued ones. Nothing outside this server used those keys: the
 * sandbox is served here, and the adapter reads the key from the account.
 * Returns how many accounts got new credentials.
 */
export async function upgradeSandboxCredentials(db: Db, box: SecretBox): Promise<number> {
  let upgraded = 0;
  for (const row of await listSandboxAccounts(db)) {
    const { apiKey } = JSON.parse(box.open(row.credentialsEnc)) as { apiKey?: string };
    if (apiKey !== undefined && accountIdOf(apiKey) === row.id) continue;
    const sealed = box.seal(JSON.stringify(issueSandboxCredentials(row.id)));
    await replaceVendorCredentials(db, row.id, sealed);
    upgraded++;
  }
  return upgraded;
}

/** Creating a sandbox account while the sandbox vendor is turned off. */
export function sandboxTurnedOff(): AppError {
  return new AppError(
    "VALIDATION_FAILED",
    "the sandbox vendor is turned off on this server (ALIMI_SANDBOX=false)",
    {
      details: [
        { path: "/vendor", code: "VENDOR_DISABLED", message: "the sandbox vendor is turned off" },
      ],
    },
  );
}

/** Naming a sandbox account's credentials, at creation or in a change. */
export function sandboxKeyNamed(): AppError {
  return new AppError(
    "VALIDATION_FAILED",
    "the sandbox issues its own API key: leave credentials out (or send {} when creating)",
    {
      details: [
        {
          path: "/credentials",
          code: "ISSUED_BY_VENDOR",
          message: "sandbox credentials are issued by the sandbox",
        },
      ],
    },
  );
}
