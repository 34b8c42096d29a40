// What goes to the vendor for one message: the campaign's frozen content
// rendered with the shared variables under the message's own.
import { createSecretKey, type KeyObject } from "node:crypto";
import type { CampaignContent } from "../../db/schema/campaigns.ts";
import { encodeLinkCode } from "../../domain/link-codes.ts";
import { fillLinks, placeholderPattern } from "../../domain/links.ts";
import type { MessageType } from "../../domain/message-content.ts";
import {
  type CompiledButtons,
  type CompiledTemplate,
  compileButtons,
  compileTemplate,
} from "../../domain/template.ts";
import type { AlimtalkButton, OutboundImage, OutboundMessage } from "../../vendors/vendor.ts";

export interface CompiledContent {
  templateCode: string | null;
  /** The template's id at the vendor account that reviewed it, sent through that account. */
  vendorTemplate: { accountId: string; templateId: string } | null;
  alimtalk: CompiledTemplate | null;
  /** The Alimtalk's buttons, their links' #{var} filled in per message (renderButtons). */
  buttons: CompiledButtons;
  text: CompiledTemplate | null;
  subject: CompiledTemplate | null;
  variables: Record<string, string>;
  /** The MMS images with their bytes, in the content's order. */
  images: OutboundImage[];
  /** Tracked links: their placeholders in texts and buttons become each message's codes. */
  links: CompiledLinks | null;
}

interface CompiledLinks {
  prefix: string;
  pattern: RegExp;
  /** By placeholder number. */
  keys: { key: string; secret: KeyObject }[];
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
    vendorTemplate: content.vendorTemplate ?? null,
    alimtalk: content.alimtalk === null ? null : compileTemplate(content.alimtalk),
    buttons: compileButtons(content.buttons),
    text: content.text === null ? null : compileTemplate(content.text),
    subject: content.subject === null ? null : compileTemplate(content.subject),
    variables: content.variables,
    images,
    links: content.links
      ? {
          prefix: content.links.prefix,
          pattern: placeholderPattern(content.links.prefix),
          keys: content.links.links.map((l) => ({
            key: l.key,
            secret: createSecretKey(Buffer.from(l.secret, "base64url")),
          })),
        }
      : null,
  };
}

export interface MessageToRender {
  id: string;
  recipient: string;
  type: MessageType;
  fallbackType: "sms" | "lms" | null;
  variables: Record<string, string> | null;
  attempts: number;
  /** The recipient's index in the campaign: with the type, what a tracked link's code names. */
  recipientIndex: number;
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

/**
 * One message's Alimtalk buttons: the template's, with the #{var} in their
 * links filled in like the body (the shared variables under the message's
 * own). Every change to what a message's buttons carry is made here.
 */
function renderButtons(
  content: CompiledContent,
  own: Record<string, string> | null,
): AlimtalkButton[] {
  const r = content.buttons.render(content.variables, own);
  if (!r.ok) throw new MissingVariables(r.missing);
  return r.buttons;
}

class MissingVariables extends Error {
  constructor(missing: string[]) {
    super(`no value for ${missing.map((m) => `#{${m}}`).join(", ")}`);
  }
}

export interface RenderOptions {
  from: string;
  nativeFallback: boolean;
  /** The vendor account it goes through: where the template's vendor id applies. */
  accountId?: string;
}

export function renderMessage(
  content: CompiledContent,
  m: MessageToRender,
  options: RenderOptions,
): Rendered {
  const rendered = renderContent(content, m, options);
  if (!rendered.ok || content.links === null) return rendered;
  return withTrackedLinks(content.links, m, rendered.message);
}

/**
 * The message with its tracked links' placeholders replaced by its own codes:
 * in an SMS/LMS/MMS text, and in an Alimtalk's buttons and its native
 * fallback's text. Each code names the recipient and the type of the message
 * it goes in, so a click on an Alimtalk's button and one on its fallback SMS
 * count for the message each came in.
 */
function withTrackedLinks(
  links: CompiledLinks,
  m: MessageToRender,
  message: OutboundMessage,
): Rendered {
  const fill = (text: string, type: MessageType) =>
    fillLinks({
      text,
      prefix: links.prefix,
      pattern: links.pattern,
      codeOf: (index) => {
        const link = links.keys[index];
        if (!link) throw new Error(`no tracked link ${index} in the campaign's content`);
        return encodeLinkCode({ ...link, recipientIndex: m.recipientIndex, type });
      },
    });
  try {
    if (message.alimtalk === null) {
      return { ok: true, message: { ...message, text: fill(message.text, message.type) } };
    }
    const fallback = message.nativeFallback;
    return {
      ok: true,
      message: {
        ...message,
        alimtalk: {
          ...message.alimtalk,
          buttons: message.alimtalk.buttons.map((button) => ({
            ...button,
            ...(button.linkMobile ? { linkMobile: fill(button.linkMobile, "alimtalk") } : {}),
            ...(button.linkPc ? { linkPc: fill(button.linkPc, "alimtalk") } : {}),
          })),
        },
        nativeFallback: fallback && { ...fallback, text: fill(fallback.text, fallback.type) },
      },
    };
  } catch (err) {
    return { ok: false, reason: `tracked links: ${(err as Error).message}` };
  }
}

function renderContent(
  content: CompiledContent,
  m: MessageToRender,
  options: RenderOptions,
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
          alimtalk: {
            templateCode: content.templateCode,
            buttons: renderButtons(content, own),
            ...(content.vendorTemplate !== null &&
            content.vendorTemplate.accountId === options.accountId
              ? { vendorTemplateId: content.vendorTemplate.templateId }
              : {}),
          },
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
