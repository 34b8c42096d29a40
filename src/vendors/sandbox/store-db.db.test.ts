// The sandbox on its database store behaves like a real vendor across our
// crashes: a new sandbox over the same database (our process restarted)
// knows what the old one accepted, answers polls from it, and POSTs the
// reports the old one still owed, each until the webhook acknowledges it —
// or until the attempt limit, after which the rows are gone, not retried.
// Each test's sandboxes are closed when it ends: every open sandbox delivers
// from the same table, with its own backoff and attempt limit.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createTestDb, engine } from "../../../test/db.ts";
import type { DeliveryReport } from "../vendor.ts";
import { fixedSandboxAccounts } from "./accounts.ts";
import { parseSandboxReports } from "./callback.ts";
import { createSandbox, type Sandbox, type SendAnswer } from "./sandbox.ts";
import { databaseStore } from "./store-db.ts";
import type { CheckedMessage, WireSendResponse } from "./wire.ts";

const SECRET = "whsec_store_test";

/**
 * A webhook that verifies every POST and answers with the scripted statuses,
 * then 200. A scripted promise holds its POST until it resolves to a status.
 */
async function startWebhook() {
  const hook = {
    url: "",
    /** POSTs received, answered or not yet. */
    arrived: 0,
    statuses: [] as number[],
    reports: [] as DeliveryReport[],
    /** Every report POSTed, whatever the answer. */
    attempted: [] as DeliveryReport[],
    script: [] as (number | Promise<number>)[],
  };
  const server = createServer((req, res) => {
    hook.arrived++;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const parsed = parseSandboxReports(
        { webhookSecret: SECRET },
        { headers: req.headers, rawBody: Buffer.concat(chunks), pathToken: null },
        new Date(),
      );
      const status = parsed.ok ? await (hook.script.shift() ?? 200) : parsed.status;
      hook.statuses.push(status);
      if (parsed.ok) hook.attempted.push(...parsed.reports);
      if (parsed.ok && status === 200) hook.reports.push(...parsed.reports);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return hook;
}

const sms = (customId: string, to = "+821012345678"): CheckedMessage => ({
  ok: true,
  message: {
    customId,
    to,
    from: "0212345678",
    type: "sms",
    text: "안내",
    subject: null,
    templateCode: null,
    buttons: [],
    fallback: null,
    imageIds: [],
  },
});

/** The response of an accepted request (a refused one fails the test). */
const accepted = (answer: SendAnswer): WireSendResponse => {
  if (!answer.ok) expect.fail(answer.message);
  return answer.response;
};

describe(`the sandbox's database store on ${engine}`, async () => {
  const db = await createTestDb();
  const hook = await startWebhook();
  const failing = await startWebhook();
  failing.script.push(...Array(1000).fill(500));
  const accounts = fixedSandboxAccounts([
    { id: "vac_a", apiKey: "key_a", webhookUrl: hook.url, signingSecret: SECRET },
    { id: "vac_b", apiKey: "key_b", webhookUrl: hook.url, signingSecret: SECRET },
    { id: "vac_down", apiKey: "key_down", webhookUrl: failing.url, signingSecret: SECRET },
  ]);
  const open: Sandbox[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  const start = (delayMs: number, retryMs = 20, attempts = 8) => {
    const sandbox = createSandbox({
      delayMs,
      logger: Fastify().log,
      accounts,
      webhookRetry: { baseMs: retryMs, maxMs: 4 * retryMs, attempts },
      store: databaseStore({ db }),
    });
    open.push(sandbox);
    return sandbox;
  };
  const send = async (sandbox: Sandbox, accountId: string, messages: CheckedMessage[]) =>
    accepted(await sandbox.send(accountId, { messages }));

  it("after a restart, a resent message gets its first id and is reported once; polls answer from the table", async () => {
    const first = start(300);
    const sent = await send(first, "vac_a", [sms("msg_restart_1")]);
    const vendorId = (sent.results[0] as { messageId: string }).messageId;
    // Our process dies before the report is due: nothing was POSTed yet.
    await first.close();
    expect(hook.reports.filter((r) => r.messageId === "msg_restart_1")).toEqual([]);

    const second = start(300);
    const again = await send(second, "vac_a", [sms("msg_restart_1")]);
    expect(again.results[0]).toMatchObject({
      status: "ACCEPTED",
      messageId: vendorId,
      duplicate: true,
    });
    expect(await second.seen("msg_restart_1")).toBe(2);
    expect(await second.received("msg_restart_1")).toBe(1);
    await second.settled();
    const reports = hook.reports.filter((r) => r.messageId === "msg_restart_1");
    expect(reports.map((r) => [r.vendorMessageId, r.status])).toEqual([[vendorId, "delivered"]]);

    const status = await second.status("vac_a", [vendorId, "sbx_never_issued"]);
    expect(status.unknown).toEqual(["sbx_never_issued"]);
    expect(status.results).toMatchObject([{ messageId: vendorId, status: "DELIVERED" }]);
    // Another account asks about it: the sandbox knows no such message of theirs.
    expect(await second.status("vac_b", [vendorId])).toEqual({ results: [], unknown: [vendorId] });
  });

  it("keeps each account's messages apart: the same id of ours from two accounts is two messages", async () => {
    const sandbox = start(0);
    const a = await send(sandbox, "vac_a", [sms("msg_two_accounts")]);
    const b = await send(sandbox, "vac_b", [sms("msg_two_accounts")]);
    expect(b.results[0]).toMatchObject({ status: "ACCEPTED", duplicate: false });
    const idOf = (r: WireSendResponse) => (r.results[0] as { messageId: string }).messageId;
    expect(idOf(b)).not.toBe(idOf(a));
    expect(await sandbox.received("msg_two_accounts")).toBe(2);
    await sandbox.settled();
  });

  it("gives up on reports after the attempt limit: their rows are deleted, not retried for ever", async () => {
    const sandbox = start(0, 10, 3);
    // Each report is POSTed exactly three times, alone or with the other.
    const attempts = () => {
      const ids = failing.attempted.map((r) => r.messageId);
      const count = (id: string) => ids.filter((seen) => seen === id).length;
      return { msg_down_1: count("msg_down_1"), msg_down_2: count("msg_down_2") };
    };
    await send(sandbox, "vac_down", [sms("msg_down_1"), sms("msg_down_2")]);
    await sandbox.settled();
    expect(attempts()).toEqual({ msg_down_1: 3, msg_down_2: 3 });
    const owed = await db.query(
      "select id from sandbox_reports where report::jsonb->>'customId' like 'msg_down_%'",
    );
    expect(owed.rows).toEqual([]);
    // Far longer than the backoff: no more POSTs (and no row left to write to).
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(attempts()).toEqual({ msg_down_1: 3, msg_down_2: 3 });
    expect(sandbox.stats().reports).toMatchObject({ gaveUp: 2, delivered: 0, pending: 0 });
  });

  it("POSTs a report again until the webhook answers 2xx, then never again", async () => {
    const sandbox = start(0);
    const before = hook.arrived;
    // Refused twice; the third POST waits for the test's answer.
    let answer: (status: number) => void = () => {};
    hook.script.push(
      500,
      503,
      new Promise<number>((resolve) => {
        answer = resolve;
      }),
    );
    await send(sandbox, "vac_a", [sms("msg_retry_1")]);
    await expect.poll(() => hook.arrived - before, { timeout: 10_000 }).toBe(3);
    // Twice refused, the third attempt not answered yet: still owed, with the failed attempts counted.
    const owed = await db.query<{ attempts: number }>(
      "select attempts from sandbox_reports where report::jsonb->>'customId' = 'msg_retry_1'",
    );
    expect(owed.rows.map((r) => r.attempts)).toEqual([2]);
    answer(200);
    await sandbox.settled();
    expect(hook.statuses.slice(-3)).toEqual([500, 503, 200]);
    expect(hook.reports.filter((r) => r.messageId === "msg_retry_1")).toHaveLength(1);
    expect(sandbox.stats().reports).toMatchObject({ delivered: 1, gaveUp: 0, pending: 0 });
    expect(hook.arrived - before).toBe(3);
    // Acknowledged: owed no more.
    const rows = await db.query(
      "select id from sandbox_reports where report::jsonb->>'customId' = 'msg_retry_1'",
    );
    expect(rows.rows).toEqual([]);
  });

  it("accepts an id once when two requests carry it at the same time", async () => {
    const sandbox = start(0);
    const [a, b] = await Promise.all([
      send(sandbox, "vac_a", [sms("msg_race_1"), sms("msg_race_2")]),
      send(sandbox, "vac_a", [sms("msg_race_2"), sms("msg_race_1")]),
    ]);
    const idOf = (r: typeof a, customId: string) =>
      (r.results.find((x) => x.customId === customId) as { messageId: string }).messageId;
    expect(idOf(a, "msg_race_1")).toBe(idOf(b, "msg_race_1"));
    expect(idOf(a, "msg_race_2")).toBe(idOf(b, "msg_race_2"));
    await sandbox.settled();
    const reported = hook.reports.filter((r) => r.messageId?.startsWith("msg_race_"));
    expect(reported).toHaveLength(2);
  });
});
