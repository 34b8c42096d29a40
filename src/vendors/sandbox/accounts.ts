// Who may call the sandbox, and where each caller's reports go. The sandbox
// keeps no customer list of its own: it is handed one. Served by Alimi, that
// is Alimi's sandbox vendor accounts (modules/vendor-accounts/sandbox.ts): a
// caller is the account whose API key it presents, and its reports go to
// this server's own webhook for that account, signed with the account's
// webhook secret — never to an address the caller names, so the sandbox is
// no relay. Tests that run a sandbox on its own give it a fixed list.
import { createHash, timingSafeEqual } from "node:crypto";

export interface ReportTarget {
  url: string;
  /** The key the reports are signed with. */
  secret: string;
}

export interface SandboxAccounts {
  /** The id of the account whose API key `apiKey` is, or null for any other key. */
  authenticate(apiKey: string): Promise<string | null>;
  /** Where the account's reports go, and their signing key; null once the account is gone. */
  reportTarget(accountId: string): Promise<ReportTarget | null>;
}

/** A sandbox customer of a fixed list. */
export interface FixedSandboxAccount {
  id: string;
  apiKey: string;
  webhookUrl: string;
  signingSecret: string;
}

/** A fixed list of accounts (tests, benchmarks): keys compared in constant time. */
export function fixedSandboxAccounts(accounts: readonly FixedSandboxAccount[]): SandboxAccounts {
  return {
    async authenticate(apiKey) {
      let found: string | null = null;
      // Every key is compared, so the time taken says nothing about which one matched.
      for (const account of accounts) {
        if (sameSecret(apiKey, account.apiKey)) found = account.id;
      }
      return found;
    },
    async reportTarget(accountId) {
      const account = accounts.find((a) => a.id === accountId);
      return account ? { url: account.webhookUrl, secret: account.signingSecret } : null;
    },
  };
}

/**
 * Whether two secrets are equal, in time that depends on neither: both are
 * hashed first, so their lengths do not leak either.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected)) && expected !== "";
}
