import { describe, expect, it } from "vitest";
import { operationIdOf } from "./operation-id.ts";

describe("operationIdOf", () => {
  it.each([
    ["GET", "/v1/campaigns", "listCampaigns"],
    ["GET", "/v1/campaigns/:id", "getCampaign"],
    ["GET", "/v1/campaigns/:id/messages", "listCampaignMessages"],
    ["POST", "/v1/campaigns", "createCampaign"],
    ["POST", "/v1/campaigns/:id/launch", "launchCampaign"],
    ["POST", "/v1/kakao-channels/:id/verify", "verifyKakaoChannel"],
    ["POST", "/v1/vendor-accounts/:id/test", "testVendorAccount"],
    ["PATCH", "/v1/vendor-accounts/:id", "updateVendorAccount"],
    ["DELETE", "/v1/api-keys/:id", "deleteApiKey"],
    ["GET", "/v1/templates/:code", "getTemplate"],
    ["POST", "/v1/api-keys", "createApiKey"],
    ["POST", "/v1/messages", "sendMessages"],
  ])("%s %s is %s", (method, url, id) => {
    expect(operationIdOf(method, url)).toBe(id);
  });
});
