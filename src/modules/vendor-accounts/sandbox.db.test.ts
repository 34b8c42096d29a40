// The sandbox's customers are Alimi's sandbox accounts: an issued key
// authenticates its own account and nothing else; reports go to this
// server's webhook for the account, signed with the account's secret; keys
// from before keys were checked are replaced at start.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestDb, engine } from "../../../test/db.ts";
import { newId } from "../../lib/ids.ts";
import { createSecretBox } from "../../lib/secret-box.ts";
import { ensurePlatform } from "../orgs/service.ts";
import { deleteVendorAccount, findVendorAccount, insertVendorAccount } from "./queries.ts";
import {
  issueSandboxCredentials,
  sandboxAccountsOf,
  upgradeSandboxCredentials,
} from "./sandbox.ts";
import { ensurePlatformSandbox } from "./service.ts";

describe(`sandbox accounts as the sandbox's customers on ${engine}`, async () => {
  const db = await createTestDb();
  const box = createSecretBox(randomBytes(32));
  const platform = await ensurePlatform(db);
  const platformSandbox = await ensurePlatformSandbox(db, box);
  const accounts = sandboxAccountsOf({
    db,
    box,
    publicUrl: () => "https://alimi.example.com",
    cacheMs: 0,
  });
  const keyOf = async (id: string) => {
    const row = await findVendorAccount(db, id);
    return (JSON.parse(box.open(row!.credentialsEnc)) as { apiKey: string }).apiKey;
  };
  const insert = async (vendor: "sandbox" | "solapi", credentials: Record<string, string>) => {
    const id = newId("vac");
    await insertVendorAccount(db, {
      id,
      orgId: platform.id,
      vendor,
      name: vendor,
      settings: {},
      credentialsEnc: box.seal(JSON.stringify(credentials)),
      webhookSecretEnc: box.seal(`whsec_${id}`),
    });
    return id;
  };

  it("gives the platform's sandbox an issued key, which authenticates that account", async () => {
    const key = await keyOf(platformSandbox);
    expect(key).toMatch(new RegExp(`^sbk_${platformSandbox}\\.[\\w-]{43}$`));
    expect(await accounts.authenticate(key)).toBe(platformSandbox);
  });

  it("authenticates an issued key only for its own account", async () => {
    const own = await insert("sandbox", {});
    const { apiKey } = issueSandboxCredentials(own);
    await db.query("update vendor_accounts set credentials_enc = $2 where id = $1", [
      own,
      box.seal(JSON.stringify({ apiKey })),
    ]);
    expect(await accounts.authenticate(apiKey)).toBe(own);
    // Another secret under the same id; another account's id with this secret.
    const [, secret] = apiKey.split(".");
    expect(await accounts.authenticate(issueSandboxCredentials(own).apiKey)).toBeNull();
    expect(await accounts.authenticate(`sbk_${platformSandbox}.${secret}`)).toBeNull();
    for (const malformed of ["", apiKey.slice(0, -1), `${apiKey}x`, apiKey.replace("sbk_", "")]) {
      expect(await accounts.authenticate(malformed)).toBeNull();
    }
    // A key shaped like a sandbox key, stored on another vendor's account.
    const solapi = await insert("solapi", {});
    const solapiKey = issueSandboxCredentials(solapi).apiKey;
    await db.query("update vendor_accounts set credentials_enc = $2 where id = $1", [
      solapi,
      box.seal(JSON.stringify({ apiKey: solapiKey })),
    ]);
    expect(await accounts.authenticate(solapiKey)).toBeNull();
    expect(await accounts.reportTarget(solapi)).toBeNull();
    // Deleted: its key is worth nothing, and its reports have nowhere to go.
    await deleteVendorAccount(db, own);
    expect(await accounts.authenticate(apiKey)).toBeNull();
    expect(await accounts.reportTarget(own)).toBeNull();
  });

  it("keeps an account a few seconds at most: a deleted one stops authenticating then", async () => {
    const cached = sandboxAccountsOf({ db, box, publicUrl: () => "", cacheMs: 200 });
    const id = newId("vac");
    const { apiKey } = issueSandboxCredentials(id);
    await insertVendorAccount(db, {
      id,
      orgId: platform.id,
      vendor: "sandbox",
      name: "short-lived",
      settings: {},
      credentialsEnc: box.seal(JSON.stringify({ apiKey })),
      webhookSecretEnc: box.seal("whsec"),
    });
    expect(await cached.authenticate(apiKey)).toBe(id);
    await deleteVendorAccount(db, id);
    await expect.poll(() => cached.authenticate(apiKey), { timeout: 2_000 }).toBeNull();
    expect(await cached.reportTarget(id)).toBeNull();
  });

  it("sends an account's reports to this server's webhook for it, signed with its secret", async () => {
    const id = await insert("sandbox", issueSandboxCredentials("x"));
    expect(await accounts.reportTarget(id)).toEqual({
      url: `https://alimi.example.com/webhooks/vendors/${id}`,
      secret: `whsec_${id}`,
    });
  });

  it("replaces the keys of sandbox accounts made before keys were checked, once", async () => {
    const legacy = await insert("sandbox", { apiKey: "anything-went-then" });
    const before = (await findVendorAccount(db, legacy))!.version;
    const solapi = await insert("solapi", { apiKey: "NCS", apiSecret: "secret" });
    expect(await upgradeSandboxCredentials(db, box)).toBeGreaterThanOrEqual(1);
    const key = await keyOf(legacy);
    expect(key).toMatch(new RegExp(`^sbk_${legacy}\\.`));
    expect(await accounts.authenticate(key)).toBe(legacy);
    expect((await findVendorAccount(db, legacy))!.version).toBe(before + 1);
    expect(await accounts.authenticate("anything-went-then")).toBeNull();
    // Other vendors' credentials are theirs; issued keys stay as they are.
    expect(JSON.parse(box.open((await findVendorAccount(db, solapi))!.credentialsEnc))).toEqual({
      apiKey: "NCS",
      apiSecret: "secret",
    });
    const platformKey = await keyOf(platformSandbox);
    expect(await upgradeSandboxCredentials(db, box)).toBe(0);
    expect(await keyOf(platformSandbox)).toBe(platformKey);
  });
});
