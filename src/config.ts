// The only reader of process.env. The environment is validated against one
// schema and every problem is reported at once; the result is frozen and
// passed down explicitly.
import path from "node:path";
import Type, { type Static } from "typebox";
import Value from "typebox/value";
import { parseDuration } from "./domain/duration.ts";

const EnvSchema = Type.Object({
  DATABASE_URL: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: "127.0.0.1" }),
  ALIMI_DATA_DIR: Type.String({ minLength: 1, default: "./.alimi" }),
  ALIMI_SECRET_KEY: Type.Optional(
    Type.String({ pattern: "^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$" }),
  ),
  ALIMI_PUBLIC_URL: Type.Optional(Type.String({ pattern: "^https?://" })),
  ALIMI_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
  ALIMI_SANDBOX_DELAY_MS: Type.Integer({ minimum: 0, default: 200 }),
  ALIMI_RECONCILE_AFTER: Type.String({ default: "24h" }),
  ALIMI_LEASE: Type.String({ default: "60s" }),
  LOG_LEVEL: Type.Enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
    default: "info",
  }),
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
  /** 32-byte key for AES-256-GCM; null means "generate into the data directory" (embedded only). */
  readonly secretKey: Buffer | null;
  readonly sandboxDelayMs: number;
  readonly reconcileAfterMs: number;
  /** How long a worker owns a claimed batch; past it, the batch goes back to the queue. */
  readonly leaseMs: number;
  readonly logLevel: Env["LOG_LEVEL"];
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
  const reconcile = parseDuration(value.ALIMI_RECONCILE_AFTER ?? "24h");
  if (!reconcile.ok) problems.push(`ALIMI_RECONCILE_AFTER: ${reconcile.message}`);
  const lease = parseDuration(value.ALIMI_LEASE ?? "60s");
  if (!lease.ok) problems.push(`ALIMI_LEASE: ${lease.message}`);
  if (problems.length > 0 || !reconcile.ok || !lease.ok) throw new ConfigError(problems);

  const dataDir = path.resolve(value.ALIMI_DATA_DIR);
  return Object.freeze({
    database: value.DATABASE_URL
      ? { kind: "postgres", url: value.DATABASE_URL, poolSize: value.ALIMI_DB_POOL_SIZE }
      : { kind: "pglite", dataDir: path.join(dataDir, "pgdata") },
    dataDir,
    port: value.PORT,
    host: value.HOST,
    publicUrl: value.ALIMI_PUBLIC_URL ?? null,
    secretKey: value.ALIMI_SECRET_KEY ? decodeKey(value.ALIMI_SECRET_KEY) : null,
    sandboxDelayMs: value.ALIMI_SANDBOX_DELAY_MS,
    reconcileAfterMs: reconcile.ms,
    leaseMs: lease.ms,
    logLevel: value.LOG_LEVEL,
  } satisfies Config);
}

function decodeKey(text: string): Buffer {
  return text.length === 64 ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
}
