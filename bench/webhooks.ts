// bench:webhooks — outbound webhooks as users run them: the real server
// process (`alimi serve`), a local receiver that checks every signature with
// the standardwebhooks package, and events made the way customers make them:
// a campaign of 10,000 SMS with `message.delivered` subscribed, so each
// delivery report the sandbox sends back writes one event.
//
// 1. Throughput: the time from the first event received to the 10,000th
//    (the goal: 10 s or less, the ratio printed).
// 2. A receiver that is down (connections refused) for
//    BENCH_WEBHOOK_DOWN_SECONDS (default 60) while another campaign's events
//    are written loses nothing: every event arrives once it is back, through
//    the retries' backoff; delivered/expected printed.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:webhooks
//   (without DATABASE_URL: on PGlite)
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const N = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000);
const DOWN_N = Number(process.env.BENCH_WEBHOOK_DOWN_EVENTS ?? 1_000);
const DOWN_SECONDS = Number(process.env.BENCH_WEBHOOK_DOWN_SECONDS ?? 60);
const GOAL_MS = 10_000;

/** Unique webhook-ids seen, with when each was first seen, and signatures that did not verify. */
const seen = new Map<string, number>();
let badSignatures = 0;
let secret = "";

function receiver(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        const id = req.headers["webhook-id"] as string;
        if (!seen.has(id)) seen.set(id, performance.now());
        res.writeHead(204).end();
      } catch {
        badSignatures++;
        res.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

function recipients(count: number, prefix: number) {
  return Array.from({ length: count }, (_, i) => ({
    to: `010-${String(prefix + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
  }));
}

async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      console.log(`  ${what}: gave up after ${fmt(timeoutMs / 1000)} s`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

let listening = await receiver(0);
const port = (listening.address() as AddressInfo).port;
const engine = process.env.DATABASE_URL ? "postgres" : "pglite";
const server = await startServer({
  engine,
  databaseUrl: process.env.DATABASE_URL,
  env: {
    ALIMI_SANDBOX_DELAY_MS: "0",
    // The receiver is on this machine: the operator allows its host.
    ALIMI_WEBHOOKS_ALLOWED_HOSTS: "127.0.0.1",
  },
});
try {
  const { apiKey } = await server.tenant("Webhooks", (N + DOWN_N) * 100);
  const endpoint = await request<{ id: string; secret: string }>(
    `${server.url}/v1/webhook-endpoints`,
    apiKey,
    {
      body: { url: `http://127.0.0.1:${port}/alimi`, events: ["message.delivered"] },
      expect: 201,
    },
  );
  secret = endpoint.secret;
  console.log(`bench:webhooks on ${engine}: ${fmt(N)} message.delivered events, one endpoint`);

  // 1. Throughput.
  const started = performance.now();
  const { campaignId } = await request<{ campaignId: string }>(
    `${server.url}/v1/messages`,
    apiKey,
    {
      body: { type: "sms", text: "웹훅 처리량 측정", recipients: recipients(N, 5000) },
    },
  );
  // When the campaign completes its last delivery report (its last event) is in.
  let completedAt: number | null = null;
  void (async () => {
    while (completedAt === null) {
      const c = await request<{ completedAt: string | null }>(
        `${server.url}/v1/campaigns/${campaignId}`,
        apiKey,
      ).catch(() => ({ completedAt: null }));
      if (c.completedAt) completedAt = performance.now();
      else await new Promise((r) => setTimeout(r, 100));
    }
  })();
  if (await waitFor("throughput", () => seen.size >= N, 300_000)) {
    const times = [...seen.values()].sort((a, b) => a - b);
    const first = times[0]!;
    const last = times[N - 1]!;
    const ms = last - first;
    console.log(
      `  ${fmt(N)} events delivered in ${fmt(ms / 1000, 2)} s from the first to the last ` +
        `(${fmt((N / ms) * 1000)}/s); ${fmt((last - started) / 1000, 2)} s from the send request`,
    );
    console.log(
      `  goal ≤ ${GOAL_MS / 1000} s: ratio ${fmt(GOAL_MS / ms, 2)}× (above 1 is within it)`,
    );
    await waitFor("completion", () => completedAt !== null, 60_000);
    if (completedAt !== null) {
      console.log(
        `  the events' source: the campaign completed ${fmt((completedAt - started) / 1000, 2)} s ` +
          `after the send request; the last event reached the receiver ${fmt((last - completedAt) / 1000, 2)} s after that`,
      );
    }
  }

  // 2. The receiver is down for a while.
  const before = seen.size;
  await close(listening);
  const downAt = performance.now();
  console.log(`receiver down for ${DOWN_SECONDS} s; ${fmt(DOWN_N)} more events meanwhile`);
  await request(`${server.url}/v1/messages`, apiKey, {
    body: { type: "sms", text: "웹훅 장애 복구", recipients: recipients(DOWN_N, 6000) },
  });
  await new Promise((r) =>
    setTimeout(r, Math.max(0, DOWN_SECONDS * 1000 - (performance.now() - downAt))),
  );
  listening = await receiver(port);
  const upAt = performance.now();
  const expected = before + DOWN_N;
  // Backoff from 5 s doubling (±25 %): the longest wait after the receiver is
  // back is about the time it was down, and a bit.
  await waitFor("recovery", () => seen.size >= expected, (DOWN_SECONDS * 2 + 120) * 1000);
  const times = [...seen.values()].filter((t) => t >= upAt);
  const lastAt = times.length > 0 ? Math.max(...times) : upAt;
  console.log(
    `  delivered/expected: ${fmt(seen.size - before)}/${fmt(DOWN_N)} ` +
      `(all within ${fmt((lastAt - upAt) / 1000, 1)} s of the receiver coming back); ` +
      `bad signatures: ${badSignatures}`,
  );
} finally {
  await server.stop();
  await close(listening);
}
