import { randomBytes } from "node:crypto";
import type { Db } from "../../db/client.ts";
import type { RoutingChannel } from "../../db/schema/vendors.ts";
import { newId } from "../../lib/ids.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import type { VendorTransport } from "../../vendors/http.ts";
import type { VendorAccount, VendorName } from "../../vendors/vendor.ts";
import { findOrg, findPlatformOrg } from "../orgs/index.ts";
import {
  type EffectiveRouting,
  findRoutingChain,
  type RouteSource,
  resolveRouting,
} from "../routing/index.ts";
import {
  findDefaultVendorAccountId,
  findVendorAccount,
  insertVendorAccount,
  setDefaultVendorAccountId,
  type VendorAccountRow,
} from "./queries.ts";
import { issueSandboxCredentials } from "./sandbox.ts";

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
    const id = newId("vac");
    const account = await insertVendorAccount(q, {
      id,
      orgId: platform.id,
      vendor: "sandbox",
      name: "Sandbox",
      settings: {},
      credentialsEnc: box.seal(JSON.stringify(issueSandboxCredentials(id))),
      webhookSecretEnc: box.seal(randomBytes(32).toString("base64url")),
    });
    await setDefaultVendorAccountId(q, account.id);
    return account.id;
  });
}

/** How vendor calls leave this server, by who wrote the URL they go to. */
export interface VendorTransports {
  /**
   * Through the egress guard: every URL an account's owner may have written
   * (a `baseUrl` override), and the vendors' own default hosts.
   */
  guarded: VendorTransport;
  /**
   * For the sandbox vendor this installation serves itself, at its own public
   * URL: no tenant wrote that URL, so it is called as it is (it is loopback
   * when embedded).
   */
  own: VendorTransport;
}

/**
 * The account as adapters see it. A sandbox account without a `baseUrl` of
 * its own calls this installation's sandbox, through the `own` transport;
 * every other account, a sandbox account with a `baseUrl` included, goes
 * through the guard.
 */
export function vendorAccountOf(
  row: {
    id: string;
    vendor: VendorName;
    settings: Record<string, unknown>;
    credentials: Record<string, string>;
    webhookSecret: string;
  },
  options: { publicUrl: string; transports: VendorTransports },
): VendorAccount {
  const own = row.vendor === "sandbox" && row.settings.baseUrl === undefined;
  return {
    ...row,
    settings: own ? { ...row.settings, baseUrl: options.publicUrl } : row.settings,
    webhookUrl: `${options.publicUrl}/webhooks/vendors/${row.id}`,
    transport: own ? options.transports.own : options.transports.guarded,
  };
}

export interface Route {
  primary: VendorAccount;
  secondary: VendorAccount | null;
  source: RouteSource;
}

/**
 * Routing is an answer, not an exception: an organization whose routed
 * account is disabled or gone has no route (for now), and the dispatcher
 * decides what that means for its messages alone.
 */
export type RouteAnswer = { ok: true; route: Route } | { ok: false; reason: string };

export interface VendorDirectory {
  /** The accounts a message of this organization goes through on this channel, or why none. */
  routeFor(orgId: string, channel: RoutingChannel): Promise<RouteAnswer>;
  /**
   * An account by id, active or disabled: a disabled account sends nothing
   * new, but the reports and results of what it sent are still its own.
   */
  get(accountId: string): Promise<VendorAccount | null>;
  /** An account that may send now (active), or null. */
  usable(accountId: string): Promise<VendorAccount | null>;
  /** Forgets everything cached (routing or an account changed, here or elsewhere). */
  invalidate(): void;
}

/**
 * Resolves routing and vendor accounts (secrets opened), cached for a short
 * while: they change rarely and the dispatcher asks for every batch. Changes
 * call invalidate() at once, in every process (see the wake bus' "config").
 */
export function createVendorDirectory(options: {
  db: Db;
  box: SecretBox;
  /** Where this installation receives vendor webhooks (and serves the sandbox). */
  publicUrl: () => string;
  transports: VendorTransports;
  ttlMs?: number;
  /** False with ALIMI_SANDBOX=false: sandbox accounts, the platform's included, route nothing. */
  sandbox?: boolean;
}): VendorDirectory {
  const { db, box } = options;
  const sandboxOff = options.sandbox === false;
  const ttl = options.ttlMs ?? 30_000;
  const accounts = new Map<string, { account: VendorAccount; active: boolean; expires: number }>();
  const routes = new Map<string, { routing: EffectiveRouting; expires: number }>();

  const toAccount = (row: VendorAccountRow): VendorAccount =>
    vendorAccountOf(
      {
        id: row.id,
        vendor: row.vendor,
        settings: row.settings,
        credentials: JSON.parse(box.open(row.credentialsEnc)) as Record<string, string>,
        webhookSecret: box.open(row.webhookSecretEnc),
      },
      { publicUrl: options.publicUrl(), transports: options.transports },
    );

  const lookup = async (id: string) => {
    const hit = accounts.get(id);
    if (hit && hit.expires > Date.now()) return hit;
    const row = await findVendorAccount(db, id);
    if (!row) return null;
    const entry = {
      account: toAccount(row),
      active: row.status === "active",
      expires: Date.now() + ttl,
    };
    accounts.set(id, entry);
    return entry;
  };
  const get = async (id: string) => (await lookup(id))?.account ?? null;
  const usable = async (id: string) => {
    const entry = await lookup(id);
    if (sandboxOff && entry?.account.vendor === "sandbox") return null;
    return entry?.active ? entry.account : null;
  };

  const routingOf = async (orgId: string): Promise<EffectiveRouting | string> => {
    const hit = routes.get(orgId);
    if (hit && hit.expires > Date.now()) return hit.routing;
    const org = await findOrg(db, orgId);
    if (!org) return `organization ${orgId} not found`;
    const routing = resolveRouting({
      orgId,
      chain: await findRoutingChain(db, org.path),
      platformDefaultAccountId: await findDefaultVendorAccountId(db),
    });
    routes.set(orgId, { routing, expires: Date.now() + ttl });
    return routing;
  };

  return {
    get,
    usable,
    async routeFor(orgId, channel) {
      const routing = await routingOf(orgId);
      if (typeof routing === "string") return { ok: false, reason: routing };
      const route = routing[channel];
      if (route.primaryAccountId === null) {
        return {
          ok: false,
          reason: `no vendor account routes ${channel}: the platform has no default, route it through one`,
        };
      }
      const primary = await usable(route.primaryAccountId);
      if (!primary) {
        const sandboxed = sandboxOff && (await get(route.primaryAccountId))?.vendor === "sandbox";
        return {
          ok: false,
          reason: sandboxed
            ? `vendor account ${route.primaryAccountId} (${channel}) is a sandbox account, and the sandbox vendor is turned off (ALIMI_SANDBOX=false): route ${channel} through another account`
            : `vendor account ${route.primaryAccountId} (${channel}) is disabled or gone`,
        };
      }
      const secondary = route.secondaryAccountId ? await usable(route.secondaryAccountId) : null;
      return { ok: true, route: { primary, secondary, source: route.source } };
    },
    invalidate() {
      accounts.clear();
      routes.clear();
    },
  };
}
