// The HTTP API over a fresh test database with a scripted vendor in place of
// the sandbox adapter, and a dispatcher the test runs one round at a time on
// a clock it moves. No workers run: the test decides when each step happens.
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll } from "vitest";
import { createAlimi } from "../src/app.ts";
import type { Db } from "../src/db/client.ts";
import type { App } from "../src/http/types.ts";
import { createSecretBox, type SecretBox } from "../src/lib/secret-box.ts";
import { createDispatcher, type Dispatcher } from "../src/modules/dispatch/service.ts";
import { ensurePlatform } from "../src/modules/orgs/service.ts";
import type { ParkingPolicy } from "../src/modules/reports/service.ts";
import {
  ensurePlatformSandbox,
  type VendorDirectory,
} from "../src/modules/vendor-accounts/service.ts";
import { adapters as knownAdapters } from "../src/vendors/registry.ts";
import type { VendorAdapter, VendorName } from "../src/vendors/vendor.ts";
import { createWakeBus } from "../src/workers/wake.ts";
import { createTestDb } from "./db.ts";
import { type ScriptedVendor, scriptedVendor } from "./support/scripted-vendor.ts";
import { TEST_VENDOR_CALLS } from "./support/vendor-calls.ts";

export interface ScriptedApp {
  db: Db;
  app: App;
  box: SecretBox;
  vendor: ScriptedVendor;
  /** The platform's sandbox account (answered by the scripted vendor). */
  platformAccount: string;
  directory: VendorDirectory;
  adapters: Record<VendorName, VendorAdapter | undefined>;
  clock: { ms: number };
  now: () => Date;
  dispatcher(options?: { workerId?: string; claimSize?: number; leaseMs?: number }): Dispatcher;
}

export async function startScriptedApp(
  options: { reportParking?: ParkingPolicy } = {},
): Promise<ScriptedApp> {
  const db = await createTestDb();
  const box = createSecretBox(randomBytes(32));
  await ensurePlatform(db);
  const platformAccount = await ensurePlatformSandbox(db, box);
  const vendor = scriptedVendor();
  const adapters = { ...knownAdapters, sandbox: vendor.adapter };
  const clock = { ms: Date.now() };
  const now = () => new Date(clock.ms);
  const bus = await createWakeBus(db);
  const alimi = createAlimi({
    db,
    box,
    logger: pino({ level: "silent" }),
    now,
    bus,
    publicUrl: () => "http://127.0.0.1:9",
    adapters,
    directoryTtlMs: 0,
    vendorCalls: TEST_VENDOR_CALLS,
    reportParking: options.reportParking,
  });
  const app = await alimi.buildHttp({ limits: { rateLimitPerCaller: 0 } });
  afterAll(async () => {
    await app.close();
    await bus.close();
  });
  let workers = 0;
  return {
    db,
    app,
    box,
    vendor,
    platformAccount,
    directory: alimi.directory,
    adapters,
    clock,
    now,
    dispatcher: (options = {}) =>
      createDispatcher({
        db,
        directory: alimi.directory,
        adapters,
        workerId: options.workerId ?? `w-${++workers}`,
        now,
        random: () => 0.5,
        claimSize: options.claimSize,
        leaseMs: options.leaseMs ?? 60_000,
      }),
  };
}
