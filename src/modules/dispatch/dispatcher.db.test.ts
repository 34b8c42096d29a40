// The dispatcher under faults, one round at a time on a clock the test moves:
// a tenant whose routed account is disabled stalls nobody else, a worker
// whose lease ran out completes nothing, a circuit's trial that made no call
// is given back, and a message the vendor's answer left out is retried at
// once. The vendor is the sandbox on its own HTTP server.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb, engine } from "../../../test/db.ts";
import { testTransports } from "../../../test/support/vendor-calls.ts";
import { createSecretBox } from "../../lib/secret-box.ts";
import { adapters } from "../../vendors/registry.ts";
import { startSandboxServer } from "../../vendors/sandbox/server.ts";
import type { VendorAdapter } from "../../vendors/vendor.ts";
import { acceptSend } from "../messages/service.ts";
import { ensurePlatform } from "../orgs/service.ts";
import { replaceRouting } from "../routing/queries.ts";
import { settleOnce } from "../settlement/service.ts";
import { insertVendorAccount } from "../vendor-accounts/queries.ts";
import { issueSandboxCredentials, sandboxAccountsOf } from "../vendor-accounts/sandbox.ts";
import { createVendorDirectory, ensurePlatformSandbox } from "../vendor-accounts/service.ts";
import { createDispatcher, type DispatcherOptions } from "./service.ts";

/**
 * A vendor that is slow on command: an HTTP proxy in front of the sandbox
 * that holds each request until the test releases it.
 */
async function startSlowVendor(target: string) {
  const held: { release: () => void }[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const forward = async () => {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            (e): e is [string, string] => typeof e[1] === "string" && e[0] !== "host",
          ),
        );
        const answer = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === "GET" ? undefined : Buffer.concat(chunks),
        });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      };
      held.push({ release: () => void forward() });
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Resolves once `n` requests have arrived in all. */
    async arrived(n: number) {
      while (held.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    release(index: number) {
      held[index]!.release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe(`the dispatcher under faults on ${engine}`, async () => {
  const db = await createTestDb();
  const box = createSecretBox(randomBytes(32));
  // Reports are never due during these tests: only the sends matter here.
  const vendor = await startSandboxServer({
    delayMs: 3_600_000,
    accounts: sandboxAccountsOf({ db, box, publicUrl: () => "http://127.0.0.1:9" }),
  });
  afterAll(() => vendor.close());
  await ensurePlatform(db);
  await ensurePlatformSandbox(db, box);
  const directory = createVendorDirectory({
    db,
    box,
    transports: testTransports,
    publicUrl: () => vendor.url,
    ttlMs: 0,
  });
  let clock = Date.now();
  const now = () => new Date(clock);
  const dispatcher = (options: Partial<DispatcherOptions> & { workerId: string }) =>
    createDispatcher({ db, directory, adapters, now, random: () => 0.5, ...options });

  const sendSms = async (orgId: string, count: number, prefix: string) => {
    const accepted = await acceptSend(db, {
      orgId,
      input: {
        type: "sms",
        text: "안내",
        recipients: Array.from({ length: count }, (_, i) => ({
          to: `010-${prefix}-${String(i).padStart(4, "0")}`,
        })),
      },
      now: now(),
      idempotency: null,
    });
    return accepted.body.campaignId as string;
  };
  const messagesOf = async (campaignId: string) =>
    (
      await db.query<{
        id: string;
        status: string;
        attempts: number;
        routeMisses: number;
        error: string | null;
        lockedBy: string | null;
        runAt: Date;
      }>(
        `select id, status, attempts, route_misses as "routeMisses", error_code as error,
           locked_by as "lockedBy", run_at as "runAt"
         from messages where campaign_id = $1 order by id`,
        [campaignId],
      )
    ).rows;
  const ownAccount = async (orgId: string, baseUrl: string) => {
    const id = `vac_${randomBytes(6).toString("hex")}`;
    const account = await insertVendorAccount(db, {
      id,
      orgId,
      vendor: "sandbox",
      name: "own",
      settings: { baseUrl },
      credentialsEnc: box.seal(JSON.stringify(issueSandboxCredentials(id))),
      webhookSecretEnc: box.seal("secret"),
    });
    await replaceRouting(db, orgId, [
      { channel: "sms", primaryAccountId: account.id, secondaryAccountId: null },
    ]);
    return account.id;
  };
  /** Lets every backoff in the queue come due. */
  const later = (ms = 10 * 60_000) => {
    clock += ms;
  };

  it("fails one tenant's messages NO_ROUTE when its routed account goes away, and sends the other's", async () => {
    const a = await createSendingOrg(db, { credits: 1000, name: "A" });
    const b = await createSendingOrg(db, { credits: 1000, name: "B" });
    const accountA = await ownAccount(a.orgId, vendor.url);
    const campaignA = await sendSms(a.orgId, 6, "7100");
    // Mid-campaign: some of A's messages have gone out through its account.
    const first = await dispatcher({ workerId: "w-route-1", claimSize: 4 }).dispatchOnce();
    expect(first.sent).toBe(4);
    const d = dispatcher({ workerId: "w-route-2" });
    // Disabled behind the API's back (the API refuses while routing uses it).
    await db.query("update vendor_accounts set status = 'disabled' where id = $1", [accountA]);
    const campaignB = await sendSms(b.orgId, 3, "7200");

    // One claim holds both tenants' messages: B's go out, A's wait.
    const round = await d.dispatchOnce();
    expect(round).toMatchObject({ claimed: 5, sent: 3, retried: 2, failed: 0 });
    expect((await messagesOf(campaignB)).map((m) => [m.status, m.attempts])).toEqual([
      ["sent", 1],
      ["sent", 1],
      ["sent", 1],
    ]);
    const waiting = (await messagesOf(campaignA)).filter((m) => m.status !== "sent");
    expect(waiting).toHaveLength(2);
    for (const m of waiting) {
      expect(m).toMatchObject({ status: "queued", error: "NO_ROUTE", attempts: 0, routeMisses: 1 });
      expect(m.runAt.getTime()).toBeGreaterThan(clock);
    }

    // The route does not come back: past its retries, each fails NO_ROUTE, never having
    // reached a vendor, and its hold is released.
    for (let i = 0; i < 10; i++) {
      later();
      await d.dispatchOnce();
    }
    const failed = (await messagesOf(campaignA)).filter((m) => m.status !== "sent");
    expect(failed.map((m) => [m.status, m.error, m.attempts])).toEqual([
      ["failed", "NO_ROUTE", 0],
      ["failed", "NO_ROUTE", 0],
    ]);
    await settleOnce(db, { now: now() });
    const released = await db.query<{ n: number }>(
      `select count(*)::int as n from messages where campaign_id = $1 and status = 'failed'
         and settled_at is not null and price_released = price_held and price_held > 0`,
      [campaignA],
    );
    expect(released.rows[0]!.n).toBe(2);
  });

  it("a worker whose lease ran out and whose batch was claimed again changes nothing", async () => {
    const org = await createSendingOrg(db, { credits: 1000, name: "Lease" });
    const slow = await startSlowVendor(vendor.url);
    await ownAccount(org.orgId, slow.url);
    const campaignId = await sendSms(org.orgId, 3, "7300");
    // Long enough for a call to start (the longest call is 10 s), short on the test's clock.
    const first = dispatcher({ workerId: "w-first", leaseMs: 12_000 });
    const second = dispatcher({ workerId: "w-second", leaseMs: 60_000 });

    const firstRound = first.dispatchOnce();
    await slow.arrived(1);
    // The first worker's vendor call outlives its lease; the second takes the batch over.
    later(15_000);
    expect(await second.requeueExpiredLeases()).toBe(3);
    const secondRound = second.dispatchOnce();
    await slow.arrived(2);

    slow.release(0);
    expect(await firstRound).toEqual({ claimed: 3, sent: 0, retried: 0, failed: 0 });
    const held = await messagesOf(campaignId);
    expect(held.map((m) => m.status)).toEqual(["sending", "sending", "sending"]);
    expect(held.every((m) => m.lockedBy?.startsWith("w-second:"))).toBe(true);

    slow.release(1);
    expect(await secondRound).toEqual({ claimed: 3, sent: 3, retried: 0, failed: 0 });
    const sent = await messagesOf(campaignId);
    expect(sent.map((m) => [m.status, m.attempts, m.lockedBy])).toEqual([
      ["sent", 1, null],
      ["sent", 1, null],
      ["sent", 1, null],
    ]);
    await slow.close();
  });

  it("a slow account holds its own call slots only: its next chunk waits in the queue, others go", async () => {
    const a = await createSendingOrg(db, { credits: 1000, name: "SlowA" });
    const b = await createSendingOrg(db, { credits: 1000, name: "FastB" });
    const slow = await startSlowVendor(vendor.url);
    const accountA = await ownAccount(a.orgId, slow.url);
    const d = dispatcher({ workerId: "w-slots", accountConcurrency: 1, slotWaitMs: 50 });
    const campaignA1 = await sendSms(a.orgId, 1, "7700");
    // The round is claimed and its call is out: it answers `done` later.
    const first = await d.startRound();
    expect(first.claimed).toBe(1);
    await slow.arrived(1);

    const campaignA2 = await sendSms(a.orgId, 1, "7701");
    const campaignB = await sendSms(b.orgId, 2, "7702");
    expect(await d.dispatchOnce()).toEqual({ claimed: 3, sent: 2, retried: 1, failed: 0 });
    expect((await messagesOf(campaignB)).map((m) => m.status)).toEqual(["sent", "sent"]);
    const [waiting] = await messagesOf(campaignA2);
    expect(waiting).toMatchObject({
      status: "queued",
      error: "ACCOUNT_BUSY",
      attempts: 0,
      lockedBy: null,
    });
    expect(waiting!.runAt.getTime()).toBeGreaterThan(clock);

    // Stopping waits for the call still out, and its outcome is recorded.
    let idle = false;
    const stopped = d.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(idle).toBe(false);
    slow.release(0);
    await stopped;
    expect(await first.done).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    expect(await messagesOf(campaignA1)).toMatchObject([{ status: "sent", attempts: 1 }]);
    expect(d.breakers.state(accountA).kind).toBe("closed");

    // The chunk that waited goes out once its slot is free, counting one attempt.
    later(2_000);
    const again = await d.startRound();
    await slow.arrived(2);
    slow.release(1);
    expect(await again.done).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    expect(await messagesOf(campaignA2)).toMatchObject([{ status: "sent", attempts: 1 }]);
    await slow.close();
  });

  it("sends a single message while a bulk round holds every call slot of the account they share", async () => {
    const hq = await createSendingOrg(db, { credits: 1000, name: "HQ" });
    const branch = await createSendingOrg(db, {
      credits: 1000,
      name: "Branch",
      parentId: hq.orgId,
    });
    const slow = await startSlowVendor(vendor.url);
    // The branch inherits the headquarters' routing: one account for both.
    await ownAccount(hq.orgId, slow.url);
    const d = dispatcher({ workerId: "w-express", accountConcurrency: 1, slotWaitMs: 50 });
    await sendSms(hq.orgId, 2, "7800");
    const bulk = await d.startRound();
    expect(bulk.claimed).toBe(2);
    await slow.arrived(1);

    const single = await sendSms(branch.orgId, 1, "7801");
    const express = await d.startRound("express");
    await slow.arrived(2);
    slow.release(1);
    expect(await express.done).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    expect(await messagesOf(single)).toMatchObject([{ status: "sent", attempts: 1 }]);
    slow.release(0);
    expect(await bulk.done).toEqual({ claimed: 2, sent: 2, retried: 0, failed: 0 });
    await slow.close();
  });

  it("gives a circuit's trial back when nothing was sent, so the route is not shut for good", async () => {
    const org = await createSendingOrg(db, { credits: 1000, name: "Trial" });
    const account = await ownAccount(org.orgId, vendor.url);
    const d = dispatcher({
      workerId: "w-trial",
      breakerPolicy: { failureThreshold: 1, windowMs: 10_000, openMs: 1_000, trialMs: 3_600_000 },
    });
    d.breakers.failed(account, "TIMEOUT");
    expect(d.breakers.state(account).kind).toBe("open");
    // The first claim after the circuit's pause holds the trial, but renders nothing.
    const broken = await sendSms(org.orgId, 1, "7400");
    await db.query(
      `update campaigns set content = jsonb_set(content, '{text}', 'null') where id = $1`,
      [broken],
    );
    later(2_000);
    expect(await d.dispatchOnce()).toMatchObject({ claimed: 1, failed: 1 });
    expect(await messagesOf(broken)).toMatchObject([{ status: "failed", attempts: 0 }]);
    // The next message is the trial, goes out and closes the circuit.
    const fine = await sendSms(org.orgId, 1, "7401");
    expect(await d.dispatchOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await messagesOf(fine)).toMatchObject([{ status: "sent", attempts: 1 }]);
    expect(d.breakers.state(account).kind).toBe("closed");
  });

  it("treats an adapter that throws as an outage: its messages retry, its circuit learns", async () => {
    const org = await createSendingOrg(db, { credits: 1000, name: "Throws" });
    const account = await ownAccount(org.orgId, vendor.url);
    let throwing = 2;
    const sandbox = adapters.sandbox!;
    const flaky: VendorAdapter = {
      ...sandbox,
      send: async (acc, messages) => {
        if (throwing-- > 0) throw new Error("adapter bug");
        return sandbox.send(acc, messages);
      },
    };
    const d = dispatcher({
      workerId: "w-throws",
      adapters: { ...adapters, sandbox: flaky },
      breakerPolicy: { failureThreshold: 1, windowMs: 10_000, openMs: 1_000, trialMs: 3_600_000 },
    });
    const campaignId = await sendSms(org.orgId, 2, "7500");
    expect(await d.dispatchOnce()).toMatchObject({ claimed: 2, retried: 2 });
    expect(d.breakers.state(account).kind).toBe("open");
    // The trial throws too: the circuit opens again rather than staying half-open.
    later(2_000);
    expect(await d.dispatchOnce()).toMatchObject({ claimed: 2, retried: 2 });
    expect(d.breakers.state(account).kind).toBe("open");
    later(2_000);
    expect(await d.dispatchOnce()).toMatchObject({ claimed: 2, sent: 2 });
    expect(d.breakers.state(account).kind).toBe("closed");
    expect((await messagesOf(campaignId)).map((m) => [m.status, m.attempts])).toEqual([
      ["sent", 3],
      ["sent", 3],
    ]);
  });

  it("retries at once a message the vendor's answer left out", async () => {
    const org = await createSendingOrg(db, { credits: 1000, name: "Dropped" });
    await ownAccount(org.orgId, vendor.url);
    const sandbox = adapters.sandbox!;
    let dropped = "";
    const forgetful: VendorAdapter = {
      ...sandbox,
      send: async (acc, messages) => {
        const outcomes = await sandbox.send(acc, messages);
        dropped ||= outcomes[0]!.id;
        return outcomes.filter((o) => o.id !== dropped);
      },
    };
    const d = dispatcher({ workerId: "w-drop", adapters: { ...adapters, sandbox: forgetful } });
    const campaignId = await sendSms(org.orgId, 3, "7600");
    expect(await d.dispatchOnce()).toEqual({ claimed: 3, sent: 2, retried: 1, failed: 0 });
    const left = (await messagesOf(campaignId)).find((m) => m.id === dropped)!;
    expect(left).toMatchObject({
      status: "queued",
      error: "NO_OUTCOME",
      attempts: 1,
      lockedBy: null,
    });
    expect(left.runAt.getTime()).toBe(clock);
  });
});
