// What a message said: its campaign's frozen content rendered for it by the
// dispatcher's own renderer (modules/dispatch), so the API shows what went
// (or goes) to the vendor — variables filled in, buttons' links rendered.
import type { Queryable } from "../../db/client.ts";
import type { CampaignContent } from "../../db/schema/campaigns.ts";
import type { MessageType } from "../../domain/message-content.ts";
import type { AlimtalkButton } from "../../vendors/vendor.ts";
import { type CompiledContent, compileContent, renderMessage } from "../dispatch/index.ts";
import type { MessageRow } from "./queries.ts";
import { findCampaignContents } from "./results-queries.ts";

export interface MessageContent {
  /** The Alimtalk body, or the SMS/LMS/MMS text; null when it cannot be rendered (a variable had no value). */
  text: string | null;
  subject: string | null;
  /** The Alimtalk template; null for SMS/LMS/MMS (a fallback too). */
  templateCode: string | null;
  buttons: AlimtalkButton[];
  /** MMS: its images ("fil_…"). */
  imageIds: string[];
}

const UNRENDERED: Omit<MessageContent, "templateCode"> = {
  text: null,
  subject: null,
  buttons: [],
  imageIds: [],
};

function contentFor(
  compiled: CompiledContent,
  raw: CampaignContent,
  m: MessageRow,
): MessageContent {
  const rendered = renderMessage(
    compiled,
    {
      id: m.id,
      recipient: m.recipient,
      type: m.type as MessageType,
      fallbackType: m.fallbackType,
      variables: m.variables,
      attempts: m.attempts,
      recipientIndex: m.recipientIndex,
    },
    { from: "", nativeFallback: false },
  );
  const templateCode = m.type === "alimtalk" ? raw.templateCode : null;
  if (!rendered.ok) return { ...UNRENDERED, templateCode };
  const out = rendered.message;
  return {
    text: out.text,
    subject: out.subject,
    templateCode,
    buttons: out.alimtalk?.buttons ?? [],
    imageIds: m.type === "mms" ? (raw.imageIds ?? []) : [],
  };
}

/** Each message's content, by message id; each campaign's content is compiled once. */
export async function renderContents(
  q: Queryable,
  rows: readonly MessageRow[],
): Promise<Map<string, MessageContent>> {
  const contents = await findCampaignContents(q, [...new Set(rows.map((m) => m.campaignId))]);
  const compiled = new Map<string, CompiledContent>();
  const out = new Map<string, MessageContent>();
  for (const m of rows) {
    const raw = contents.get(m.campaignId);
    if (!raw) continue;
    const c = compiled.get(m.campaignId) ?? compileContent(raw);
    compiled.set(m.campaignId, c);
    out.set(m.id, contentFor(c, raw, m));
  }
  return out;
}
