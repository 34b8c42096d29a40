// A real Fastify app over a fresh test database, driven with app.inject().
import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import pino from "pino";
import { afterAll } from "vitest";
import {
  createAlimi,
  type HttpOptions,
  type VendorCallPolicy,
  type WebhookCallPolicy,
} from "../src/app.ts";
import type { Db } from "../src/db/client.ts";
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import type { App } from "../src/http/types.ts";
import { createSecretBox, type SecretBox } from "../src/lib/secret-box.ts";
import { DEMO_SENDER, DEMO_TEMPLATE } from "../src/modules/orgs/bootstrap.ts";
import { createOrg, ensurePlatform, issueApiKey } from "../src/modules/orgs/service.ts";
import { registerSender } from "../src/modules/senders/service.ts";
import { createApprovedTemplate } from "../src/modules/templates/service.ts";
import { ensurePlatformSandbox } from "../src/modules/vendor-accounts/service.ts";
import { createWakeBus } from "../src/workers/wake.ts";
import { createTestDb } from "./db.ts";
import { TEST_VENDOR_CALLS } from "./support/vendor-calls.ts";

export interface TestApp {
  app: App;
  db: Db;
  /** The clock the app sees; tests may move it. */
  clock: { now: Date };
  accepted: string[];
  /** The key vendor secrets are sealed with. */
  box: SecretBox;
}

/** What /metrics asks for in the test app. */
export const TEST_METRICS_TOKEN = "test-metrics-token-0001";

export async function createTestApp(
  options: {
    db?: Db;
    logger?: FastifyBaseLogger;
    /** Timeouts and the per-IP limit (default: the server's, without an IP limit). */
    limits?: HttpOptions["limits"];
    /** Who may read /metrics (default: TEST_METRICS_TOKEN, no admin token). */
    metrics?: Pick<HttpOptions, "metricsToken" | "adminToken">;
    /** Default: the fakes' hosts (127.0.0.1, localhost) allowed, 10 s at most per call. */
    vendorCalls?: VendorCallPolicy;
    /** Default: https to public addresses only, as on a server. */
    webhookCalls?: WebhookCallPolicy;
  } = {},
): Promise<TestApp> {
  const db = options.db ?? (await createTestDb());
  const clock = { now: new Date() };
  const accepted: string[] = [];
  const box = createSecretBox(randomBytes(32));
  await ensurePlatform(db);
  await ensurePlatformSandbox(db, box);
  const bus = await createWakeBus(db);
  const alimi = createAlimi({
    db,
    box,
    logger: options.logger ?? pino({ level: "silent" }),
    now: () => clock.now,
    bus,
    publicUrl: () => "http://127.0.0.1:9",
    vendorCalls: options.vendorCalls ?? TEST_VENDOR_CALLS,
    webhookCalls: options.webhookCalls,
  });
  const app = await alimi.buildHttp({
    onAccepted: (campaign) => accepted.push(campaign.id),
    // Tests make many failed requests from one address on purpose.
    limits: { rateLimitPerIp: 0, rateLimitPerCaller: 0, ...options.limits },
    metricsToken: TEST_METRICS_TOKEN,
    ...options.metrics,
  });
  afterAll(async () => {
    await app.close();
    await bus.close();
  });
  return { app, db, clock, accepted, box };
}

export interface TestOrg {
  orgId: string;
  apiKey: string;
  auth: { authorization: string };
}

/**
 * An organization ready to send: credits, the demo caller number verified as
 * its default, and the WELCOME_001 template, approved.
 */
export async function createSendingOrg(
  db: Db,
  options: { credits?: number; parentId?: string; name?: string } = {},
): Promise<TestOrg> {
  const { org, apiKey } = await createOrg(db, {
    name: options.name ?? "Shop",
    parentId: options.parentId,
    credits: BigInt(options.credits ?? 1000) * MICRO_PER_CREDIT,
  });
  await registerSender(db, { orgId: org.id, number: DEMO_SENDER, verified: true });
  await createApprovedTemplate(db, org.id, DEMO_TEMPLATE);
  return { orgId: org.id, apiKey, auth: { authorization: `Bearer ${apiKey}` } };
}

export async function platformKey(db: Db): Promise<TestOrg> {
  const platform = await ensurePlatform(db);
  const apiKey = await db.tx((q) =>
    issueApiKey(q, { orgId: platform.id, name: "operator", scopes: ["send", "read", "manage"] }),
  );
  return { orgId: platform.id, apiKey, auth: { authorization: `Bearer ${apiKey}` } };
}
