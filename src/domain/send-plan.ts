// Send acceptance: a schema-valid request plus the organization's context becomes the list of
// messages to store and the credits to hold, or the reasons it cannot.
import { CODE_LENGTH } from "./link-codes.ts";
import { createLinkTable, type LinkTable, trackButtonLinks } from "./links.ts";
import type { MessageType, TextType } from "./message-content.ts";
import { resolveSendContent } from "./send-content.ts";
import { planRecipients } from "./send-recipients.ts";
import {
  checkAdvertising,
  checkImages,
  checkRecipientCount,
  checkStrategy,
  resolveSendAt,
  resolveSender,
  resolveTemplate,
} from "./send-request.ts";
import type { FieldError, TemplateButton } from "./template.ts";

export type Strategy = "alimtalk_first" | "alimtalk_only" | "sms_only" | "cost_optimized";
export type RequestedType = MessageType | "auto";

/** Micro-credits per message. */
export interface Prices {
  alimtalk: bigint;
  sms: bigint;
  lms: bigint;
  mms: bigint;
}

export interface SendRecipientInput {
  to: string;
  name?: string;
  variables?: Record<string, string>;
}

export interface SendInput {
  /** Default: "alimtalk" when a template is given, else "auto". */
  type?: RequestedType;
  /** Default: alimtalk_first when type is alimtalk, else sms_only. */
  strategy?: Strategy;
  /** Caller number in any common format; default: the organization's verified default sender. */
  from?: string;
  template?: { code: string; variables?: Record<string, string> };
  /** SMS/LMS/MMS content, or the fallback text for Alimtalk (overrides the template's fallback). */
  text?: string;
  subject?: string;
  /**
   * Fallback for Alimtalk; wins over text/subject and over the template's fallback. Its type
   * is chosen by the text's bytes (the subject rides along only on an LMS) unless given.
   */
  fallback?: { text?: string; subject?: string; type?: "sms" | "lms" };
  /** MMS images ("fil_…"), in order: the organization's own JPEG files. */
  imageIds?: string[];
  recipients: SendRecipientInput[];
  /** ISO 8601 with offset. */
  sendAt?: string;
  advertising?: boolean;
  /**
   * Links in the text (an Alimtalk's fallback text too) and WL buttons become
   * tracked links, counted and priced as sent (default: true, where the
   * context gives a link prefix).
   */
  trackLinks?: boolean;
}

export interface SenderInfo {
  /** National digits. */
  number: string;
  status: "pending" | "verified";
  isDefault: boolean;
}

export interface TemplateInfo {
  code: string;
  body: string;
  buttons: TemplateButton[];
  fallbackText: string | null;
  fallbackSubject: string | null;
  status: "draft" | "requested" | "inspecting" | "approved" | "rejected";
  /** The vendor account that reviewed it, when a vendor did (its template API). */
  reviewAccountId?: string | null;
  /** That vendor's id for it (SOLAPI's templateId), sent instead of the code through that account. */
  vendorTemplateId?: string | null;
}

/** An uploaded file, as far as a send needs to know it. */
export interface ImageInfo {
  id: string;
  mime: string;
  /** Bytes. */
  size: number;
}

export interface SendContext {
  now: Date;
  /** The organization's files among input.imageIds (others are not found). */
  images?: ImageInfo[];
  prices: Prices;
  senders: SenderInfo[];
  /** The template looked up by input.template.code; null if none or not found. */
  template: TemplateInfo | null;
  /** Default 100,000. */
  maxRecipients?: number;
  /** Default 180 days. */
  maxScheduleAheadMs?: number;
  /**
   * A campaign draft's content, checked before its recipients come (in parts, later):
   * no recipients is then a plan of no messages rather than an error.
   */
  draft?: boolean;
  /** What tracked links start with (`{ALIMI_LINK_BASE_URL}/r/`); null or absent: none are. */
  linkPrefix?: string | null;
}

export interface PlannedMessage {
  index: number;
  /** E.164. */
  to: string;
  name: string | null;
  /**
   * The template variables with the recipient's on top; null when there are none.
   * May be the recipient's own object, or one object shared by many messages: read-only.
   */
  variables: Record<string, string> | null;
  type: MessageType;
  fallbackType: TextType | null;
  /** Worst case: max(primary price, fallback price); a failed message is never charged. */
  held: bigint;
}

export interface Rejection {
  index: number;
  to: string;
  code: string;
  message: string;
}

export type SendPlan =
  | {
      ok: true;
      type: RequestedType;
      strategy: Strategy;
      /** National digits; "" for Alimtalk without fallback when the organization has no sender. */
      from: string;
      sendAt: Date | null;
      messages: PlannedMessage[];
      rejected: Rejection[];
      cost: {
        /** The worst case, held at acceptance. */
        held: bigint;
        /** The worst case by the type that costs it; sums to held. */
        byType: Record<MessageType, bigint>;
        /** Every message delivered on its first channel. */
        expected: { total: bigint; byType: Record<MessageType, bigint> };
      };
      /** The texts to render at dispatch, with their #{var} placeholders, as resolved here. */
      content: ResolvedContent;
    }
  | { ok: false; errors: FieldError[]; rejected: Rejection[] };

export interface ResolvedContent {
  /** The Alimtalk body, when an Alimtalk path is possible. */
  alimtalk: string | null;
  /** The SMS/LMS/MMS text, or the Alimtalk fallback text, when a text path is possible. */
  text: string | null;
  subject: string | null;
  /** MMS images, in order. */
  imageIds: string[];
  /** The template's buttons, when an Alimtalk path is possible, with their links tracked. */
  buttons: TemplateButton[];
  /** The distinct links tracked, numbered as their placeholders are; null when none. */
  links: LinkTable | null;
}

const DEFAULT_MAX_RECIPIENTS = 100_000;
/** How far ahead a send may be scheduled, unless the context says otherwise. */
export const DEFAULT_MAX_SCHEDULE_AHEAD_MS = 180 * 86_400_000;

/** Turns a send request into the messages to store and the credits to hold, or field errors. */
export function planSend(input: SendInput, ctx: SendContext): SendPlan {
  const type: RequestedType = input.type ?? (input.template !== undefined ? "alimtalk" : "auto");
  const strategy: Strategy =
    input.strategy ?? (type === "alimtalk" ? "alimtalk_first" : "sms_only");
  const errors: FieldError[] = [];

  const strategyErrors: FieldError[] = [];
  const strategyFits = checkStrategy(type, strategy, strategyErrors);
  const alimtalkStrategy = strategy === "alimtalk_first" || strategy === "alimtalk_only";
  const template = resolveTemplate({
    code: input.template?.code,
    found: ctx.template,
    // With a strategy that does not fit the type, asking for a template too would mislead.
    required: type === "alimtalk" || (alimtalkStrategy && strategyFits),
    errors,
  });
  errors.push(...strategyErrors);
  const usesAlimtalk =
    alimtalkStrategy || (strategy === "cost_optimized" && input.template !== undefined);
  const usesText = strategy !== "alimtalk_only";
  const links =
    input.trackLinks !== false && ctx.linkPrefix ? createLinkTable(ctx.linkPrefix) : null;
  // Content depends on the template and the strategy; checking it without them only adds noise.
  const content =
    errors.length === 0 && strategyFits
      ? resolveSendContent({
          input,
          template,
          type,
          strategy,
          usesAlimtalk,
          usesText,
          links,
          errors,
        })
      : null;
  const from = resolveSender({
    from: input.from,
    senders: ctx.senders,
    required: usesText,
    errors,
  });
  const sendAt = resolveSendAt({
    sendAt: input.sendAt,
    now: ctx.now,
    maxAheadMs: ctx.maxScheduleAheadMs ?? DEFAULT_MAX_SCHEDULE_AHEAD_MS,
    errors,
  });
  checkImages({
    ids: input.imageIds ?? [],
    found: ctx.images ?? [],
    type,
    strategy,
    errors,
  });
  if (input.advertising === true) {
    checkAdvertising({ usesAlimtalk, text: content?.text?.text ?? null, errors });
  }
  const noneYet = ctx.draft === true && input.recipients.length === 0;
  if (!noneYet) {
    checkRecipientCount({
      count: input.recipients.length,
      max: ctx.maxRecipients ?? DEFAULT_MAX_RECIPIENTS,
      errors,
    });
  }
  if (errors.length > 0 || content === null) {
    return { ok: false, errors: explainTrackedLength(errors, links), rejected: [] };
  }

  const planned = planRecipients({
    recipients: input.recipients,
    templateVariables: input.template?.variables,
    content,
    strategy,
    prices: ctx.prices,
  });
  const { messages, cost } = planned;
  const rejected = explainTrackedLength(planned.rejected, links);
  if (messages.length === 0 && !noneYet) {
    return {
      ok: false,
      errors: [
        {
          path: "/recipients",
          code: "NO_VALID_RECIPIENTS",
          message: `None of the ${input.recipients.length} recipients can be sent to; see rejected.`,
        },
      ],
      rejected,
    };
  }
  const held = sumCost(cost.worstCase);
  const resolved: ResolvedContent = {
    alimtalk: content.alimtalk?.body ?? null,
    text: content.text?.text.compiled.body ?? null,
    subject: content.text?.subject?.compiled.body ?? null,
    imageIds: input.imageIds ?? [],
    buttons: [],
    links: null,
  };
  if (content.alimtalk !== null && template !== null) {
    resolved.buttons = links ? trackButtonLinks(template.buttons, links) : template.buttons;
  }
  if (links !== null && links.urls.length > 0) resolved.links = links;
  return {
    ok: true,
    type,
    strategy,
    from,
    sendAt,
    messages,
    rejected,
    cost: {
      held,
      byType: cost.worstCase,
      expected: { total: sumCost(cost.expected), byType: cost.expected },
    },
    content: resolved,
  };
}

/** A text too long with tracked links says how long they are, and how to send them as written. */
function explainTrackedLength<T extends { code: string; message: string }>(
  items: T[],
  links: LinkTable | null,
): T[] {
  if (links === null || links.urls.length === 0) return items;
  const length = links.prefix.length + CODE_LENGTH;
  const hint = ` Each tracked link is sent as ${length} characters (${links.prefix}…); send with trackLinks: false to keep links as written.`;
  return items.map((item) =>
    item.code === "TEXT_TOO_LONG" ? { ...item, message: item.message + hint } : item,
  );
}

function sumCost(byType: Record<MessageType, bigint>): bigint {
  return byType.alimtalk + byType.sms + byType.lms + byType.mms;
}
