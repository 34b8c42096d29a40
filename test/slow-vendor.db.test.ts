// A tenant's own vendor that accepts connections and never answers: the
// other tenants' sends go out as if it were not there, its calls end at the
// operator's longest timeout whatever the account asks for, and its
// timeouts open its circuit so that the next attempt fails over.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createSecretBox } from "../src/lib/secret-box.ts";
import { replaceRouting } from "../src/modules/routing/queries.ts";
import { insertVendorAccount } from "../src/modules/vendor-accounts/queries.ts";
import { issueSandboxCredentials } from "../src/modules/vendor-accounts/sandbox.ts";
import { createSendingOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline } from "./pipeline.ts";

/** A vendor that takes every request and never says a word. */
async function startSilentVendor() {
  const calls: { url: string; at: number; closedAt: number | null }[] = [];
  const server = createServer((req) => {
    const call = { url: req.url ?? "", at: Date.now(), closedAt: null as number | null };
    calls.push(call);
    // The caller gives up (its timeout): the connection closes.
    req.socket.on("close", () => {
      call.closedAt = Date.now();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const MAX_TIMEOUT_MS = 3_000;

describe(`a silent vendor of one tenant on ${engine}`, async () => {
  const secretKey = randomBytes(32);
  const box = createSecretBox(secretKey);
  const pipeline = await startPipeline({
    secretKey,
    delayMs: 10,
    vendorCalls: { maxTimeoutMs: MAX_TIMEOUT_MS },
    breakerPolicy: { failureThreshold: 1, windowMs: 60_000, openMs: 60_000, trialMs: 60_000 },
  });
  const { app, db } = pipeline;
  const silent = await startSilentVendor();

  /**
   * A sandbox account of the organization's own, saved behind the API's back
   * (as before the cap), with the key the sandbox issues: the built-in
   * sandbox answers only its accounts' own keys.
   */
  const ownAccount = async (orgId: string, settings: Record<string, unknown>) => {
    const id = `vac_${randomBytes(6).toString("hex")}`;
    await insertVendorAccount(db, {
      id,
      orgId,
      vendor: "sandbox",
      name: "own",
      settings,
      credentialsEnc: box.seal(JSON.stringify(issueSandboxCredentials(id))),
      webhookSecretEnc: box.seal(randomBytes(24).toString("base64url")),
    });
    return id;
  };
  const sendOne = async (auth: { authorization: string }, to: string) => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: auth,
      payload: { type: "sms", text: "안내", recipients: [{ to }] },
    });
    expect(res.statusCode).toBe(202);
    return res.json().campaignId as string;
  };
  const messageOf = async (campaignId: string) =>
    (
      await db.query<{
        status: string;
        error: string | null;
        attempts: number;
        account: string | null;
        route: string | null;
      }>(
        `select status, error_code as error, attempts, vendor_account_id as account,
           route_reason as route
         from messages where campaign_id = $1`,
        [campaignId],
      )
    ).rows[0]!;

  it("sends another tenant's message while every dispatch loop has a call out to it", async () => {
    const a = await createSendingOrg(db, { credits: 1000, name: "A" });
    const b = await createSendingOrg(db, { credits: 1000, name: "B" });
    // Stored before the cap existed: ten minutes.
    const silentAccount = await ownAccount(a.orgId, { baseUrl: silent.url, timeoutMs: 600_000 });
    await replaceRouting(db, a.orgId, [
      { channel: "sms", primaryAccountId: silentAccount, secondaryAccountId: null },
    ]);
    // One of A's sends for each dispatch loop (two and the express lane), each
    // sent while the ones before it are still waiting for an answer.
    const campaignsA: string[] = [];
    for (let i = 1; i <= 3; i++) {
      campaignsA.push(await sendOne(a.auth, `010-7000-000${i}`));
      await until(`A's call ${i}`, async () => (silent.calls.length >= i ? true : null));
    }
    const firstCallAt = silent.calls[0]!.at;

    const started = Date.now();
    const campaignB = await sendOne(b.auth, "010-7100-0001");
    await until("B's message to reach the vendor", async () => {
      const m = await messageOf(campaignB);
      return m.status === "sent" || m.status === "delivered" ? m : null;
    });
    const tookMs = Date.now() - started;
    // Well before A's calls give up (at MAX_TIMEOUT_MS): none of them has yet.
    expect(tookMs).toBeLessThan(MAX_TIMEOUT_MS / 2);
    expect(silent.calls.every((c) => c.closedAt === null)).toBe(true);
    expect(Date.now() - firstCallAt).toBeLessThan(MAX_TIMEOUT_MS);

    // A's calls end at the operator's maximum, not the account's ten minutes.
    await until(
      "A's calls to time out",
      async () => (silent.calls.every((c) => c.closedAt !== null) ? true : null),
      MAX_TIMEOUT_MS * 3,
    );
    for (const call of silent.calls.slice(0, 3)) {
      const waited = call.closedAt! - call.at;
      expect(waited).toBeGreaterThanOrEqual(MAX_TIMEOUT_MS - 100);
      expect(waited).toBeLessThan(MAX_TIMEOUT_MS + 2_000);
    }
    for (const id of campaignsA) {
      const m = await until("A's message to be recorded", async () => {
        const row = await messageOf(id);
        return row.status === "sending" ? null : row;
      });
      expect(m).toMatchObject({ status: "queued", error: "TIMEOUT", attempts: 1 });
    }
  });

  it("counts a timeout against the account's circuit, so the next attempt fails over", async () => {
    const c = await createSendingOrg(db, { credits: 1000, name: "C" });
    const primary = await ownAccount(c.orgId, { baseUrl: silent.url, timeoutMs: 300 });
    // The secondary is the platform's sandbox, as an account of C's own.
    const secondary = await ownAccount(c.orgId, {});
    await replaceRouting(db, c.orgId, [
      { channel: "sms", primaryAccountId: primary, secondaryAccountId: secondary },
    ]);
    const before = silent.calls.length;
    const campaignId = await sendOne(c.auth, "010-7200-0001");
    const sent = await until("C's message to go out through the secondary", async () => {
      const m = await messageOf(campaignId);
      return m.status === "sent" || m.status === "delivered" ? m : null;
    });
    expect(sent.account).toBe(secondary);
    expect(sent.attempts).toBe(2);
    expect(sent.route).toBe(`secondary: primary ${primary} unavailable (circuit open: TIMEOUT)`);
    // The primary got the first attempt only.
    expect(silent.calls.length - before).toBe(1);
  });
});
