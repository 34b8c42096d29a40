// `alimi serve` on an embedded data directory, with and without the sandbox
// vendor: by default it serves /sandbox/v1 to the platform sandbox account's
// key (and to nobody else), and delivers through it; with ALIMI_SANDBOX=false
// it serves no /sandbox/v1 and makes no platform sandbox account, and one
// made by an earlier start stays but routes nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { readOrCreateSecretKey } from "../src/lib/data-dir.ts";
import { createSecretBox } from "../src/lib/secret-box.ts";
import { type Running, serve } from "../src/runtime.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function start(dir: string, sandbox: "true" | "false"): Promise<Running & { url: string }> {
  const config = loadConfig({ ALIMI_DATA_DIR: dir, PORT: "0", ALIMI_SANDBOX: sandbox });
  const running = await serve(config, { role: "all", logger: pino({ level: "silent" }) });
  if (!running.url) throw new Error("no URL");
  return { ...running, url: running.url };
}

const sandboxAccounts = async (running: Running) =>
  (
    await running.db.query<{ id: string; c: string }>(
      "select id, credentials_enc as c from vendor_accounts where vendor = 'sandbox'",
    )
  ).rows;

describe("alimi serve and ALIMI_SANDBOX", { timeout: 60_000 }, () => {
  it("by default serves the sandbox to its account's key only, and delivers through it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "alimi-sandbox-on-"));
    dirs.push(dir);
    const running = await start(dir, "true");
    try {
      const [account] = await sandboxAccounts(running);
      const box = createSecretBox(readOrCreateSecretKey(dir));
      const { apiKey } = JSON.parse(box.open(account!.c)) as { apiKey: string };
      const balance = (authorization?: string) =>
        fetch(`${running.url}/sandbox/v1/balance`, {
          headers: authorization ? { authorization } : {},
        }).then((r) => r.status);
      expect(await balance()).toBe(401);
      expect(await balance("Bearer not-a-key")).toBe(401);
      expect(await balance(`Bearer ${apiKey}`)).toBe(200);

      const demo = running.demo;
      if (!demo?.created) throw new Error("a fresh directory gets a demo organization");
      const sent = await fetch(`${running.url}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${demo.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          type: "sms",
          text: "기본 샌드박스",
          recipients: [{ to: "010-4444-0004" }],
        }),
      });
      expect(sent.status).toBe(202);
      const { campaignId } = (await sent.json()) as { campaignId: string };
      await expect
        .poll(
          async () =>
            (
              await running.db.query<{ status: string }>(
                "select status from messages where campaign_id = $1",
                [campaignId],
              )
            ).rows[0]?.status,
          { timeout: 20_000, interval: 100 },
        )
        .toBe("delivered");
    } finally {
      await running.stop();
    }

    // Turned off on the same data directory: the account stays, but nothing is served or routed.
    const off = await start(dir, "false");
    try {
      expect(await sandboxAccounts(off)).toHaveLength(1);
      expect((await fetch(`${off.url}/sandbox/v1/balance`)).status).toBe(404);
    } finally {
      await off.stop();
    }
  });

  it("with ALIMI_SANDBOX=false serves no /sandbox/v1 and makes no platform sandbox account", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "alimi-sandbox-off-"));
    dirs.push(dir);
    const running = await start(dir, "false");
    try {
      expect(await sandboxAccounts(running)).toEqual([]);
      const answer = await fetch(`${running.url}/sandbox/v1/messages`, {
        method: "POST",
        headers: { authorization: "Bearer anything", "content-type": "application/json" },
        body: JSON.stringify({ messages: [] }),
      });
      expect(answer.status).toBe(404);
      expect((await fetch(`${running.url}/health`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});
