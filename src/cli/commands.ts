// What the CLI does, as functions over a database. They run in the CLI's own
// process, or inside a running embedded server that holds the data directory
// (the CLI then sends the command to the server's local admin endpoint).
import type { Db } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { formatCredits, MICRO_PER_CREDIT, parseCredits } from "../domain/money.ts";
import { formatKoreanNumber } from "../domain/phone.ts";
import { ROLES, type Role } from "../domain/roles.ts";
import { ORG_KINDS, type OrgKind } from "../domain/vocabulary.ts";
import { AppError } from "../lib/errors.ts";
import { getWallet, grantCredits } from "../modules/credits/service.ts";
import { runDoctor } from "../modules/doctor/service.ts";
import { findOrg } from "../modules/orgs/queries.ts";
import { createOrg } from "../modules/orgs/service.ts";
import type { KakaoChannelRow } from "../modules/senders/queries.ts";
import {
  markKakaoChannelVerified,
  registerKakaoChannel,
  registerSender,
} from "../modules/senders/service.ts";
import { createUser, issuePasswordReset } from "../modules/users/service.ts";

export type Args = Record<string, string | boolean | undefined>;

function text(args: Args, name: string): string | undefined {
  const v = args[name];
  return typeof v === "string" ? v : undefined;
}

function required(args: Args, name: string): string {
  const v = text(args, name);
  if (!v) throw new AppError("VALIDATION_FAILED", `--${name} is required`);
  return v;
}

/** The most credits one command moves: far beyond any real grant, far below bigint's range. */
export const MAX_CLI_CREDITS = 1_000_000_000n;

/** A credit amount from a flag: a decimal, not negative, at most MAX_CLI_CREDITS; positive if asked. */
function credits(value: string, flag: string, options: { positive: boolean }): bigint {
  const parsed = parseCredits(value);
  if (!parsed.ok) throw new AppError("VALIDATION_FAILED", `--${flag}: ${parsed.message}`);
  if (parsed.micro < 0n || (options.positive && parsed.micro === 0n)) {
    throw new AppError(
      "VALIDATION_FAILED",
      `--${flag} must be ${options.positive ? "more than 0" : "0 or more"}, not ${value}`,
    );
  }
  if (parsed.micro > MAX_CLI_CREDITS * MICRO_PER_CREDIT) {
    throw new AppError(
      "VALIDATION_FAILED",
      `--${flag} is too large: at most ${MAX_CLI_CREDITS} credits at once`,
    );
  }
  return parsed.micro;
}

async function requireOrg(db: Db, id: string) {
  const org = await findOrg(db, id);
  if (!org) throw new AppError("NOT_FOUND", `organization ${id} not found`);
  return org;
}

/**
 * Each command's flags, read and checked without a database: a wrong flag is
 * refused before anything is opened (and again where the command runs, in
 * this process or in a running server).
 */
const readArgs = {
  "org create"(args: Args) {
    const kind = text(args, "kind");
    if (kind !== undefined && !ORG_KINDS.includes(kind as OrgKind)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `--kind must be one of ${ORG_KINDS.slice(1).join(", ")}`,
      );
    }
    const amount = text(args, "credits");
    return {
      name: required(args, "name"),
      parentId: text(args, "parent"),
      kind: kind as OrgKind | undefined,
      credits: amount === undefined ? undefined : credits(amount, "credits", { positive: false }),
    };
  },
  "credits grant"(args: Args) {
    return {
      orgId: required(args, "org"),
      amount: credits(required(args, "amount"), "amount", { positive: true }),
      idempotencyKey: text(args, "idempotency-key"),
      memo: text(args, "memo"),
    };
  },
  "sender add"(args: Args) {
    return { orgId: required(args, "org"), number: required(args, "number") };
  },
  "kakao-channel add"(args: Args) {
    return {
      orgId: required(args, "org"),
      name: required(args, "name"),
      senderKey: text(args, "sender-key") ?? null,
      pfId: text(args, "pf-id") ?? null,
    };
  },
  "kakao-channel verify"(args: Args) {
    return { id: required(args, "id") };
  },
  "user create"(args: Args) {
    const role = required(args, "role");
    if (!ROLES.includes(role as Role)) {
      throw new AppError("VALIDATION_FAILED", `--role must be one of ${ROLES.join(", ")}`);
    }
    const email = required(args, "email");
    return {
      orgId: required(args, "org"),
      email,
      name: text(args, "name") ?? email,
      role: role as Role,
      password: text(args, "password"),
    };
  },
  "user reset-password"(args: Args) {
    return { email: required(args, "email") };
  },
};

function channelView(c: KakaoChannelRow) {
  return {
    id: c.id,
    orgId: c.orgId,
    name: c.name,
    senderKey: c.senderKey,
    pfId: c.pfId,
    status: c.status,
    isDefault: c.isDefault,
  };
}

/** Refuses the flags of a command that cannot be right, before any database is opened. */
export function checkArgs(name: CommandName, args: Args): void {
  if (Object.hasOwn(readArgs, name)) readArgs[name as keyof typeof readArgs](args);
}

export const commands = {
  async migrate(db: Db) {
    const result = await migrate(db);
    return { applied: result.applied };
  },

  async "org create"(db: Db, args: Args) {
    const { org, apiKey } = await createOrg(db, readArgs["org create"](args));
    return { orgId: org.id, apiKey, kind: org.kind, parentId: org.parentId };
  },

  async "credits grant"(db: Db, args: Args) {
    const grant = readArgs["credits grant"](args);
    await requireOrg(db, grant.orgId);
    const entry = await grantCredits(db, grant);
    const w = await getWallet(db, grant.orgId);
    return {
      orgId: grant.orgId,
      entryId: entry.id,
      balance: formatCredits(w.balance),
      held: formatCredits(w.held),
      available: formatCredits(w.available),
    };
  },

  async "sender add"(db: Db, args: Args) {
    const { orgId, number } = readArgs["sender add"](args);
    await requireOrg(db, orgId);
    const s = await registerSender(db, { orgId, number, verified: true });
    return {
      id: s.id,
      orgId,
      number: formatKoreanNumber(s.number),
      status: s.status,
      isDefault: s.isDefault,
    };
  },

  async "kakao-channel add"(db: Db, args: Args) {
    const channel = readArgs["kakao-channel add"](args);
    await requireOrg(db, channel.orgId);
    return channelView(await registerKakaoChannel(db, { ...channel, verified: true }));
  },

  async "kakao-channel verify"(db: Db, args: Args) {
    const { id } = readArgs["kakao-channel verify"](args);
    return channelView(await markKakaoChannelVerified(db, id));
  },

  async "user create"(db: Db, args: Args) {
    const user = readArgs["user create"](args);
    await requireOrg(db, user.orgId);
    return createUser(db, { ...user, caller: null, now: new Date() });
  },

  async "user reset-password"(db: Db, args: Args) {
    const { user, token } = await issuePasswordReset(db, {
      ...readArgs["user reset-password"](args),
      now: new Date(),
    });
    return { userId: user.id, email: user.email, resetToken: token, expiresIn: "1h" };
  },

  async doctor(db: Db) {
    const { wallets, violations, reports } = await runDoctor(db);
    return { ok: violations.length === 0, wallets, violations, reports };
  },
} satisfies Record<string, (db: Db, args: Args) => Promise<unknown>>;

export type CommandName = keyof typeof commands;

/** The options each command reads (besides --verbose and --help); any other is refused. */
export const COMMAND_OPTIONS: Record<CommandName | "serve", readonly string[]> = {
  serve: ["role", "migrate", "demo"],
  migrate: ["json"],
  "org create": ["name", "parent", "kind", "credits", "json"],
  "credits grant": ["org", "amount", "memo", "idempotency-key", "json"],
  "sender add": ["org", "number", "json"],
  "kakao-channel add": ["org", "name", "sender-key", "pf-id", "json"],
  "kakao-channel verify": ["id", "json"],
  "user create": ["org", "email", "name", "role", "password", "json"],
  "user reset-password": ["email", "json"],
  doctor: ["json"],
};

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}
