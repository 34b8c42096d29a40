// The `alimi` command line: serve, migrate, and the operator's commands.
import { parseArgs } from "node:util";
import {
  type Args,
  COMMAND_OPTIONS,
  type CommandName,
  checkArgs,
  commands,
} from "./cli/commands.ts";
import { describeFailure } from "./cli/failure.ts";
import { createLogger } from "./cli/logger.ts";
import { type Config, loadConfig } from "./config.ts";
import { isMigrated, migrate } from "./db/migrate.ts";
import { readAdminToken, readLockHolder } from "./lib/data-dir.ts";
import { AppError, SetupError } from "./lib/errors.ts";
import { findLoosePaths, type LoosePath, PRIVATE_UMASK } from "./lib/private-files.ts";
import { demoFile, openDatabase, type Role, saveDemoCredentials, serve } from "./runtime.ts";

const USAGE = `Usage: alimi <command> [options]

  serve [--role api|worker|all] [--migrate] [--demo]
                        run the HTTP API and the workers (default role: all)
  migrate               apply database migrations
  org create --name NAME [--parent ORG_ID] [--kind KIND] [--credits N] [--json]
                        create an organization and print its API key
  credits grant --org ORG_ID --amount N [--memo TEXT] [--json]
                        add credits to an organization's wallet
  sender add --org ORG_ID --number NUMBER [--json]
                        register a verified caller number
  kakao-channel add --org ORG_ID --name NAME [--sender-key K] [--pf-id P] [--json]
                        register a verified KakaoTalk channel
  kakao-channel verify --id CHANNEL_ID [--json]
                        verify a channel an organization registered
  user create --org ORG_ID --email EMAIL --role owner|admin|operator|viewer
              [--name NAME] [--password P] [--json]
                        add a console user (without a password: an invitation token)
  user reset-password --email EMAIL [--json]
                        print a one-time token for POST /v1/auth/reset-password
  doctor [--json]       check the credit invariants; exit 1 on a violation

  --verbose             print the stack trace of a failure

Environment: DATABASE_URL (unset: embedded PGlite in ALIMI_DATA_DIR, default ./.alimi),
PORT (3000), HOST (127.0.0.1), ALIMI_SECRET_KEY, LOG_LEVEL; the README's configuration
table lists every setting.`;

const OPTIONS = {
  name: { type: "string" },
  parent: { type: "string" },
  kind: { type: "string" },
  credits: { type: "string" },
  org: { type: "string" },
  amount: { type: "string" },
  memo: { type: "string" },
  number: { type: "string" },
  id: { type: "string" },
  "sender-key": { type: "string" },
  "pf-id": { type: "string" },
  role: { type: "string" },
  email: { type: "string" },
  password: { type: "string" },
  "idempotency-key": { type: "string" },
  migrate: { type: "boolean" },
  demo: { type: "boolean" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

async function main(argv: string[]): Promise<number> {
  // Whatever this process creates (the embedded database, secrets, the lock) is its owner's only.
  process.umask(PRIVATE_UMASK);
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv),
    options: OPTIONS,
    allowPositionals: true,
  });
  const command = positionals.join(" ");
  if (values.help || command === "" || command === "help") {
    console.log(USAGE);
    return command === "" && !values.help ? 1 : 0;
  }
  if (Object.hasOwn(COMMAND_OPTIONS, command)) {
    const allowed = COMMAND_OPTIONS[command as keyof typeof COMMAND_OPTIONS];
    const stray = Object.keys(values).filter((o) => o !== "verbose" && !allowed.includes(o));
    if (stray.length > 0) {
      throw new AppError(
        "VALIDATION_FAILED",
        `${command} takes no ${stray.map((o) => `--${o}`).join(", ")} (alimi --help lists its options)`,
      );
    }
  }
  const config = loadConfig();
  if (command === "serve") return runServe(config, values);
  if (command === "migrate") return runCommand(config, "migrate", values);
  if (Object.hasOwn(commands, command)) return runCommand(config, command as CommandName, values);
  console.error(`alimi: unknown command "${command}" (alimi --help lists the commands)`);
  return 2;
}

/**
 * `--amount -5` is an amount, not an option: parseArgs would call it
 * ambiguous, so a negative number after a valued option is joined to it
 * (`--amount=-5`) and then refused for what it is.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : "";
    const valued = (OPTIONS as Record<string, { type: string }>)[name]?.type === "string";
    if (valued && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

async function runServe(config: Config, values: Args): Promise<number> {
  const role = (values.role ?? "all") as Role;
  if (!["api", "worker", "all"].includes(role)) {
    console.error(`alimi: --role must be api, worker or all, not "${role}"`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true });
  const running = await serve(config, {
    role,
    logger,
    migrate: values.migrate === true,
    demo: values.demo === true,
  });
  printBanner(config, running.url, running.demo);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "draining");
    await running.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return new Promise<number>(() => {});
}

function printBanner(
  config: Config,
  url: string | null,
  demo: Awaited<ReturnType<typeof serve>>["demo"],
) {
  const lines: string[] = [""];
  if (url) {
    const shown = url.replace("127.0.0.1", "localhost");
    lines.push(
      `  Alimi is running: ${shown}`,
      `  API docs:         ${shown}/docs`,
      `  Console:          ${shown}/console`,
    );
  } else {
    lines.push("  Alimi workers are running.");
  }
  if (demo?.created) {
    const file = saveDemoCredentials(config, demo);
    lines.push(
      "",
      `  Demo organization ${demo.orgId} with 100,000.00 credits.`,
      `  Demo API key and console login (shown once; also saved in ${file}):`,
      "",
      `    ${demo.apiKey}`,
      "",
      `    email    ${demo.login.email}`,
      `    password ${demo.login.password}`,
    );
  } else if (demo) {
    lines.push(
      "",
      `  Demo organization ${demo.orgId}: its API key and login were printed on first start`,
      `  and saved in ${demoFile(config)}.`,
    );
  }
  console.log(`${lines.join("\n")}\n`);
}

async function runCommand(config: Config, name: CommandName, args: Args): Promise<number> {
  checkArgs(name, args);
  // Looked at before the command opens the directory (which tightens what it finds).
  const loose =
    name === "doctor" && config.database.kind === "pglite" ? findLoosePaths(config.dataDir) : [];
  let result = await execute(config, name, args);
  if (loose.length > 0) result = withLoosePaths(result as DoctorResult, loose);
  if (args.json) console.log(JSON.stringify(result, null, 2));
  else printResult(name, result);
  if (name === "doctor" && !(result as { ok: boolean }).ok) return 1;
  return 0;
}

type DoctorResult = { ok: boolean; violations: { problem: string }[] };

/** The embedded data directory must be private too: what others may use is a violation. */
function withLoosePaths(result: DoctorResult, loose: LoosePath[]): DoctorResult {
  const violations = loose.map((p) => ({
    path: p.path,
    problem: `${p.path} is mode ${p.mode.toString(8).padStart(4, "0")}: group or others may use it (chmod go-rwx)`,
  }));
  return { ...result, ok: false, violations: [...result.violations, ...violations] };
}

/**
 * Runs a command on the configured database. In embedded mode the data
 * directory belongs to one process: if a server holds it, the command is sent
 * to that server's local admin endpoint instead.
 */
async function execute(config: Config, name: CommandName, args: Args): Promise<unknown> {
  if (config.database.kind === "pglite") {
    const holder = readLockHolder(config.dataDir);
    if (holder?.adminUrl) return viaServer(config, holder.adminUrl, name, args);
  }
  const opened = await openDatabase(config);
  try {
    if (config.database.kind === "pglite" && name !== "migrate") await migrate(opened.db);
    else if (name !== "migrate" && !(await isMigrated(opened.db))) {
      throw new SetupError("the database is not migrated", { hint: "run `alimi migrate` first" });
    }
    return await commands[name](opened.db, args);
  } finally {
    await opened.close();
  }
}

async function viaServer(config: Config, url: string, name: CommandName, args: Args) {
  const token = readAdminToken(config.dataDir);
  if (!token)
    throw new Error(`the server at ${url} holds ${config.dataDir} but its admin token is missing`);
  const res = await fetch(`${url}/_admin/cli`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ command: name, args: withoutUndefined(args) }),
  });
  const body = (await res.json()) as {
    result?: unknown;
    error?: { code: string; message: string };
  };
  if (!res.ok || body.error) {
    throw new AppError(
      (body.error?.code as AppError["code"]) ?? "INTERNAL",
      body.error?.message ?? `server answered ${res.status}`,
    );
  }
  return body.result;
}

function withoutUndefined(args: Args): Record<string, string | boolean> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | boolean
  >;
}

function printResult(name: CommandName, result: unknown) {
  if (name === "doctor") {
    const r = result as {
      ok: boolean;
      wallets: number;
      violations: { orgId?: string; messageId?: string; path?: string; problem: string }[];
      reports?: { parked: number; dropped: { expired: number; overLimit: number } };
    };
    for (const v of r.violations) {
      console.log(`VIOLATION ${v.orgId ?? v.messageId ?? "data directory"}: ${v.problem}`);
    }
    if (r.reports) {
      const { parked, dropped } = r.reports;
      console.log(
        `delivery reports for unknown messages: ${parked} waiting; dropped ${dropped.expired} after the window, ${dropped.overLimit} over an account's limit`,
      );
    }
    console.log(
      r.ok
        ? `ok: ${r.wallets} wallets checked, no violations`
        : `${r.violations.length} violations`,
    );
    return;
  }
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
    console.log(`${key}: ${Array.isArray(value) ? value.join(", ") || "(none)" : String(value)}`);
  }
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const told = describeFailure(err);
    console.error(`alimi: ${told.line}`);
    if (argv.includes("--verbose")) console.error(err);
    process.exitCode = told.exitCode;
  },
);
