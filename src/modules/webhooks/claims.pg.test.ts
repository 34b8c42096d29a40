// Two deliverers on one PostgreSQL never take one delivery at once: each
// round claims with FOR UPDATE SKIP LOCKED under a lease, so every event
// reaches the receiver exactly once when nothing fails, however the rounds
// interleave.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createSendingOrg } from "../../../test/app.ts";
import { createTestDb } from "../../../test/db.ts";
import { allowedHosts } from "../../../test/support/vendor-calls.ts";
import { createEgress } from "../../lib/egress.ts";
import { createSecretBox } from "../../lib/secret-box.ts";
import { deliverDue } from "./index.ts";

describe("webhook claims on postgres", async () => {
  const db = await createTestDb();
  const box = createSecretBox(randomBytes(32));
  const seen: string[] = [];
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push(req.headers["webhook-id"] as string);
      // A little slower than instant, so that rounds overlap.
      setTimeout(() => res.writeHead(200).end(), 2);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const port = (receiver.address() as AddressInfo).port;

  it("delivers each of 600 events once with two deliverers racing", async () => {
    const shop = await createSendingOrg(db);
    await db.query(
      `insert into webhook_endpoints (id, org_id, url, events, secret_enc)
       values ('whe_race', $1, $2, '["*"]', $3)`,
      [
        shop.orgId,
        `http://127.0.0.1:${port}/hooks`,
        box.seal(`whsec_${randomBytes(32).toString("base64")}`),
      ],
    );
    await db.query(
      `select webhook_emit($1, 'import.completed', jsonb_build_object('n', n))
       from generate_series(1, 600) as n`,
      [shop.orgId],
    );
    const deps = {
      db,
      box,
      egress: createEgress({ allowedHosts: allowedHosts("127.0.0.1"), allowHint: "allow it" }),
      claimSize: 50,
      concurrency: 8,
    };
    const worker = async () => {
      for (;;) {
        const round = await deliverDue(deps, { now: () => new Date(), leaseMs: 60_000 });
        if (round.claimed === 0) return;
      }
    };
    await Promise.all([worker(), worker()]);
    expect(seen).toHaveLength(600);
    expect(new Set(seen).size).toBe(600);
    const r = await db.query<{ status: string; attempts: number; n: number }>(
      `select status, attempts, count(*)::int as n from webhook_deliveries
       where endpoint_id = 'whe_race' group by status, attempts`,
    );
    expect(r.rows).toEqual([{ status: "delivered", attempts: 1, n: 600 }]);
  });
});
