// How a failed command is told to the person who ran it: one line with what
// went wrong and what to do, and an exit code (2: the command or its settings
// are wrong; 1: it could not be done). The stack trace is printed only with
// --verbose: without it nobody needs to read one.
import { ConfigError } from "../config.ts";
import { AppError, SetupError } from "../lib/errors.ts";

export interface Told {
  line: string;
  exitCode: 1 | 2;
}

/** PostgreSQL and network failures a newcomer meets, by code, with their fix. */
const CONNECTION_HINTS: Record<string, string> = {
  ECONNREFUSED: "is PostgreSQL running, and is DATABASE_URL's host and port right?",
  ENOTFOUND: "DATABASE_URL's host name does not resolve",
  ETIMEDOUT: "PostgreSQL did not answer in time: check DATABASE_URL's host and the network",
  "28P01": "the password in DATABASE_URL was refused",
  "28000": "PostgreSQL refused this user (pg_hba.conf or DATABASE_URL's user)",
  "3D000": "the database named in DATABASE_URL does not exist: create it first (createdb)",
};

export function describeFailure(err: unknown): Told {
  if (err instanceof ConfigError) {
    return {
      line: `invalid configuration: ${err.problems.join("; ")} (see the README's configuration table)`,
      exitCode: 2,
    };
  }
  if (err instanceof SetupError) {
    return { line: `${err.message}: ${err.hint}`, exitCode: err.exitCode };
  }
  if (err instanceof AppError) {
    const where = err.details?.map((d) => d.path ?? d.message).filter(Boolean) ?? [];
    const suffix = where.length > 0 ? ` (${where.join(", ")})` : "";
    return { line: `${err.message}${suffix}`, exitCode: err.code === "VALIDATION_FAILED" ? 2 : 1 };
  }
  const code = codeOf(err);
  if (code?.startsWith("ERR_PARSE_ARGS_")) {
    // Node's own wording runs on about positionals; the option's name is what matters.
    const option = /'(-[^']*)'/.exec(messageOf(err))?.[1];
    const what =
      code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option
        ? `unknown option ${option}`
        : messageOf(err);
    return { line: `${what} (alimi --help lists the commands)`, exitCode: 2 };
  }
  if (code === "42P01") {
    return {
      line: `the database is not migrated (${messageOf(err)}): run \`alimi migrate\` first`,
      exitCode: 1,
    };
  }
  const hint = code ? CONNECTION_HINTS[code] : undefined;
  if (hint) return { line: `cannot use the database (${messageOf(err)}): ${hint}`, exitCode: 1 };
  return {
    line: `unexpected error: ${messageOf(err)} (run again with --verbose for the stack trace)`,
    exitCode: 1,
  };
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const own = (err as { code?: unknown }).code;
  if (typeof own === "string") return own;
  // A refused connection to several addresses (IPv4 and IPv6) is an AggregateError.
  const inner = (err as { errors?: unknown[] }).errors?.[0];
  return inner === undefined ? undefined : codeOf(inner);
}

function messageOf(err: unknown): string {
  if (err instanceof Error && err.message) return err.message.split("\n")[0] as string;
  const inner = (err as { errors?: unknown[] } | null)?.errors?.[0];
  if (inner !== undefined) return messageOf(inner);
  if (err instanceof Error) return err.name;
  return String(err);
}
