// Creating and changing vendor accounts: credentials are tested before they
// are saved (the platform operator may force a save), sealed at rest, never
// returned, logged or audited — the audit says that they changed, not what.
// Settings that decide where calls go and how long they wait are checked
// before anything is called: a URL the egress guard refuses, or a timeout
// over the operator's maximum, is refused by name (no force overrides it).
import { randomBytes } from "node:crypto";
import type { Db, Queryable } from "../../db/client.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { pastedSignatureOf, SETTINGS_SCHEMAS, webhookStyleOf } from "../../vendors/registry.ts";
import { checkCallSettings } from "../../vendors/settings.ts";
import type { VendorAccount, VendorAdapter, VendorName } from "../../vendors/vendor.ts";
import { type Actor, insertAudit } from "../audit/index.ts";
import { findRoutingUses } from "../routing/index.ts";
import { maskCredentials, maskSecret } from "./mask.ts";
import {
  deleteVendorAccount,
  findDefaultVendorAccountId,
  findVendorAccountRecord,
  insertVendorAccount,
  markVendorAccountTested,
  updateVendorAccount,
  type VendorAccountRecord,
} from "./queries.ts";
import { issueSandboxCredentials, sandboxKeyNamed, sandboxTurnedOff } from "./sandbox.ts";
import { type VendorTransports, vendorAccountOf } from "./service.ts";

export interface VendorAccountDeps {
  db: Db;
  box: SecretBox;
  adapters: Record<VendorName, VendorAdapter | undefined>;
  publicUrl: () => string;
  transports: VendorTransports;
  /** Routing or an account changed: caches everywhere must forget. */
  onChanged: () => void;
  /** False with ALIMI_SANDBOX=false: no sandbox account may be created. */
  sandbox?: boolean;
}

export interface ManagingActor extends Actor {
  /** The platform operator may force a save whose connection test failed. */
  isOperator: boolean;
}

export interface VendorAccountView {
  id: string;
  vendor: VendorName;
  name: string;
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
  version: number;
  status: string;
  lastTestedAt: string | null;
  webhookUrl: string | null;
  /** What to paste as the vendor's webhook signature (NHN): in full once, at creation; masked after. */
  webhookSignature: string | null;
  createdAt: string;
  updatedAt: string;
}

export function vendorAccountView(
  deps: VendorAccountDeps,
  row: VendorAccountRecord,
  options: { revealSignature?: boolean } = {},
): VendorAccountView {
  const base = `${deps.publicUrl()}/webhooks/vendors/${row.id}`;
  const style = webhookStyleOf(row.vendor);
  const credentials = JSON.parse(deps.box.open(row.credentialsEnc)) as Record<string, string>;
  const signature = pastedSignatureOf(row.vendor, {
    credentials,
    webhookSecret: deps.box.open(row.webhookSecretEnc),
  });
  return {
    id: row.id,
    vendor: row.vendor,
    name: row.name,
    settings: row.settings,
    credentials: maskCredentials(credentials),
    version: row.version,
    status: row.status,
    lastTestedAt: row.lastTestedAt?.toISOString() ?? null,
    // Vendors that do not sign their webhooks are told a URL with a secret path token.
    webhookUrl:
      style === "none"
        ? null
        : style === "path-token"
          ? `${base}/${deps.box.open(row.webhookSecretEnc)}`
          : base,
    webhookSignature:
      signature === null ? null : options.revealSignature ? signature : maskSecret(signature),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface ConnectionTest {
  ok: boolean;
  message: string;
  latencyMs: number;
}

/**
 * The adapter's cheap authenticated call. Its message is the adapter's own
 * words (what happened, the HTTP status), never the vendor's answer: the URL
 * may be anyone's server.
 */
async function testConnection(
  deps: VendorAccountDeps,
  account: Omit<VendorAccount, "webhookUrl" | "transport">,
): Promise<ConnectionTest> {
  const adapter = deps.adapters[account.vendor];
  if (!adapter) return { ok: false, message: `no adapter for ${account.vendor}`, latencyMs: 0 };
  const started = performance.now();
  try {
    const result = await adapter.checkCredentials(
      vendorAccountOf(account, { publicUrl: deps.publicUrl(), transports: deps.transports }),
    );
    return { ...result, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      message: `the connection test failed: ${(err as Error).message}`,
      latencyMs: Math.round(performance.now() - started),
    };
  }
}

function refuse(test: ConnectionTest): AppError {
  return new AppError(
    "VALIDATION_FAILED",
    `the vendor refused these credentials: ${test.message}`,
    {
      details: [{ path: "/credentials", code: "CREDENTIALS_REJECTED", message: test.message }],
    },
  );
}

/**
 * Refuses settings the transport would refuse at every call: a URL the
 * egress guard does not let through (checked on what its name resolves to
 * now, and again at every connection), a timeout over the operator's maximum.
 */
async function refuseCallSettings(
  deps: VendorAccountDeps,
  vendor: VendorName,
  settings: Record<string, unknown>,
): Promise<void> {
  const problems = await checkCallSettings(
    SETTINGS_SCHEMAS[vendor],
    settings,
    deps.transports.guarded,
  );
  if (problems.length === 0) return;
  throw new AppError("VALIDATION_FAILED", problems.map((p) => p.message).join("; "), {
    details: problems.map((p) => ({
      path: `/settings/${p.setting}`,
      code: p.code,
      message: p.message,
    })),
  });
}

function checkForce(actor: ManagingActor, force: boolean | undefined) {
  if (force && !actor.isOperator) {
    throw new AppError("FORBIDDEN", "only the platform operator may force a save");
  }
}

export async function createVendorAccount(
  deps: VendorAccountDeps,
  actor: ManagingActor,
  input: {
    vendor: VendorName;
    name: string;
    /** Left out (or {}) for the sandbox, which issues its own. */
    credentials?: Record<string, string>;
    settings?: Record<string, unknown>;
    force?: boolean;
  },
  /** Called in the transaction that creates the account (an idempotent request stores its answer). */
  inTransaction?: (q: Queryable, row: VendorAccountRecord) => Promise<void>,
): Promise<VendorAccountRecord> {
  checkForce(actor, input.force);
  const id = newId("vac");
  const webhookSecret = randomBytes(24).toString("base64url");
  const settings = input.settings ?? {};
  // The sandbox knows an account only once it is saved (its key names the
  // account): a sandbox account is saved first and tested right after.
  const issued = input.vendor === "sandbox";
  if (issued && deps.sandbox === false) throw sandboxTurnedOff();
  if (issued && Object.keys(input.credentials ?? {}).length > 0) throw sandboxKeyNamed();
  await refuseCallSettings(deps, input.vendor, settings);
  const credentials = issued ? issueSandboxCredentials(id) : (input.credentials ?? {});
  const test = issued
    ? null
    : await testConnection(deps, {
        id,
        vendor: input.vendor,
        settings,
        credentials,
        webhookSecret,
      });
  if (test && !test.ok && !input.force) throw refuse(test);
  const row = await deps.db.tx(async (q) => {
    const created = await insertVendorAccount(q, {
      id,
      orgId: actor.orgId,
      vendor: input.vendor,
      name: input.name,
      settings,
      credentialsEnc: deps.box.seal(JSON.stringify(credentials)),
      webhookSecretEnc: deps.box.seal(webhookSecret),
      testedAt: test?.ok ? new Date() : null,
    });
    await insertAudit(q, {
      orgId: actor.orgId,
      actor,
      action: "vendor_account.created",
      targetType: "vendor_account",
      targetId: id,
      details: {
        vendor: input.vendor,
        name: input.name,
        settings,
        credentials: issued ? "issued" : "set",
        ...(test
          ? { connectionTest: test.ok ? "passed" : "failed", forced: !test.ok }
          : { connectionTest: "after saving" }),
      },
    });
    await inTransaction?.(q, created);
    return created;
  });
  deps.onChanged();
  if (!issued) return row;
  await runConnectionTest(deps, actor, row);
  return (await findVendorAccountRecord(deps.db, id)) ?? row;
}

export async function updateVendorAccountFrom(
  deps: VendorAccountDeps,
  actor: ManagingActor,
  current: VendorAccountRecord,
  change: {
    version: number;
    name?: string;
    settings?: Record<string, unknown>;
    credentials?: Record<string, string>;
    status?: "active" | "disabled";
    force?: boolean;
  },
): Promise<VendorAccountRecord> {
  checkForce(actor, change.force);
  if (change.version !== current.version) throw stale(current.version);
  if (current.vendor === "sandbox" && change.credentials !== undefined) throw sandboxKeyNamed();
  const settings = change.settings ?? current.settings;
  let test: ConnectionTest | null = null;
  if (change.credentials || change.settings) {
    await refuseCallSettings(deps, current.vendor, settings);
    test = await testConnection(deps, {
      id: current.id,
      vendor: current.vendor,
      settings,
      credentials: change.credentials ?? JSON.parse(deps.box.open(current.credentialsEnc)),
      webhookSecret: deps.box.open(current.webhookSecretEnc),
    });
    if (!test.ok && !change.force) throw refuse(test);
  }
  const row = await deps.db.tx(async (q) => {
    const updated = await updateVendorAccount(q, {
      id: current.id,
      version: change.version,
      name: change.name ?? current.name,
      settings,
      credentialsEnc: change.credentials
        ? deps.box.seal(JSON.stringify(change.credentials))
        : current.credentialsEnc,
      status: change.status ?? current.status,
      testedAt: test?.ok ? new Date() : null,
    });
    if (!updated) throw stale(current.version);
    // Checked after the update has locked the row: a routing change naming
    // this account either committed before (and is seen) or waits and then
    // sees it disabled.
    if (updated.status !== "active" && current.status === "active") {
      await refuseIfInUse(q, current.id, { action: "disable", path: "/status" });
    }
    await insertAudit(q, {
      orgId: current.orgId,
      actor,
      action: "vendor_account.updated",
      targetType: "vendor_account",
      targetId: current.id,
      details: {
        changed: [
          ...(change.name !== undefined && change.name !== current.name ? ["name"] : []),
          ...(change.settings ? ["settings"] : []),
          ...(change.credentials ? ["credentials"] : []),
          ...(change.status && change.status !== current.status ? ["status"] : []),
        ],
        ...(change.settings ? { settings } : {}),
        ...(test ? { connectionTest: test.ok ? "passed" : "failed", forced: !test.ok } : {}),
        version: updated.version,
      },
    });
    return updated;
  });
  deps.onChanged();
  return row;
}

/**
 * An account that routing sends through, or the platform's default, may be
 * neither disabled nor deleted: messages would have nowhere to go. The error
 * names the organizations and channels that use it.
 */
async function refuseIfInUse(
  q: Queryable,
  accountId: string,
  how: { action: "disable" | "delete"; path: string },
): Promise<void> {
  if ((await findDefaultVendorAccountId(q)) === accountId) {
    throw new AppError("CONFLICT", `cannot ${how.action} the platform's default vendor account`, {
      details: [{ path: how.path, code: "DEFAULT_ACCOUNT", message: "the platform's default" }],
    });
  }
  const uses = await findRoutingUses(q, accountId);
  if (uses.length === 0) return;
  throw new AppError(
    "CONFLICT",
    `cannot ${how.action} this account: routing uses it (${uses
      .map((u) => `${u.orgId} ${u.channel} ${u.part}`)
      .join(", ")}); change the routing first`,
    {
      details: uses.map((u) => ({
        path: how.path,
        code: "ACCOUNT_ROUTED",
        message: `organization ${u.orgId} routes ${u.channel} through it (${u.part})`,
        orgId: u.orgId,
        channel: u.channel,
      })),
    },
  );
}

function stale(version: number): AppError {
  return new AppError(
    "CONFLICT",
    `the account changed since version ${version} was read: read it again and resend the change`,
    { details: [{ path: "/version", code: "STALE_VERSION", message: "stale version" }] },
  );
}

export async function removeVendorAccount(
  deps: VendorAccountDeps,
  actor: ManagingActor,
  current: VendorAccountRecord,
): Promise<void> {
  await deps.db.tx(async (q) => {
    await refuseIfInUse(q, current.id, { action: "delete", path: "" });
    await deleteVendorAccount(q, current.id);
    await insertAudit(q, {
      orgId: current.orgId,
      actor,
      action: "vendor_account.deleted",
      targetType: "vendor_account",
      targetId: current.id,
      details: { vendor: current.vendor, name: current.name },
    });
  });
  deps.onChanged();
}

export async function runConnectionTest(
  deps: VendorAccountDeps,
  actor: ManagingActor,
  current: VendorAccountRecord,
): Promise<ConnectionTest> {
  const test = await testConnection(deps, {
    id: current.id,
    vendor: current.vendor,
    settings: current.settings,
    credentials: JSON.parse(deps.box.open(current.credentialsEnc)),
    webhookSecret: deps.box.open(current.webhookSecretEnc),
  });
  await deps.db.tx(async (q) => {
    if (test.ok) await markVendorAccountTested(q, current.id, new Date());
    await insertAudit(q, {
      orgId: current.orgId,
      actor,
      action: "vendor_account.tested",
      targetType: "vendor_account",
      targetId: current.id,
      details: { ok: test.ok, latencyMs: test.latencyMs },
    });
  });
  return test;
}
