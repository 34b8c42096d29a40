import type { Db } from "../../db/client.ts";
import { normalizeSenderNumber } from "../../domain/phone.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import {
  ensureDefaultSender,
  findSender,
  type SenderRow,
  upsertSender,
  verifySender,
} from "./queries.ts";

/**
 * Registers a caller number (발신번호 사전등록). Customers register numbers as
 * pending; the platform operator (or the CLI) registers them verified. An
 * organization's first verified number becomes its default.
 */
export async function registerSender(
  db: Db,
  input: { orgId: string; number: string; verified: boolean; path?: string },
): Promise<SenderRow> {
  const parsed = normalizeSenderNumber(input.number);
  if (!parsed.ok) {
    throw new AppError("VALIDATION_FAILED", parsed.message, {
      details: [{ path: input.path ?? "/number", code: parsed.code, message: parsed.message }],
    });
  }
  return db.tx(async (q) => {
    const sender = await upsertSender(q, {
      id: newId("snd"),
      orgId: input.orgId,
      number: parsed.number,
      verified: input.verified,
    });
    if (sender.status !== "verified") return sender;
    await ensureDefaultSender(q, input.orgId);
    return (await findSender(q, sender.id)) ?? sender;
  });
}

export async function markSenderVerified(db: Db, senderId: string): Promise<SenderRow> {
  return db.tx(async (q) => {
    const sender = await verifySender(q, senderId);
    if (!sender) throw new AppError("NOT_FOUND", "sender not found");
    await ensureDefaultSender(q, sender.orgId);
    return (await findSender(q, sender.id)) ?? sender;
  });
}
