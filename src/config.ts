// The only reader of process.env. The environment is validated against one
// schema and every problem is reported at once; the result is frozen and
// passed down explicitly.
import path from "node:path";
import Type, { type Static } from "typebox";
import Value from "typebox/value";
import { parseDuration } from "./domain/duration.ts";
import { type AllowedHost, parseAllowedHosts } from "./lib/egress-rules.ts";

const EnvSchema = Type.Object({
  DATABASE_URL: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: "127.0.0.1" }),
  ALIMI_DATA_DIR: Type.String({ minLength: 1, default: "./.alimi" }),
  ALIMI_SECRET_KEY: Type.Optional(
    Type.String({ pattern: "^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$" }),
  ),
  ALIMI_PUBLIC_URL: Type.Optional(Type.String({ pattern: "^https?://" })),
  // Where tracked links point ({base}/r/{code}); default: the public URL.
  ALIMI_LINK_BASE_URL: Type.Optional(Type.String({ pattern: "^https?://" })),
  ALIMI_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
  // The built-in sandbox vendor: served at /sandbox/v1 and the platform's
  // default vendor unless ALIMI_SANDBOX=false; its report delay.
  ALIMI_SANDBOX: Type.Enum(["true", "false"], { default: "true" }),
  ALIMI_SANDBOX_DELAY_MS: Type.Integer({ minimum: 0, default: 200 }),
  ALIMI_POLL_AFTER: Type.String({ default: "2m" }),
  ALIMI_EXPIRE_AFTER: Type.String({ default: "72h" }),
  // Split into ALIMI_POLL_AFTER and ALIMI_EXPIRE_AFTER; refused with that note
  // rather than ignored, so nobody keeps a setting that no longer does anything.
  ALIMI_RECONCILE_AFTER: Type.Optional(Type.String()),
  ALIMI_LEASE: Type.String({ default: "60s" }),
  ALIMI_SCHEDULER_INTERVAL: Type.String({ default: "15s" }),
  // Tests only: the server's clock can be moved through the admin endpoint.
  ALIMI_TEST_CLOCK: Type.Enum(["true", "false"], { default: "false" }),
  // Vendor calls: where they may go and how long they may take (the egress
  // guard and the dispatcher's bounds on one account's calls).
  ALIMI_VENDOR_ALLOWED_HOSTS: Type.String({ default: "" }),
  ALIMI_VENDOR_TIMEOUT_MAX: Type.String({ default: "10s" }),
  ALIMI_VENDOR_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  // Outbound webhooks: https to public addresses only, unless http is allowed
  // or the host is named here (a receiver on the operator's own network).
  ALIMI_WEBHOOKS_ALLOW_HTTP: Type.Enum(["true", "false"], { default: "false" }),
  ALIMI_WEBHOOKS_ALLOWED_HOSTS: Type.String({ default: "" }),
  // Delivery reports about messages not known yet: how long one waits for its
  // message, and how many one vendor account may have waiting.
  ALIMI_UNKNOWN_REPORT_WINDOW: Type.String({ default: "10m" }),
  ALIMI_UNKNOWN_REPORT_LIMIT: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 10_000 }),
  LOG_LEVEL: Type.Enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
    default: "info",
  }),
  // HTTP hardening: the per-IP limit on failed unauthenticated requests, the
  // proxies whose X-Forwarded-For is believed, timeouts for slow clients, and
  // the token /metrics asks for.
  ALIMI_RATE_LIMIT_IP: Type.Integer({ minimum: 0, default: 120 }),
  // Requests a second per API key and per user (bursts of twice that); 0: none.
  ALIMI_RATE_LIMIT: Type.Integer({ minimum: 0, maximum: 100_000, default: 50 }),
  // Browser origins allowed to call the API cross-origin (the console is same-origin).
  ALIMI_CORS_ORIGINS: Type.String({ default: "" }),
  ALIMI_TRUST_PROXY: Type.Optional(
    Type.String({ pattern: "^(true|false|\\d+|[0-9A-Fa-f.:/]+(\\s*,\\s*[0-9A-Fa-f.:/]+)*)$" }),
  ),
  ALIMI_REQUEST_TIMEOUT: Type.String({ default: "60s" }),
  ALIMI_CONNECTION_TIMEOUT: Type.String({ default: "2m" }),
  ALIMI_METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly database:
    | { readonly kind: "postgres"; readonly url: string; readonly poolSize: number }
    | {
        readonly kind: "pglite";
        readonly dataDir: string;
      };
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string | null;
  /**
   * Where tracked links point: `{linkBaseUrl}/r/{code}`, a short host of its
   * own if there is one (every character of it is in every tracked SMS);
   * null: the public URL.
   */
  readonly linkBaseUrl: string | null;
  /** 32-byte key for AES-256-GCM; null means "generate into the data directory" (embedded only). */
  readonly secretKey: Buffer | null;
  /** The built-in sandbox vendor: off with ALIMI_SANDBOX=false (not served, not routed, no new accounts). */
  readonly sandbox: boolean;
  readonly sandboxDelayMs: number;
  /** A sent message without a final result is first polled this long after it was sent, then with backoff. */
  readonly pollAfterMs: number;
  /** A sent message still without a final result this long after it was sent is expired and released. */
  readonly expireAfterMs: number;
  /** How long a worker owns a claimed batch; past it, the batch goes back to the queue. */
  readonly leaseMs: number;
  /** How often the scheduler looks for due schedules (it is also woken when one changes). */
  readonly schedulerIntervalMs: number;
  /** Tests only: the clock the server and its workers read can be moved (POST /admin/clock). */
  readonly testClock: boolean;
  // Vendor calls.
  /** Hosts a vendor URL override may name whatever their address, over http too. */
  readonly vendorAllowedHosts: readonly AllowedHost[];
  /** The longest any vendor call waits for its answer; account settings may ask for less. */
  readonly vendorTimeoutMaxMs: number;
  /** Vendor calls in flight at once per vendor account, in each worker process. */
  readonly vendorConcurrency: number;
  /** Customers' webhook endpoints: hosts called whatever their address, and whether http is allowed. */
  readonly webhooks: {
    readonly allowedHosts: readonly AllowedHost[];
    readonly allowHttp: boolean;
  };
  /**
   * Delivery reports about messages not known yet: parked for `windowMs` (then
   * dropped and counted), at most `limit` per vendor account (beyond: dropped
   * and counted, the delivery still answered 200).
   */
  readonly reportParking: { readonly windowMs: number; readonly limit: number };
  readonly logLevel: Env["LOG_LEVEL"];
  // HTTP hardening (ALIMI_RATE_LIMIT_IP … ALIMI_METRICS_TOKEN).
  readonly http: HttpConfig;
}

export interface HttpConfig {
  /** Failed unauthenticated requests one IP may make per minute; 0: no limit. */
  readonly rateLimitPerIp: number;
  /** Requests a second per API key and per user, in bursts of twice that; 0: no limit. */
  readonly rateLimitPerCaller: number;
  /** Origins a browser may call the API from (CORS); empty: same origin only. */
  readonly corsOrigins: readonly string[];
  /** Fastify's trustProxy: whose X-Forwarded-For names the client. */
  readonly trustProxy: boolean | number | string[];
  /** How long a client may take to send a whole request (headers and body). */
  readonly requestTimeoutMs: number;
  /** How long a connection may stay silent. */
  readonly connectionTimeoutMs: number;
  /** The bearer token /metrics asks for; null: only the embedded admin token opens it. */
  readonly metricsToken: string | null;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(EnvSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === "") continue;
    // Whole numbers only: "80.5" or "true" for a port is a mistake to report, not to round.
    raw[key] =
      (schema as { type?: string }).type === "integer" && /^\d+$/.test(value)
        ? Number(value)
        : value;
  }
  const value = Value.Default(EnvSchema, raw) as Env;
  const problems = [...Value.Errors(EnvSchema, value)].map(
    (e) => `${e.instancePath.slice(1) || "environment"}: ${e.message}`,
  );
  if (value.ALIMI_RECONCILE_AFTER !== undefined) {
    problems.push(
      "ALIMI_RECONCILE_AFTER: no longer read; it was split into ALIMI_POLL_AFTER (when a sent message without a result is first polled, default 2m) and ALIMI_EXPIRE_AFTER (when it expires, default 72h)",
    );
  }
  const duration = (
    name:
      | "ALIMI_POLL_AFTER"
      | "ALIMI_EXPIRE_AFTER"
      | "ALIMI_LEASE"
      | "ALIMI_SCHEDULER_INTERVAL"
      | "ALIMI_VENDOR_TIMEOUT_MAX"
      | "ALIMI_REQUEST_TIMEOUT"
      | "ALIMI_CONNECTION_TIMEOUT",
  ) => {
    const parsed = parseDuration(value[name]);
    if (!parsed.ok) problems.push(`${name}: ${parsed.message}`);
    return parsed.ok ? parsed.ms : null;
  };
  const pollAfterMs = duration("ALIMI_POLL_AFTER");
  const expireAfterMs = duration("ALIMI_EXPIRE_AFTER");
  const leaseMs = duration("ALIMI_LEASE");
  const schedulerIntervalMs = duration("ALIMI_SCHEDULER_INTERVAL");
  if (schedulerIntervalMs === 0) problems.push("ALIMI_SCHEDULER_INTERVAL: must be longer than 0");
  const requestTimeoutMs = duration("ALIMI_REQUEST_TIMEOUT");
  const connectionTimeoutMs = duration("ALIMI_CONNECTION_TIMEOUT");
  // Delivery reports about messages not known yet: their window and limit.
  const unknownReportWindow = parseDuration(value.ALIMI_UNKNOWN_REPORT_WINDOW);
  if (!unknownReportWindow.ok) {
    problems.push(`ALIMI_UNKNOWN_REPORT_WINDOW: ${unknownReportWindow.message}`);
  } else if (unknownReportWindow.ms === 0) {
    problems.push("ALIMI_UNKNOWN_REPORT_WINDOW: must be longer than 0");
  }
  const reportParking = {
    windowMs: unknownReportWindow.ok ? unknownReportWindow.ms : 0,
    limit: value.ALIMI_UNKNOWN_REPORT_LIMIT,
  };
  if (pollAfterMs !== null && expireAfterMs !== null && pollAfterMs >= expireAfterMs) {
    problems.push(
      `ALIMI_EXPIRE_AFTER: must be longer than ALIMI_POLL_AFTER (${value.ALIMI_POLL_AFTER}), or nothing is ever polled`,
    );
  }
  // Vendor calls.
  let vendorTimeoutMaxMs = duration("ALIMI_VENDOR_TIMEOUT_MAX");
  if (vendorTimeoutMaxMs === 0 || (vendorTimeoutMaxMs ?? 0) > 600_000) {
    problems.push("ALIMI_VENDOR_TIMEOUT_MAX: must be longer than 0 and at most 10m");
    vendorTimeoutMaxMs = null;
  }
  if (vendorTimeoutMaxMs !== null && leaseMs !== null && leaseMs < 2 * vendorTimeoutMaxMs) {
    problems.push(
      `ALIMI_LEASE: must be at least twice ALIMI_VENDOR_TIMEOUT_MAX (${value.ALIMI_VENDOR_TIMEOUT_MAX}), so that a claimed batch is still ours when its vendor's answer comes`,
    );
  }
  const corsOrigins = corsOriginsOf(value.ALIMI_CORS_ORIGINS, problems);
  const linkBaseUrl = linkBaseUrlOf(value.ALIMI_LINK_BASE_URL, problems);
  const allowed = parseAllowedHosts(value.ALIMI_VENDOR_ALLOWED_HOSTS);
  if (!allowed.ok) {
    problems.push(
      `ALIMI_VENDOR_ALLOWED_HOSTS: "${allowed.entry}" is not a host name or IP address, optionally with :port`,
    );
  }
  const webhookHosts = parseAllowedHosts(value.ALIMI_WEBHOOKS_ALLOWED_HOSTS);
  if (!webhookHosts.ok) {
    problems.push(
      `ALIMI_WEBHOOKS_ALLOWED_HOSTS: "${webhookHosts.entry}" is not a host name or IP address, optionally with :port`,
    );
  }
  if (
    problems.length > 0 ||
    !webhookHosts.ok ||
    pollAfterMs === null ||
    expireAfterMs === null ||
    leaseMs === null ||
    schedulerIntervalMs === null ||
    requestTimeoutMs === null ||
    connectionTimeoutMs === null ||
    vendorTimeoutMaxMs === null ||
    !allowed.ok
  ) {
    throw new ConfigError(problems);
  }

  const dataDir = path.resolve(value.ALIMI_DATA_DIR);
  return Object.freeze({
    database: value.DATABASE_URL
      ? { kind: "postgres", url: value.DATABASE_URL, poolSize: value.ALIMI_DB_POOL_SIZE }
      : { kind: "pglite", dataDir: path.join(dataDir, "pgdata") },
    dataDir,
    port: value.PORT,
    host: value.HOST,
    publicUrl: value.ALIMI_PUBLIC_URL ?? null,
    linkBaseUrl,
    secretKey: value.ALIMI_SECRET_KEY ? decodeKey(value.ALIMI_SECRET_KEY) : null,
    sandbox: value.ALIMI_SANDBOX === "true",
    sandboxDelayMs: value.ALIMI_SANDBOX_DELAY_MS,
    pollAfterMs,
    expireAfterMs,
    leaseMs,
    schedulerIntervalMs,
    testClock: value.ALIMI_TEST_CLOCK === "true",
    vendorAllowedHosts: allowed.hosts,
    vendorTimeoutMaxMs,
    vendorConcurrency: value.ALIMI_VENDOR_CONCURRENCY,
    webhooks: Object.freeze({
      allowedHosts: webhookHosts.hosts,
      allowHttp: value.ALIMI_WEBHOOKS_ALLOW_HTTP === "true",
    }),
    reportParking: Object.freeze(reportParking),
    logLevel: value.LOG_LEVEL,
    http: {
      rateLimitPerIp: value.ALIMI_RATE_LIMIT_IP,
      rateLimitPerCaller: value.ALIMI_RATE_LIMIT,
      corsOrigins,
      trustProxy: trustProxyOf(value.ALIMI_TRUST_PROXY),
      requestTimeoutMs,
      connectionTimeoutMs,
      metricsToken: value.ALIMI_METRICS_TOKEN ?? null,
    },
  } satisfies Config);
}

/** "true", a number of proxy hops, or the proxies' addresses (CIDR allowed), comma-separated. */
/** `https://a.example, http://localhost:5173` → the origins, each scheme://host[:port]. */
function corsOriginsOf(text: string, problems: string[]): string[] {
  const origins = text
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let url: URL | null = null;
    try {
      url = new URL(origin);
    } catch {}
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin) {
      problems.push(
        `ALIMI_CORS_ORIGINS: "${origin}" is not an origin like https://console.example.com (scheme, host, optional port, no path)`,
      );
    }
  }
  return origins;
}

/** `https://alimi.kr` or `https://a.kr/go`: no query, no fragment, ASCII once normalised. */
function linkBaseUrlOf(text: string | undefined, problems: string[]): string | null {
  if (text === undefined) return null;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username) {
    problems.push(
      `ALIMI_LINK_BASE_URL: "${text}" is not a base URL like https://alimi.example (scheme, host, optional port and path; no query or fragment)`,
    );
    return null;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function trustProxyOf(text: string | undefined): boolean | number | string[] {
  if (text === undefined || text === "false") return false;
  if (text === "true") return true;
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(",").map((s) => s.trim());
}

function decodeKey(text: string): Buffer {
  return text.length === 64 ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
}
