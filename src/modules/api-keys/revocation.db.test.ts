// A revoked key is refused by the next request, however recently it was used;
// a key of another organization cannot be revoked through this one.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { revokeApiKey } from "./index.ts";

describe(`API key revocation on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 10, name: "Shop" });
  const other = await createSendingOrg(db, { credits: 10, name: "Other" });
  const keyOf = async (orgId: string) =>
    (await db.query<{ id: string }>("select id from api_keys where org_id = $1", [orgId])).rows[0]
      ?.id ?? "";
  const credits = (auth: { authorization: string }) =>
    app.inject({ method: "GET", url: "/v1/credits", headers: auth });

  it("the request right after the revocation is refused", async () => {
    for (let i = 0; i < 3; i++) expect((await credits(shop.auth)).statusCode).toBe(200);
    expect(await revokeApiKey(db, { orgId: shop.orgId, keyId: await keyOf(shop.orgId) })).toBe(
      true,
    );
    expect((await credits(shop.auth)).statusCode).toBe(401);
  });

  it("another organization's key is not revoked through this one", async () => {
    expect(await revokeApiKey(db, { orgId: shop.orgId, keyId: await keyOf(other.orgId) })).toBe(
      false,
    );
    expect((await credits(other.auth)).statusCode).toBe(200);
  });
});
