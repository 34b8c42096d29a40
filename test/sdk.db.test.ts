// The SDK's types are generated from the routes: the committed sdk/schema.ts
// must be what the routes say now (regenerate with npm run sdk:generate), and
// the client must reach a real server with them.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { openApiDocument, renderSchema, SCHEMA_FILE } from "../sdk/generate.ts";
import { createAlimiClient } from "../sdk/index.ts";
import { createSendingOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline } from "./pipeline.ts";

describe(`the TypeScript SDK on ${engine}`, async () => {
  it("is generated from the routes as they are now", async () => {
    const committed = await readFile(SCHEMA_FILE, "utf8");
    expect(
      committed === (await renderSchema(await openApiDocument())),
      "run npm run sdk:generate",
    ).toBe(true);
  }, 60_000);

  it("sends and reads a campaign against a real server", async () => {
    const pipeline = await startPipeline({ delayMs: 0 });
    const shop = await createSendingOrg(pipeline.db, { credits: 100 });
    const alimi = createAlimiClient({ baseUrl: pipeline.url, apiKey: shop.apiKey });
    const sent = await alimi.POST("/v1/messages", {
      body: { type: "sms", text: "SDK 안내", recipients: [{ to: "010-1234-5678" }] },
    });
    expect(sent.error).toBeUndefined();
    expect(sent.data).toMatchObject({ status: "queued", accepted: 1, cost: { held: "15.00" } });
    const campaign = await alimi.GET("/v1/campaigns/{id}", {
      params: { path: { id: sent.data!.campaignId } },
    });
    expect(campaign.data?.counts.total).toBe(1);
    const refused = await alimi.POST("/v1/messages", {
      body: { type: "sms", text: "x", recipients: [{ to: "nope" }] },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.error?.error.code).toBe("VALIDATION_FAILED");
  });
});
