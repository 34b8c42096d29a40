// The whole delivery pipeline in one test process: the real HTTP server
// (API, vendor webhooks and the sandbox vendor) on a random port, and the
// delivery workers, over a fresh test database.
import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import pino from "pino";
import { afterAll, expect } from "vitest";
import { createAlimi, type VendorCallPolicy } from "../src/app.ts";
import type { Db } from "../src/db/client.ts";
import type { BreakerPolicy } from "../src/domain/circuit-breaker.ts";
import type { App } from "../src/http/types.ts";
import { createSecretBox, type SecretBox } from "../src/lib/secret-box.ts";
import { ensurePlatform } from "../src/modules/orgs/service.ts";
import {
  ensurePlatformSandbox,
  type VendorDirectory,
} from "../src/modules/vendor-accounts/service.ts";
import type { Sandbox } from "../src/vendors/sandbox/server.ts";
import type { WorkerLoop } from "../src/workers/loop.ts";
import { createWakeBus } from "../src/workers/wake.ts";
import { createTestDb } from "./db.ts";
import { TEST_VENDOR_CALLS } from "./support/vendor-calls.ts";

export interface Pipeline {
  app: App;
  db: Db;
  url: string;
  /** The sandbox as `alimi serve` runs it; not served with `sandbox: false`. */
  sandbox: Sandbox;
  sandboxAccountId: string;
  /** The key vendor secrets are sealed with. */
  box: SecretBox;
  directory: VendorDirectory;
  stopWorkers(): Promise<void>;
  startWorkers(): void;
  close(): Promise<void>;
}

export interface PipelineOptions {
  /** ALIMI_POLL_AFTER (default 2 min). */
  pollAfterMs?: number;
  /** ALIMI_EXPIRE_AFTER (default 72 h). */
  expireAfterMs?: number;
  delayMs?: number;
  /** Start the delivery workers in this process (default true). */
  workers?: boolean;
  /** The key vendor secrets are sealed with; other processes need the same one. */
  secretKey?: Buffer;
  dispatchConcurrency?: number;
  leaseMs?: number;
  /** How long vendor accounts are cached; 0 (tests change them between sends). */
  directoryTtlMs?: number;
  claimSize?: number;
  breakerPolicy?: BreakerPolicy;
  logger?: FastifyBaseLogger;
  /** ALIMI_SANDBOX (default true): false makes no platform sandbox account and serves no sandbox. */
  sandbox?: boolean;
  /** Backoff and attempt limit of the sandbox's report POSTs (default: the server's). */
  sandboxWebhookRetry?: { baseMs: number; maxMs: number; attempts?: number };
  /** Default: the fakes' hosts (127.0.0.1, localhost) allowed, 10 s at most per call. */
  vendorCalls?: Partial<VendorCallPolicy>;
  accountConcurrency?: number;
}

/** A test pipeline whose database and clean-up belong to the test. */
export async function startPipeline(
  options: PipelineOptions & { db?: Db } = {},
): Promise<Pipeline> {
  const pipeline = await createPipeline(options.db ?? (await createTestDb()), options);
  afterAll(() => pipeline.close());
  return pipeline;
}

/** The pipeline over a given database, without test-framework hooks (benchmarks use it). */
export async function createPipeline(db: Db, options: PipelineOptions = {}): Promise<Pipeline> {
  const box = createSecretBox(options.secretKey ?? randomBytes(32));
  await ensurePlatform(db);
  const sandboxOn = options.sandbox !== false;
  const sandboxAccountId = sandboxOn ? await ensurePlatformSandbox(db, box) : "";
  const logger = options.logger ?? pino({ level: "silent" });
  const bus = await createWakeBus(db);
  let url = "";
  const now = () => new Date();
  const alimi = createAlimi({
    db,
    box,
    logger,
    now,
    bus,
    publicUrl: () => url,
    directoryTtlMs: options.directoryTtlMs ?? 0,
    sandboxEnabled: sandboxOn,
    vendorCalls: { ...TEST_VENDOR_CALLS, ...options.vendorCalls },
  });
  // The sandbox as the server runs it: its records and owed reports in the database.
  const sandbox = alimi.createSandbox({
    delayMs: options.delayMs ?? 20,
    webhookRetry: options.sandboxWebhookRetry,
  });
  const app = await alimi.buildHttp({
    sandbox: sandboxOn ? sandbox : null,
    // Tests poll campaigns harder than a client may (the limit has its own test).
    limits: { rateLimitPerCaller: 0 },
  });
  url = await app.listen({ port: 0, host: "127.0.0.1" });

  let workers: WorkerLoop[] = [];
  const startWorkers = () => {
    workers = alimi.startWorkers({
      workerId: `wrk_test_${randomBytes(3).toString("hex")}`,
      pollAfterMs: options.pollAfterMs ?? 2 * 60_000,
      expireAfterMs: options.expireAfterMs ?? 72 * 3_600_000,
      dispatchConcurrency: options.dispatchConcurrency ?? 2,
      leaseMs: options.leaseMs,
      claimSize: options.claimSize,
      breakerPolicy: options.breakerPolicy,
      accountConcurrency: options.accountConcurrency,
    });
  };
  const stopWorkers = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
  };
  if (options.workers !== false) startWorkers();

  const close = async () => {
    await stopWorkers();
    await sandbox.close();
    await app.close();
    await bus.close();
  };
  return {
    app,
    db,
    url,
    sandbox,
    sandboxAccountId,
    box,
    directory: alimi.directory,
    stopWorkers,
    startWorkers,
    close,
  };
}

/** Waits until the campaign is completed (or fails the test after `timeoutMs`). */
export async function waitForCompletion(
  db: Db,
  campaignId: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await db.query<{ completed: Date | null }>(
      "select completed_at as completed from campaigns where id = $1",
      [campaignId],
    );
    if (r.rows[0]?.completed) return;
    if (Date.now() > deadline) {
      const states = await db.query(
        "select recipient, type, status, settled_at is not null as settled from messages where campaign_id = $1 order by recipient, type",
        [campaignId],
      );
      expect.fail(`campaign ${campaignId} did not complete: ${JSON.stringify(states.rows)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
