// A revoked key is refused at once by every process: two API servers on one
// PostgreSQL, the key used (and so known) by both, revoked through one; the
// other refuses its very next request.
import { afterAll, describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { createTestDatabaseUrl } from "../../../test/db.ts";
import { openPostgres } from "../../db/client.ts";
import { revokeApiKey } from "./index.ts";

describe("API key revocation across processes (PostgreSQL)", async () => {
  const url = await createTestDatabaseUrl();
  const [dbA, dbB] = [openPostgres({ url }), openPostgres({ url })];
  // Registered first, so it runs after the apps (and their wake buses) have closed.
  afterAll(() => Promise.all([dbA.close(), dbB.close()]));
  const a = await createTestApp({ db: dbA });
  const b = await createTestApp({ db: dbB });
  const shop = await createSendingOrg(dbA, { credits: 10 });

  it("revoked through one server, the key is refused by the other's next request", async () => {
    for (const { app } of [a, b]) {
      const res = await app.inject({ method: "GET", url: "/v1/credits", headers: shop.auth });
      expect(res.statusCode).toBe(200);
    }
    const key = await dbA.query<{ id: string }>("select id from api_keys where org_id = $1", [
      shop.orgId,
    ]);
    const keyId = key.rows[0]?.id ?? "";
    expect(await revokeApiKey(dbA, { orgId: shop.orgId, keyId })).toBe(true);

    for (const { app } of [b, a]) {
      const res = await app.inject({ method: "GET", url: "/v1/credits", headers: shop.auth });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ code: "UNAUTHORIZED" });
    }
    expect(await revokeApiKey(dbB, { orgId: shop.orgId, keyId })).toBe(false);
  });
});
