// Deliveries of unknown reports for one account, all at once on a real
// server: together they park no more than the account's limit.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestDb } from "../../../test/db.ts";
import { createSecretBox } from "../../lib/secret-box.ts";
import type { DeliveryReport } from "../../vendors/vendor.ts";
import { ensurePlatform } from "../orgs/service.ts";
import { ensurePlatformSandbox } from "../vendor-accounts/service.ts";
import { ingestReports } from "./service.ts";

describe("the parking limit under concurrency (PostgreSQL)", async () => {
  const db = await createTestDb({ poolSize: 10 });
  await ensurePlatform(db);
  const account = await ensurePlatformSandbox(db, createSecretBox(randomBytes(32)));
  const report = (vid: string): DeliveryReport => ({
    vendorMessageId: vid,
    messageId: null,
    status: "delivered",
    type: "sms",
    fallbackOf: null,
    error: null,
    at: new Date(),
    raw: null,
  });

  it("8 concurrent deliveries of 5 unknown reports each park 10 in all, the rest counted", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, d) =>
        ingestReports(db, {
          vendorAccountId: account,
          source: "webhook",
          reports: Array.from({ length: 5 }, (_, i) => report(`d${d}-${i}`)),
          now: new Date(),
          parking: { windowMs: 600_000, limit: 10 },
        }),
      ),
    );
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(10);
    expect(results.reduce((n, r) => n + r.dropped, 0)).toBe(30);
    const parked = await db.query<{ n: number }>(
      "select count(*)::int as n from delivery_reports where applied_at is null",
    );
    expect(parked.rows[0]?.n).toBe(10);
    const drops = await db.query<{ count: bigint }>(
      "select count from report_drops where vendor_account_id = $1 and reason = 'over_limit'",
      [account],
    );
    expect(drops.rows[0]?.count).toBe(30n);
  });
});
