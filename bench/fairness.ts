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

import { probeLines, startProbe } from "./probe.ts";
import { type Engine, type Role, request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const A_MESSAGES = Number(process.env.BENCH_A_MESSAGES ?? 200_000);
const B_EVERY_MS = 100;
const B_SAMPLES = Number(process.env.BENCH_B_SAMPLES ?? 150);
const SANDBOX_DELAY_MS = Number(process.env.BENCH_SANDBOX_DELAY_MS ?? 50);
const ROLES = (process.env.BENCH_ROLES?.split(",") ?? ["all"]) as Role[];

interface Campaign {
  counts: Record<string, number>;
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

    const probe = startProbe({
      url: server.url,
      key: b.apiKey,
      everyMs: B_EVERY_MS,
      samples: B_SAMPLES,
    });
    await probe.done;
    const result = await probe.stop();
    let left = 0;
    for (const id of bulk) {
      const c = await request<Campaign>(`${server.url}/v1/campaigns/${id}`, a.apiKey);
      left += (c.counts.queued ?? 0) + (c.counts.sending ?? 0);
    }
    console.log(
      [
        `${engine}, ${roles.join(" + ")} (the real server process), sandbox delay ${SANDBOX_DELAY_MS} ms:`,
        `  tenant A: ${fmt(A_MESSAGES)} SMS accepted in ${fmt(acceptMs / 1000, 1)} s; ${fmt(left)} still queued or sending when B's last campaign completed`,
        `  tenant B: ${result.sends} single SMS, one every ${B_EVERY_MS} ms`,
        ...probeLines(result),
      ].join("\n"),
    );
  } finally {
    await server.stop();
  }
}

if (!process.env.BENCH_SKIP_PGLITE && ROLES.length === 1) await run("pglite", ["all"]);
if (process.env.DATABASE_URL) await run("postgres", ROLES);
