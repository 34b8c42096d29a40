// What the CLI does, as functions over a database. They run in the CLI's own
// process, or inside a running embedded server that holds the data directory
// (the CLI then sends the command to the server's local admin endpoint).
import type { Db } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { ORG_KINDS, type OrgKind } from "../db/schema/orgs.ts";
import { formatCredits, parseCredits } from "../domain/money.ts";
import { formatKoreanNumber } from "../domain/phone.ts";
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

function credits(value: string, flag: string): bigint {
  const parsed = parseCredits(value);
  if (!parsed.ok) throw new AppError("VALIDATION_FAILED", `--${flag}: ${parsed.message}`);
  return parsed.micro;
}

async function requireOrg(db: Db, id: string) {
  const org = await findOrg(db, id);
  if (!org) throw new AppError("NOT_FOUND", `organization ${id} not found`);
  return org;
}

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

export const commands = {
  async migrate(db: Db) {
    const result = await migrate(db);
    return { applied: result.applied };
  },

  async "org create"(db: Db, args: Args) {
    const kind = text(args, "kind");
    if (kind !== undefined && !ORG_KINDS.includes(kind as OrgKind)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `--kind must be one of ${ORG_KINDS.slice(1).join(", ")}`,
      );
    }
    const amount = text(args, "credits");
    const { org, apiKey } = await createOrg(db, {
      name: required(args, "name"),
      parentId: text(args, "parent"),
      kind: kind as OrgKind | undefined,
      credits: amount === undefined ? undefined : credits(amount, "credits"),
    });
    return { orgId: org.id, apiKey, kind: org.kind, parentId: org.parentId };
  },

  async "credits grant"(db: Db, args: Args) {
    const orgId = required(args, "org");
    await requireOrg(db, orgId);
    const entry = await grantCredits(db, {
      orgId,
      amount: credits(required(args, "amount"), "amount"),
      idempotencyKey: text(args, "idempotency-key"),
      memo: text(args, "memo"),
    });
    const w = await getWallet(db, orgId);
    return {
      orgId,
      entryId: entry.id,
      balance: formatCredits(w.balance),
      held: formatCredits(w.held),
      available: formatCredits(w.available),
    };
  },

  async "sender add"(db: Db, args: Args) {
    const orgId = required(args, "org");
    await requireOrg(db, orgId);
    const s = await registerSender(db, { orgId, number: required(args, "number"), verified: true });
    return {
      id: s.id,
      orgId,
      number: formatKoreanNumber(s.number),
      status: s.status,
      isDefault: s.isDefault,
    };
  },

  async "kakao-channel add"(db: Db, args: Args) {
    const orgId = required(args, "org");
    await requireOrg(db, orgId);
    const channel = await registerKakaoChannel(db, {
      orgId,
      name: required(args, "name"),
      senderKey: text(args, "sender-key") ?? null,
      pfId: text(args, "pf-id") ?? null,
      verified: true,
    });
    return channelView(channel);
  },

  async "kakao-channel verify"(db: Db, args: Args) {
    return channelView(await markKakaoChannelVerified(db, required(args, "id")));
  },

  async doctor(db: Db) {
    const { wallets, violations } = await runDoctor(db);
    return { ok: violations.length === 0, wallets, violations };
  },
} satisfies Record<string, (db: Db, args: Args) => Promise<unknown>>;

export type CommandName = keyof typeof commands;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}
