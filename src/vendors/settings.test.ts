// Every vendor's settings go through its one TypeBox schema: defaults filled
// in, a value of the wrong type named by its path (not silently replaced);
// and the settings that decide where calls go and how long they wait are
// checked against the installation's transport before an account is saved.
import { describe, expect, it } from "vitest";
import { testTransport } from "../../test/support/vendor-calls.ts";
import { createEgress } from "../lib/egress.ts";
import { parseAllowedHosts } from "../lib/egress-rules.ts";
import { configOf as aligoConfig } from "./aligo/settings.ts";
import { configOf as nhnConfig } from "./nhn/settings.ts";
import { SETTINGS_SCHEMAS } from "./registry.ts";
import { settingsOf as sandboxSettings } from "./sandbox/settings.ts";
import { checkCallSettings, parseSettings, urlSettingsOf } from "./settings.ts";
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

describe("checkCallSettings", () => {
  const allowed = parseAllowedHosts("staging.vendor.example");
  if (!allowed.ok) throw new Error("allowed hosts");
  const transport = {
    egress: createEgress({
      allowedHosts: allowed.hosts,
      allowHint: "add it to ALIMI_VENDOR_ALLOWED_HOSTS",
      resolve: async (name: string) =>
        name === "internal.vendor.example" ? [{ address: "10.1.2.3", family: 4 }] : [],
    }),
    maxTimeoutMs: 5_000,
  };

  it("knows every vendor's URL settings", () => {
    expect(
      Object.fromEntries(Object.entries(SETTINGS_SCHEMAS).map(([v, s]) => [v, urlSettingsOf(s)])),
    ).toEqual({
      sandbox: ["baseUrl"],
      solapi: ["baseUrl"],
      nhn: ["smsBaseUrl", "alimtalkBaseUrl"],
      aligo: ["smsBaseUrl", "kakaoBaseUrl"],
    });
  });

  it("names each URL the guard refuses and a timeout over the maximum", async () => {
    expect(
      await checkCallSettings(
        SETTINGS_SCHEMAS.nhn,
        {
          smsBaseUrl: "http://169.254.169.254/latest",
          alimtalkBaseUrl: "https://internal.vendor.example",
          timeoutMs: 4_294_967_295,
        },
        transport,
      ),
    ).toEqual([
      {
        setting: "smsBaseUrl",
        code: "URL_NOT_ALLOWED",
        message:
          "settings.smsBaseUrl (http://169.254.169.254) uses http, and only https may be called unless its host is allowed (add it to ALIMI_VENDOR_ALLOWED_HOSTS)",
      },
      {
        setting: "alimtalkBaseUrl",
        code: "URL_NOT_ALLOWED",
        message:
          "settings.alimtalkBaseUrl (https://internal.vendor.example) resolves to a private address, which may not be called unless its host is allowed (add it to ALIMI_VENDOR_ALLOWED_HOSTS)",
      },
      {
        setting: "timeoutMs",
        code: "TIMEOUT_TOO_LONG",
        message:
          "settings.timeoutMs may be at most 5000 ms on this server (ALIMI_VENDOR_TIMEOUT_MAX), not 4294967295",
      },
    ]);
  });

  it("passes the vendors' own hosts, allowed hosts, timeouts within the maximum, and no settings", async () => {
    expect(
      await checkCallSettings(
        SETTINGS_SCHEMAS.aligo,
        { smsBaseUrl: "http://staging.vendor.example:8080", timeoutMs: 5_000 },
        transport,
      ),
    ).toEqual([]);
    expect(await checkCallSettings(SETTINGS_SCHEMAS.solapi, {}, transport)).toEqual([]);
    expect(
      await checkCallSettings(
        SETTINGS_SCHEMAS.sandbox,
        { baseUrl: "file:///etc/passwd" },
        transport,
      ),
    ).toMatchObject([{ setting: "baseUrl", code: "URL_NOT_ALLOWED" }]);
  });
});
