// What goes to the vendor for one message: the campaign's frozen content
// rendered with the shared variables under the message's own.
import type { CampaignContent } from "../../db/schema/campaigns.ts";
import type { MessageType } from "../../domain/message-content.ts";
import { type CompiledTemplate, compileTemplate } from "../../domain/template.ts";
import type { OutboundImage, OutboundMessage } from "../../vendors/vendor.ts";

export interface CompiledContent {
  templateCode: string | null;
  alimtalk: CompiledTemplate | null;
  buttons: CampaignContent["buttons"];
  text: CompiledTemplate | null;
  subject: CompiledTemplate | null;
  variables: Record<string, string>;
  /** The MMS images with their bytes, in the content's order. */
  images: OutboundImage[];
}

/**
 * Compiles a campaign's content once; its messages are rendered from it many times.
 * `images` are the files of content.imageIds (findFilesForDispatch), shared by its MMS.
 */
export function compileContent(
  content: CampaignContent,
  images: OutboundImage[] = [],
): CompiledContent {
  return {
    templateCode: content.templateCode,
    alimtalk: content.alimtalk === null ? null : compileTemplate(content.alimtalk),
    buttons: content.buttons,
    text: content.text === null ? null : compileTemplate(content.text),
    subject: content.subject === null ? null : compileTemplate(content.subject),
    variables: content.variables,
    images,
  };
}

export interface MessageToRender {
  id: string;
  recipient: string;
  type: MessageType;
  fallbackType: "sms" | "lms" | null;
  variables: Record<string, string> | null;
  attempts: number;
}

export type Rendered = { ok: true; message: OutboundMessage } | { ok: false; reason: string };

function render(
  piece: CompiledTemplate | null,
  content: CompiledContent,
  own: Record<string, string> | null,
): string | null {
  if (piece === null) return null;
  const r = piece.render(content.variables, own);
  if (!r.ok) throw new MissingVariables(r.missing);
  return r.text;
}

class MissingVariables extends Error {
  constructor(missing: string[]) {
    super(`no value for ${missing.map((m) => `#{${m}}`).join(", ")}`);
  }
}

export function renderMessage(
  content: CompiledContent,
  m: MessageToRender,
  options: { from: string; nativeFallback: boolean },
): Rendered {
  try {
    const own = m.variables;
    if (m.type === "alimtalk") {
      if (content.alimtalk === null || content.templateCode === null) {
        return { ok: false, reason: "the campaign has no Alimtalk content" };
      }
      const fallback =
        options.nativeFallback && m.fallbackType !== null && content.text !== null
          ? {
              type: m.fallbackType,
              text: render(content.text, content, own) ?? "",
              subject: m.fallbackType === "sms" ? null : render(content.subject, content, own),
            }
          : null;
      return {
        ok: true,
        message: {
          id: m.id,
          to: m.recipient,
          from: options.from,
          type: "alimtalk",
          text: render(content.alimtalk, content, own) ?? "",
          subject: null,
          alimtalk: { templateCode: content.templateCode, buttons: content.buttons },
          nativeFallback: fallback,
          images: [],
          attempt: m.attempts,
        },
      };
    }
    if (content.text === null) return { ok: false, reason: "the campaign has no text content" };
    return {
      ok: true,
      message: {
        id: m.id,
        to: m.recipient,
        from: options.from,
        type: m.type,
        text: render(content.text, content, own) ?? "",
        subject: m.type === "sms" ? null : render(content.subject, content, own),
        alimtalk: null,
        nativeFallback: null,
        images: m.type === "mms" ? content.images : [],
        attempt: m.attempts,
      },
    };
  } catch (err) {
    if (err instanceof MissingVariables) return { ok: false, reason: err.message };
    throw err;
  }
}
