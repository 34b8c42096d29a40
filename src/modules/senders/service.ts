import type { Db } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { normalizeSenderNumber } from "../../domain/phone.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import {
  ensureDefaultKakaoChannel,
  ensureDefaultSender,
  findKakaoChannel,
  findSender,
  insertKakaoChannel,
  type KakaoChannelRow,
  type SenderRow,
  upsertSender,
  verifyKakaoChannel,
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

/**
 * Registers a KakaoTalk channel: pending until the platform operator
 * verifies it (the operator's own are verified at once). A sender key or
 * pfId is registered once on the whole platform; registering it again, by
 * anyone, is a conflict, so nobody sends under a channel that is not theirs.
 */
export async function registerKakaoChannel(
  db: Db,
  input: {
    orgId: string;
    name: string;
    senderKey: string | null;
    pfId: string | null;
    verified: boolean;
  },
): Promise<KakaoChannelRow> {
  if (!input.senderKey && !input.pfId) {
    throw new AppError("VALIDATION_FAILED", "give the channel's senderKey, its pfId, or both", {
      details: [{ path: "/senderKey", code: "REQUIRED", message: "senderKey or pfId is required" }],
    });
  }
  try {
    return await db.tx(async (q) => {
      const channel = await insertKakaoChannel(q, { id: newId("kch"), ...input });
      if (channel.status !== "verified") return channel;
      await ensureDefaultKakaoChannel(q, input.orgId);
      return (await findKakaoChannel(q, channel.id)) ?? channel;
    });
  } catch (err) {
    const taken = isUniqueViolation(err, "kakao_channels_sender_key_key")
      ? "senderKey"
      : isUniqueViolation(err, "kakao_channels_pf_id_key")
        ? "pfId"
        : null;
    if (!taken) throw err;
    throw new AppError("CONFLICT", `this ${taken} is already registered on this platform`, {
      details: [
        {
          path: `/${taken}`,
          code: "ALREADY_REGISTERED",
          message: "registered by an organization; ask the platform operator if it is yours",
        },
      ],
    });
  }
}

export async function markKakaoChannelVerified(db: Db, id: string): Promise<KakaoChannelRow> {
  return db.tx(async (q) => {
    const channel = await verifyKakaoChannel(q, id);
    if (!channel) throw new AppError("NOT_FOUND", "KakaoTalk channel not found");
    await ensureDefaultKakaoChannel(q, channel.orgId);
    return (await findKakaoChannel(q, channel.id)) ?? channel;
  });
}
