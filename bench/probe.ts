// Another tenant's single sends while a bulk load runs: one SMS every
// `everyMs`, each waited on until its campaign completes, then measured from
// the server's own timestamps (bench:fairness, bench:million).
import { percentile, request } from "./server.ts";
import { fmt } from "./support.ts";

interface Campaign {
  createdAt: string;
  completedAt: string | null;
  status: string;
}
interface Message {
  sentAt: string | null;
  deliveredAt: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (from: string, to: string | null) =>
  to === null ? Number.NaN : Date.parse(to) - Date.parse(from);

export interface ProbeResult {
  sends: number;
  toVendor: number[];
  toDelivered: number[];
  toCompleted: number[];
  /** POST → completed, as the client saw it. */
  seen: number[];
}

/** Sends until `samples` were sent or stop() is called; stop() resolves once all completed. */
export function startProbe(options: {
  url: string;
  key: string;
  everyMs: number;
  samples?: number;
}): { stop(): Promise<ProbeResult>; done: Promise<void> } {
  const { url, key } = options;
  const campaigns: string[] = [];
  const seen: number[] = [];
  const sends: Promise<void>[] = [];
  let stopped = false;
  const one = async (i: number) => {
    const started = performance.now();
    const { campaignId } = await request<{ campaignId: string }>(`${url}/v1/messages`, key, {
      body: {
        type: "sms",
        text: `B사 인증번호 ${100000 + i}`,
        recipients: [
          {
            to: `010-9${String(i % 1000).padStart(3, "0")}-${String(Math.floor(i / 1000)).padStart(4, "0")}`,
          },
        ],
      },
    });
    campaigns.push(campaignId);
    for (;;) {
      const c = await request<Campaign>(`${url}/v1/campaigns/${campaignId}`, key);
      if (c.status === "completed") break;
      await sleep(20);
    }
    seen.push(performance.now() - started);
  };
  const done = (async () => {
    for (let i = 0; !stopped && i < (options.samples ?? Number.POSITIVE_INFINITY); i++) {
      sends.push(one(i));
      await sleep(options.everyMs);
    }
  })();
  return {
    done,
    async stop() {
      stopped = true;
      await done;
      await Promise.all(sends);
      const result: ProbeResult = {
        sends: campaigns.length,
        toVendor: [],
        toDelivered: [],
        toCompleted: [],
        seen,
      };
      // Read back 16 at a time: a long run leaves thousands to read.
      for (let start = 0; start < campaigns.length; start += 16) {
        const batch = campaigns.slice(start, start + 16);
        const read = await Promise.all(
          batch.map(async (id) => ({
            c: await request<Campaign>(`${url}/v1/campaigns/${id}`, key),
            m: (await request<{ data: Message[] }>(`${url}/v1/campaigns/${id}/messages`, key))
              .data[0]!,
          })),
        );
        for (const { c, m } of read) {
          result.toVendor.push(ms(c.createdAt, m.sentAt));
          result.toDelivered.push(ms(c.createdAt, m.deliveredAt));
          result.toCompleted.push(ms(c.createdAt, c.completedAt));
        }
      }
      return result;
    },
  };
}

/** One figure's p50/p99/max, with its goal's verdict. */
export function line(label: string, values: number[], goal?: number) {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((x, y) => x - y);
  const p99 = percentile(sorted, 99);
  const verdict =
    goal === undefined ? "" : `   goal p99 ≤ ${fmt(goal)} ms: ${p99 <= goal ? "met" : "MISSED"}`;
  return `  ${label.padEnd(38)} p50 ${fmt(percentile(sorted, 50)).padStart(6)} ms   p99 ${fmt(p99).padStart(6)} ms   max ${fmt(sorted.at(-1) ?? Number.NaN).padStart(6)} ms${verdict}`;
}

/** The probe's figures, with the fairness goals. */
export function probeLines(r: ProbeResult): string[] {
  return [
    line("accepted → vendor acceptance recorded", r.toVendor, 250),
    line("accepted → delivered (vendor time)", r.toDelivered),
    line("accepted → campaign completed", r.toCompleted, 1000),
    line("POST → completed seen (client)", r.seen),
  ];
}
