// Routing is cached for a long while, yet a change made through one process
// reaches another at once: the change NOTIFYs, every process's directory forgets.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestDatabaseUrl } from "../../../test/db.ts";
import { testTransports } from "../../../test/support/vendor-calls.ts";
import { openPostgres } from "../../db/client.ts";
import { createSecretBox } from "../../lib/secret-box.ts";
import { createWakeBus } from "../../workers/wake.ts";
import { createOrg, ensurePlatform } from "../orgs/service.ts";
import { setRouting } from "../routing/service.ts";
import { insertVendorAccount } from "./queries.ts";
import { createVendorDirectory, ensurePlatformSandbox, type RouteAnswer } from "./service.ts";

const primaryOf = (answer: RouteAnswer) => (answer.ok ? answer.route.primary.id : answer.reason);

describe("routing cache invalidation across processes (PostgreSQL)", () => {
  it("a routing change in one process is seen by another's cached directory at once", async () => {
    const url = await createTestDatabaseUrl();
    const box = createSecretBox(randomBytes(32));
    // Two "processes": each its own pool, wake bus and directory.
    const [a, b] = [openPostgres({ url }), openPostgres({ url })];
    try {
      await ensurePlatform(a);
      const sandboxId = await ensurePlatformSandbox(a, box);
      const { org } = await createOrg(a, { name: "Shop" });
      const other = await insertVendorAccount(a, {
        id: "vac_other",
        orgId: org.id,
        vendor: "sandbox",
        name: "Other",
        settings: {},
        credentialsEnc: box.seal(JSON.stringify({ apiKey: "k" })),
        webhookSecretEnc: box.seal("s"),
      });
      const busA = await createWakeBus(a);
      const busB = await createWakeBus(b);
      const directoryB = createVendorDirectory({
        db: b,
        box,
        publicUrl: () => "http://x",
        transports: testTransports,
        ttlMs: 3_600_000,
      });
      busB.on("config", () => directoryB.invalidate());

      expect(primaryOf(await directoryB.routeFor(org.id, "sms"))).toBe(sandboxId);
      await setRouting(a, {
        org,
        input: { sms: { primary: other.id } },
        actor: { orgId: org.id, keyId: null },
        onChanged: () => busA.wake("config"),
      });
      const deadline = Date.now() + 2_000;
      let seen = "";
      while (Date.now() < deadline && seen !== other.id) {
        seen = primaryOf(await directoryB.routeFor(org.id, "sms"));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(seen).toBe(other.id);
      await busA.close();
      await busB.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
