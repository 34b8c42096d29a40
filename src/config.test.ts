import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

/** Runs loadConfig and returns the ConfigError it throws (fails if it does not throw one). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const KEY_BYTES = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1));

describe("loadConfig", () => {
  it("defaults to embedded PGlite in ./.alimi, port 3000, polls after 2m, expiry after 72h, 200 ms sandbox delay", () => {
    const config = loadConfig({});
    const dataDir = path.resolve(".alimi");
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(config).toEqual({
      database: { kind: "pglite", dataDir: path.join(dataDir, "pgdata") },
      dataDir,
      port: 3000,
      host: "127.0.0.1",
      publicUrl: null,
      linkBaseUrl: null,
      secretKey: null,
      sandbox: true,
      sandboxDelayMs: 200,
      pollAfterMs: 120_000,
      expireAfterMs: 259_200_000,
      leaseMs: 60_000,
      schedulerIntervalMs: 15_000,
      testClock: false,
      vendorAllowedHosts: [],
      vendorTimeoutMaxMs: 10_000,
      vendorConcurrency: 8,
      webhooks: { allowedHosts: [], allowHttp: false },
      reportParking: { windowMs: 600_000, limit: 10_000 },
      logLevel: "info",
      http: {
        rateLimitPerIp: 120,
        rateLimitPerCaller: 50,
        corsOrigins: [],
        trustProxy: false,
        requestTimeoutMs: 60_000,
        connectionTimeoutMs: 120_000,
        metricsToken: null,
      },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads ALIMI_LINK_BASE_URL as a base without a trailing slash, and refuses one with a query", () => {
    expect(loadConfig({ ALIMI_LINK_BASE_URL: "https://a.kr/" }).linkBaseUrl).toBe("https://a.kr");
    expect(loadConfig({ ALIMI_LINK_BASE_URL: "https://go.example/x/" }).linkBaseUrl).toBe(
      "https://go.example/x",
    );
    for (const bad of ["ftp://a.kr", "https://a.kr/?x=1", "https://a.kr/#top", "a.kr"]) {
      expect(configError({ ALIMI_LINK_BASE_URL: bad }).problems.join("\n")).toMatch(
        /ALIMI_LINK_BASE_URL/,
      );
    }
  });

  it("treats empty variables as unset", () => {
    const config = loadConfig({ DATABASE_URL: "", PORT: "", LOG_LEVEL: "" });
    expect(config.database.kind).toBe("pglite");
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe("info");
  });

  it("resolves a relative ALIMI_DATA_DIR to an absolute path", () => {
    const config = loadConfig({ ALIMI_DATA_DIR: "var/alimi" });
    expect(config.dataDir).toBe(path.resolve("var/alimi"));
    expect(config.database).toEqual({
      kind: "pglite",
      dataDir: path.join(path.resolve("var/alimi"), "pgdata"),
    });
  });

  it("switches to PostgreSQL with DATABASE_URL, with its pool size", () => {
    const url = "postgres://alimi:secret@db.internal:5432/alimi";
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({
      kind: "postgres",
      url,
      poolSize: 20,
    });
    expect(
      loadConfig({ DATABASE_URL: "postgresql://db/alimi", ALIMI_DB_POOL_SIZE: "25" }).database,
    ).toEqual({ kind: "postgres", url: "postgresql://db/alimi", poolSize: 25 });
  });

  it("reads the port, host, public URL, sandbox delay, poll and expiry durations and log level", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "0.0.0.0",
      ALIMI_PUBLIC_URL: "https://alimi.example.com",
      ALIMI_SANDBOX_DELAY_MS: "0",
      ALIMI_POLL_AFTER: "30s",
      ALIMI_EXPIRE_AFTER: "1h30m",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      publicUrl: "https://alimi.example.com",
      sandboxDelayMs: 0,
      pollAfterMs: 30_000,
      expireAfterMs: 5_400_000,
      logLevel: "debug",
    });
  });

  it("turns the sandbox vendor off with ALIMI_SANDBOX=false, and refuses other words", () => {
    expect(loadConfig({ ALIMI_SANDBOX: "false" }).sandbox).toBe(false);
    expect(loadConfig({ ALIMI_SANDBOX: "true" }).sandbox).toBe(true);
    const err = configError({ ALIMI_SANDBOX: "off" });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^ALIMI_SANDBOX: /);
  });

  it("reads how long and how many delivery reports about unknown messages may wait", () => {
    const config = loadConfig({
      ALIMI_UNKNOWN_REPORT_WINDOW: "30m",
      ALIMI_UNKNOWN_REPORT_LIMIT: "500",
    });
    expect(config.reportParking).toEqual({ windowMs: 1_800_000, limit: 500 });
    const err = configError({ ALIMI_UNKNOWN_REPORT_WINDOW: "0s", ALIMI_UNKNOWN_REPORT_LIMIT: "0" });
    expect(err.problems.map((p) => p.slice(0, p.indexOf(":"))).sort()).toEqual([
      "ALIMI_UNKNOWN_REPORT_LIMIT",
      "ALIMI_UNKNOWN_REPORT_WINDOW",
    ]);
  });

  it("accepts ALIMI_SECRET_KEY as 64 hex characters and decodes it to 32 bytes", () => {
    for (const hex of [KEY_BYTES.toString("hex"), KEY_BYTES.toString("hex").toUpperCase()]) {
      const key = loadConfig({ ALIMI_SECRET_KEY: hex }).secretKey;
      expect(key).toHaveLength(32);
      expect(key?.equals(KEY_BYTES)).toBe(true);
    }
  });

  it("accepts ALIMI_SECRET_KEY as base64 of 32 bytes and decodes it to those bytes", () => {
    const base64 = KEY_BYTES.toString("base64");
    expect(base64).toHaveLength(44);
    const key = loadConfig({ ALIMI_SECRET_KEY: base64 }).secretKey;
    expect(key).toHaveLength(32);
    expect(key?.equals(KEY_BYTES)).toBe(true);
  });

  it.each([
    ["63 hex characters", KEY_BYTES.toString("hex").slice(1)],
    ["base64 of 16 bytes", KEY_BYTES.subarray(0, 16).toString("base64")],
    ["base64 of 33 bytes", Buffer.concat([KEY_BYTES, Buffer.from([1])]).toString("base64")],
    ["plain text", "correct horse battery staple"],
  ])("rejects ALIMI_SECRET_KEY as %s", (_name, value) => {
    const err = configError({ ALIMI_SECRET_KEY: value });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^ALIMI_SECRET_KEY: /);
  });

  it("reports several bad values at once in one ConfigError", () => {
    const err = configError({
      PORT: "abc",
      ALIMI_POLL_AFTER: "soon",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://x",
    });
    expect(err.name).toBe("ConfigError");
    const named = new Set(err.problems.map((p) => p.slice(0, p.indexOf(":"))));
    expect([...named].sort()).toEqual(["ALIMI_POLL_AFTER", "DATABASE_URL", "LOG_LEVEL", "PORT"]);
    expect(err.problems).toContain(
      'ALIMI_POLL_AFTER: "soon" is not a duration: use whole numbers with units d, h, m, s or ms, largest first, like "1h30m" or "250ms".',
    );
    for (const problem of err.problems) expect(err.message).toContain(`  - ${problem}`);
  });

  it("reports each bad variable once", () => {
    // An operator reading the list should see one line per variable to fix.
    const err = configError({
      PORT: "abc",
      ALIMI_POLL_AFTER: "soon",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://x",
    });
    expect(err.problems.map((p) => p.slice(0, p.indexOf(":"))).sort()).toEqual([
      "ALIMI_POLL_AFTER",
      "DATABASE_URL",
      "LOG_LEVEL",
      "PORT",
    ]);
  });

  it.each([
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "80.5"],
    ["PORT", "true"],
    ["ALIMI_DB_POOL_SIZE", "0"],
    ["ALIMI_SANDBOX_DELAY_MS", "-5"],
    ["ALIMI_PUBLIC_URL", "alimi.example.com"],
    ["ALIMI_POLL_AFTER", "24"],
    ["ALIMI_EXPIRE_AFTER", "3 days"],
    ["ALIMI_SANDBOX_DELAY_MS", "1.5"],
  ])("rejects %s=%s", (name, value) => {
    const err = configError({ [name]: value });
    expect(err.problems.length).toBeGreaterThan(0);
    for (const problem of err.problems) expect(problem.startsWith(`${name}: `)).toBe(true);
  });

  it("refuses ALIMI_RECONCILE_AFTER with a note on what replaced it", () => {
    const err = configError({ ALIMI_RECONCILE_AFTER: "24h" });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(
      /^ALIMI_RECONCILE_AFTER: .*ALIMI_POLL_AFTER.*ALIMI_EXPIRE_AFTER/,
    );
  });

  it("reads the vendor calls' allowed hosts, longest timeout and concurrency", () => {
    expect(
      loadConfig({
        ALIMI_VENDOR_ALLOWED_HOSTS: "staging.vendor.example, 10.0.0.5:8443",
        ALIMI_VENDOR_TIMEOUT_MAX: "5s",
        ALIMI_VENDOR_CONCURRENCY: "2",
      }),
    ).toMatchObject({
      vendorAllowedHosts: [
        { hostname: "staging.vendor.example", port: null },
        { hostname: "10.0.0.5", port: 8443 },
      ],
      vendorTimeoutMaxMs: 5_000,
      vendorConcurrency: 2,
    });
  });

  it("reads where webhook endpoints may be", () => {
    expect(
      loadConfig({
        ALIMI_WEBHOOKS_ALLOWED_HOSTS: "hooks.internal, 127.0.0.1:9000",
        ALIMI_WEBHOOKS_ALLOW_HTTP: "true",
      }).webhooks,
    ).toEqual({
      allowedHosts: [
        { hostname: "hooks.internal", port: null },
        { hostname: "127.0.0.1", port: 9000 },
      ],
      allowHttp: true,
    });
    expect(configError({ ALIMI_WEBHOOKS_ALLOWED_HOSTS: "https://x.example/" }).problems[0]).toMatch(
      /^ALIMI_WEBHOOKS_ALLOWED_HOSTS: /,
    );
  });

  it.each([
    [
      "ALIMI_VENDOR_ALLOWED_HOSTS",
      "ok.example, https://bad.example/",
      /"https:\/\/bad\.example\/"/,
    ],
    ["ALIMI_VENDOR_TIMEOUT_MAX", "10", /is not a duration/],
    ["ALIMI_VENDOR_TIMEOUT_MAX", "0s", /must be longer than 0 and at most 10m/],
    ["ALIMI_VENDOR_TIMEOUT_MAX", "1h", /must be longer than 0 and at most 10m/],
    ["ALIMI_VENDOR_CONCURRENCY", "0", /./],
  ])("rejects %s=%s", (name, value, message) => {
    const err = configError({ [name]: value });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(err.problems[0]).toMatch(message);
  });

  it("refuses a lease too short for the longest vendor call", () => {
    const err = configError({ ALIMI_LEASE: "30s", ALIMI_VENDOR_TIMEOUT_MAX: "20s" });
    expect(err.problems).toEqual([
      "ALIMI_LEASE: must be at least twice ALIMI_VENDOR_TIMEOUT_MAX (20s), so that a claimed batch is still ours when its vendor's answer comes",
    ]);
  });

  it("refuses an expiry that comes before the first poll", () => {
    const err = configError({ ALIMI_POLL_AFTER: "10m", ALIMI_EXPIRE_AFTER: "5m" });
    expect(err.problems).toEqual([
      "ALIMI_EXPIRE_AFTER: must be longer than ALIMI_POLL_AFTER (10m), or nothing is ever polled",
    ]);
  });

  it("reads the HTTP guards: the per-IP limit, trusted proxies, timeouts and the metrics token", () => {
    const config = loadConfig({
      ALIMI_RATE_LIMIT_IP: "30",
      ALIMI_RATE_LIMIT: "200",
      ALIMI_CORS_ORIGINS: "https://console.example.com, http://localhost:5173",
      ALIMI_TRUST_PROXY: "10.0.0.0/8, 192.168.1.1",
      ALIMI_REQUEST_TIMEOUT: "15s",
      ALIMI_CONNECTION_TIMEOUT: "5m",
      ALIMI_METRICS_TOKEN: "a-long-metrics-token",
    });
    expect(config.http).toEqual({
      rateLimitPerIp: 30,
      rateLimitPerCaller: 200,
      corsOrigins: ["https://console.example.com", "http://localhost:5173"],
      trustProxy: ["10.0.0.0/8", "192.168.1.1"],
      requestTimeoutMs: 15_000,
      connectionTimeoutMs: 300_000,
      metricsToken: "a-long-metrics-token",
    });
    expect(loadConfig({ ALIMI_TRUST_PROXY: "true" }).http.trustProxy).toBe(true);
    expect(loadConfig({ ALIMI_TRUST_PROXY: "2" }).http.trustProxy).toBe(2);
    expect(loadConfig({ ALIMI_RATE_LIMIT_IP: "0" }).http.rateLimitPerIp).toBe(0);
    expect(() => loadConfig({ ALIMI_CORS_ORIGINS: "https://a.example/path" })).toThrow(
      /ALIMI_CORS_ORIGINS: "https:\/\/a.example\/path" is not an origin/,
    );
  });

  it("refuses bad HTTP guard values, each by name", () => {
    const err = configError({
      ALIMI_RATE_LIMIT_IP: "-1",
      ALIMI_TRUST_PROXY: "everyone",
      ALIMI_REQUEST_TIMEOUT: "soon",
      ALIMI_METRICS_TOKEN: "short",
    });
    const named = new Set(err.problems.map((p) => p.split(":")[0]));
    expect([...named].sort()).toEqual([
      "ALIMI_METRICS_TOKEN",
      "ALIMI_RATE_LIMIT_IP",
      "ALIMI_REQUEST_TIMEOUT",
      "ALIMI_TRUST_PROXY",
    ]);
  });
});
