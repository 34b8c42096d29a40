// Request-level checks of a send that do not involve its content or recipients.
import { checkAdvertisingText } from "./advertising.ts";
import { parseOffsetDateTime } from "./iso-time.ts";
import { normalizeSenderNumber } from "./phone.ts";
import type { ContentPiece } from "./send-content.ts";
import type { ImageInfo, RequestedType, SenderInfo, Strategy, TemplateInfo } from "./send-plan.ts";
import type { FieldError } from "./template.ts";

/** The template a send may use, or the errors that make it unusable. */
export function resolveTemplate(options: {
  code: string | undefined;
  found: TemplateInfo | null;
  required: boolean;
  errors: FieldError[];
}): TemplateInfo | null {
  const { code, found, required, errors } = options;
  if (code === undefined) {
    if (required) {
      errors.push({
        path: "/template",
        code: "TEMPLATE_REQUIRED",
        message: "Alimtalk needs a template: give template.code.",
      });
    }
    return null;
  }
  if (found === null) {
    errors.push({
      path: "/template/code",
      code: "TEMPLATE_NOT_FOUND",
      message: `No template with code "${code}".`,
    });
    return null;
  }
  if (found.status !== "approved") {
    errors.push({
      path: "/template/code",
      code: "TEMPLATE_NOT_APPROVED",
      message: `Template "${code}" is ${found.status}; only approved templates can be sent.`,
    });
    return null;
  }
  return found;
}

/** Flags a strategy that cannot send the requested type; returns whether they fit. */
export function checkStrategy(
  type: RequestedType,
  strategy: Strategy,
  errors: FieldError[],
): boolean {
  const textType = type === "sms" || type === "lms" || type === "mms";
  if (textType && (strategy === "alimtalk_first" || strategy === "alimtalk_only")) {
    errors.push({
      path: "/strategy",
      code: "INVALID_VALUE",
      message: `Strategy "${strategy}" sends Alimtalk; it cannot send type "${type}". Use "sms_only" or "cost_optimized".`,
    });
    return false;
  }
  if (type === "mms" && strategy === "cost_optimized") {
    // Its Alimtalk would fall back to SMS/LMS; an MMS has no cheaper stand-in.
    errors.push({
      path: "/strategy",
      code: "INVALID_VALUE",
      message:
        'Strategy "cost_optimized" chooses between Alimtalk and SMS/LMS; send an MMS with "sms_only".',
    });
    return false;
  }
  if (type === "alimtalk" && strategy === "sms_only") {
    errors.push({
      path: "/strategy",
      code: "INVALID_VALUE",
      message: 'Strategy "sms_only" cannot send type "alimtalk".',
    });
    return false;
  }
  return true;
}

/**
 * The caller number as national digits: the given one if registered and verified, else the
 * organization's default. "" when no sender is needed (Alimtalk without fallback) and none exists.
 */
export function resolveSender(options: {
  from: string | undefined;
  senders: readonly SenderInfo[];
  required: boolean;
  errors: FieldError[];
}): string {
  const { senders, required, errors } = options;
  const given = options.from?.trim() ?? "";
  if (given === "") {
    const fallback = senders.find((sender) => sender.isDefault && sender.status === "verified");
    if (fallback !== undefined) return fallback.number;
    if (required) {
      errors.push({
        path: "/from",
        code: "NO_DEFAULT_SENDER",
        message:
          "No caller number given and the organization has no verified default caller number; register one or give from.",
      });
    }
    return "";
  }
  const normalized = normalizeSenderNumber(given);
  if (!normalized.ok) {
    errors.push({ path: "/from", code: "INVALID_SENDER", message: normalized.message });
    return "";
  }
  const sender = senders.find((candidate) => candidate.number === normalized.number);
  if (sender === undefined) {
    errors.push({
      path: "/from",
      code: "SENDER_NOT_REGISTERED",
      message: `Caller number ${normalized.number} is not registered for this organization.`,
    });
    return "";
  }
  if (sender.status !== "verified") {
    errors.push({
      path: "/from",
      code: "SENDER_NOT_VERIFIED",
      message: `Caller number ${normalized.number} is registered but not verified yet.`,
    });
    return "";
  }
  return sender.number;
}

// A sendAt a little in the past is clock skew or a slow client, not a mistake.
const PAST_TOLERANCE_MS = 60_000;

/** When to send: null for now (no sendAt, or one within the last minute), else the instant. */
export function resolveSendAt(options: {
  sendAt: string | undefined;
  now: Date;
  maxAheadMs: number;
  errors: FieldError[];
}): Date | null {
  const { sendAt, now, maxAheadMs, errors } = options;
  if (sendAt === undefined) return null;
  const at = parseOffsetDateTime(sendAt);
  if (at === null) {
    errors.push({
      path: "/sendAt",
      code: "INVALID_VALUE",
      message: `"${sendAt}" is not a date-time with an offset, like "2026-12-25T10:00:00+09:00".`,
    });
    return null;
  }
  const ahead = at.getTime() - now.getTime();
  if (ahead < -PAST_TOLERANCE_MS) {
    errors.push({
      path: "/sendAt",
      code: "SEND_AT_IN_PAST",
      message: `sendAt ${sendAt} is in the past; leave it out to send now.`,
    });
    return null;
  }
  if (ahead > maxAheadMs) {
    const days = Math.floor(maxAheadMs / 86_400_000);
    errors.push({
      path: "/sendAt",
      code: "SEND_AT_TOO_FAR",
      message: `sendAt ${sendAt} is more than ${days} days ahead.`,
    });
    return null;
  }
  return ahead > 0 ? at : null;
}

/** Advertising goes by SMS only, marked as the Network Act requires. */
export function checkAdvertising(options: {
  usesAlimtalk: boolean;
  text: ContentPiece | null;
  errors: FieldError[];
}): void {
  const { usesAlimtalk, text, errors } = options;
  if (usesAlimtalk) {
    errors.push({
      path: "/advertising",
      code: "INVALID_VALUE",
      message:
        'Alimtalk may carry only informational messages, never advertising; send advertising with strategy "sms_only".',
    });
  } else if (text !== null) {
    errors.push(...checkAdvertisingText(text.compiled.body, text.path));
  }
}

export function checkRecipientCount(options: {
  count: number;
  max: number;
  errors: FieldError[];
}): void {
  const { count, max, errors } = options;
  if (count === 0) {
    errors.push({
      path: "/recipients",
      code: "RECIPIENTS_REQUIRED",
      message: "Give at least one recipient, or groupIds with members.",
    });
  } else if (count > max) {
    errors.push({
      path: "/recipients",
      code: "TOO_MANY_RECIPIENTS",
      message: `${count} recipients given; a request may have at most ${max}.`,
    });
  }
}

export const MMS_IMAGE_LIMITS = { count: 3, bytes: 300 * 1024, mime: "image/jpeg" } as const;

/**
 * MMS images: at most 3, each the organization's own JPEG of at most 300 KB (NHN Cloud, the
 * strictest vendor, takes only JPEG), and only where the message goes as MMS.
 */
export function checkImages(options: {
  ids: readonly string[];
  found: readonly ImageInfo[];
  type: RequestedType;
  strategy: Strategy;
  errors: FieldError[];
}): void {
  const { ids, found, type, strategy, errors } = options;
  if (ids.length === 0) return;
  if (strategy !== "sms_only" || (type !== "auto" && type !== "mms")) {
    errors.push({
      path: "/imageIds",
      code: "IMAGES_NOT_ALLOWED",
      message:
        'Images go only by MMS: give type "mms" or "auto" with strategy "sms_only" (an Alimtalk fallback is SMS or LMS).',
    });
    return;
  }
  if (ids.length > MMS_IMAGE_LIMITS.count) {
    errors.push({
      path: "/imageIds",
      code: "TOO_MANY_IMAGES",
      message: `${ids.length} images given; an MMS carries at most ${MMS_IMAGE_LIMITS.count}.`,
    });
    return;
  }
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    const path = `/imageIds/${index}`;
    const file = found.find((candidate) => candidate.id === id);
    if (seen.has(id)) {
      errors.push({ path, code: "DUPLICATE_IMAGE", message: `${id} appears earlier in imageIds.` });
    } else if (file === undefined) {
      errors.push({
        path,
        code: "FILE_NOT_FOUND",
        message: `No file ${id}; upload it with POST /v1/files.`,
      });
    } else if (file.mime !== MMS_IMAGE_LIMITS.mime) {
      errors.push({
        path,
        code: "UNSUPPORTED_IMAGE",
        message: `${id} is ${file.mime}; MMS images must be JPEG.`,
      });
    } else if (file.size > MMS_IMAGE_LIMITS.bytes) {
      errors.push({
        path,
        code: "IMAGE_TOO_LARGE",
        message: `${id} is ${file.size} bytes; an MMS image may have at most ${MMS_IMAGE_LIMITS.bytes} bytes (300 KB).`,
      });
    }
    seen.add(id);
  });
}
