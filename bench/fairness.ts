// bench:fairness — as users run it: the real server process (`alimi serve`,
// the product's defaults, sandbox report delay 50 ms), tenants made with the
// CLI, every request over HTTP from this process. Tenant A sends 200,000 SMS
// in two requests; while they drain, tenant B sends one SMS every 100 ms and
// waits for its campaign to complete. Prints, from the server's own
// timestamps, p50/p99/max of B's accepted → sent to the vendor, accepted →
// delivered and accepted → campaign completed; and what B's client saw.
// Goals: accepted → vendor p99 ≤ 250 ms, accepted → completed p99 ≤ 1 s.
//
//   npm run bench:fairness                                    # PGlite
//   DATABASE_URL=postgres://… npm run bench:fairness          # and PostgreSQL
//   BENCH_ROLES=api,worker DATABASE_URL=… npm run bench:fairness   # separate processes

import { type Engine, percentile, type Role, request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const A_MESSAGES = Number(process.env.BENCH_A_MESSAGES ?? 200_000);
const B_EVERY_MS = 100;
const B_SAMPLES = Number(process.env.BENCH_B_SAMPLES ?? 150);
const SANDBOX_DELAY_MS = Number(process.env.BENCH_SANDBOX_DELAY_MS ?? 50);
const ROLES = (process.env.BENCH_ROLES?.split(",") ?? ["all"]) as Role[];

interface Campaign {
  id: string;
  status: string;
  createdAt: string;
  completedAt: string | null;
  counts: Record<string, number>;
}
interface Message {
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (from: string, to: string | null) =>
  to === null ? Number.NaN : Date.parse(to) - Date.parse(from);

function line(label: string, values: number[], goal?: number) {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((x, y) => x - y);
  const p99 = percentile(sorted, 99);
  const verdict =
    goal === undefined ? "" : `   goal p99 ≤ ${fmt(goal)} ms: ${p99 <= goal ? "met" : "MISSED"}`;
  return `  ${label.padEnd(38)} p50 ${fmt(percentile(sorted, 50)).padStart(6)} ms   p99 ${fmt(p99).padStart(6)} ms   max ${fmt(sorted.at(-1) ?? Number.NaN).padStart(6)} ms${verdict}`;
}

async function run(engine: Engine, roles: Role[]) {
  const server = await startServer({
    engine,
    databaseUrl: process.env.DATABASE_URL,
    roles,
    env: { ALIMI_SANDBOX_DELAY_MS: String(SANDBOX_DELAY_MS) },
  });
  try {
    const a = await server.tenant("A", A_MESSAGES * 100);
    const b = await server.tenant("B", 1_000_000);
    const send = (key: string, body: unknown) =>
      request<{ campaignId: string }>(`${server.url}/v1/messages`, key, { body });

    // 100,000 recipients per request: A's 200,000 go in as two campaigns.
    const bulk: string[] = [];
    const acceptStarted = performance.now();
    for (let start = 0; start < A_MESSAGES; start += 100_000) {
      const { campaignId } = await send(a.apiKey, {
        type: "sms",
        text: "A사 대량 안내",
        recipients: Array.from({ length: Math.min(100_000, A_MESSAGES - start) }, (_, k) => {
          const i = start + k;
          return {
            to: `010-${String(6000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
          };
        }),
      });
      bulk.push(campaignId);
    }
    const acceptMs = performance.now() - acceptStarted;

    const seen: number[] = [];
    const campaigns: string[] = [];
    const one = async (i: number) => {
      const started = performance.now();
      const { campaignId } = await send(b.apiKey, {
        type: "sms",
        text: `B사 인증번호 ${100000 + i}`,
        recipients: [{ to: `010-9${String(i).padStart(3, "0")}-0000` }],
      });
      campaigns.push(campaignId);
      for (;;) {
        const c = await request<Campaign>(`${server.url}/v1/campaigns/${campaignId}`, b.apiKey);
        if (c.status === "completed") break;
        await sleep(20);
      }
      seen.push(performance.now() - started);
    };
    const sends: Promise<void>[] = [];
    for (let i = 0; i < B_SAMPLES; i++) {
      sends.push(one(i));
      await sleep(B_EVERY_MS);
    }
    await Promise.all(sends);

    const toVendor: number[] = [];
    const toDelivered: number[] = [];
    const toCompleted: number[] = [];
    for (const id of campaigns) {
      const c = await request<Campaign>(`${server.url}/v1/campaigns/${id}`, b.apiKey);
      const { data } = await request<{ data: Message[] }>(
        `${server.url}/v1/campaigns/${id}/messages`,
        b.apiKey,
      );
      const m = data[0]!;
      toVendor.push(ms(c.createdAt, m.sentAt));
      toDelivered.push(ms(c.createdAt, m.deliveredAt));
      toCompleted.push(ms(c.createdAt, c.completedAt));
    }
    let left = 0;
    for (const id of bulk) {
      const c = await request<Campaign>(`${server.url}/v1/campaigns/${id}`, a.apiKey);
      left += (c.counts.queued ?? 0) + (c.counts.sending ?? 0);
    }
    console.log(
      [
        `${engine}, ${roles.join(" + ")} (the real server process), sandbox delay ${SANDBOX_DELAY_MS} ms:`,
        `  tenant A: ${fmt(A_MESSAGES)} SMS accepted in ${fmt(acceptMs / 1000, 1)} s; ${fmt(left)} still queued or sending when B's last campaign completed`,
        `  tenant B: ${campaigns.length} single SMS, one every ${B_EVERY_MS} ms`,
        line("accepted → vendor acceptance recorded", toVendor, 250),
        line("accepted → delivered (vendor time)", toDelivered),
        line("accepted → campaign completed", toCompleted, 1000),
        line("POST → completed seen (client)", seen),
      ].join("\n"),
    );
  } finally {
    await server.stop();
  }
}

if (!process.env.BENCH_SKIP_PGLITE && ROLES.length === 1) await run("pglite", ["all"]);
if (process.env.DATABASE_URL) await run("postgres", ROLES);
