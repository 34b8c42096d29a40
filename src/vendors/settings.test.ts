// Every vendor's settings go through its one TypeBox schema: defaults filled
// in, a value of the wrong type named by its path (not silently replaced).
import { describe, expect, it } from "vitest";
import { testTransport } from "../../test/support/vendor-calls.ts";
import { configOf as aligoConfig } from "./aligo/settings.ts";
import { configOf as nhnConfig } from "./nhn/settings.ts";
import { settingsOf as sandboxSettings } from "./sandbox/settings.ts";
import { parseSettings } from "./settings.ts";
import { SolapiSettingsSchema, configOf as solapiConfig } from "./solapi/settings.ts";

describe("parseSettings", () => {
  it("fills defaults and keeps what the account set", () => {
    expect(parseSettings("SOLAPI", SolapiSettingsSchema, { pfId: "KA01PF1" })).toEqual({
      ok: true,
      settings: {
        baseUrl: "https://api.solapi.com",
        timeoutMs: 10_000,
        pfId: "KA01PF1",
        templateIds: {},
        allowDuplicates: true,
        sendReplacements: true,
        pollPageSize: 100,
      },
    });
  });

  it("names the first problem by its path", () => {
    expect(parseSettings("SOLAPI", SolapiSettingsSchema, { templateIds: { A: "" } })).toMatchObject(
      {
        ok: false,
        error: { code: "UNKNOWN", rawCode: "settings.templateIds.A" },
      },
    );
  });
});

describe("each vendor refuses a wrong type where it used to fall back to a default", () => {
  const solapi = { apiKey: "k", apiSecret: "s" };
  const transport = testTransport;
  it.each<[string, () => { ok: boolean; error?: { rawCode: string } }, string]>([
    [
      "SOLAPI timeoutMs",
      () => solapiConfig({ settings: { timeoutMs: "10s" }, credentials: solapi, transport }),
      "settings.timeoutMs",
    ],
    [
      "SOLAPI allowDuplicates",
      () => solapiConfig({ settings: { allowDuplicates: "no" }, credentials: solapi, transport }),
      "settings.allowDuplicates",
    ],
    [
      "sandbox timeoutMs",
      () => sandboxSettings({ settings: { baseUrl: "http://x", timeoutMs: -1 } }),
      "settings.timeoutMs",
    ],
    [
      "Aligo kakaoUseToken",
      () =>
        aligoConfig({
          settings: { kakaoUseToken: "yes" },
          credentials: { apiKey: "k", userId: "u" },
        }),
      "settings.kakaoUseToken",
    ],
  ])("%s", (_name, read, rawCode) => {
    expect(read()).toMatchObject({ ok: false, error: { rawCode } });
  });

  it("NHN: neither product can send with settings of the wrong type", () => {
    const config = nhnConfig({ settings: { timeoutMs: "slow" }, credentials: {}, transport });
    expect(config.sms).toMatch(/settings\.timeoutMs/);
    expect(config.alimtalk).toMatch(/settings\.timeoutMs/);
  });
});
