// The send form's answers as the body of POST /v1/messages (and its estimate).
import type { SendBody } from "./api/types.ts";
import { localInputToIso } from "./format.ts";

export interface SendForm {
  mode: "template" | "text";
  templateCode: string;
  variables: Record<string, string>;
  strategy: "alimtalk_first" | "alimtalk_only" | "cost_optimized";
  textType: "auto" | "sms" | "lms";
  text: string;
  subject: string;
  from: string;
  recipients: string;
  when: "now" | "later";
  sendAt: string;
  /** Contact groups sent to besides the recipients. */
  groupIds: string[];
  advertising: boolean;
  /** Advertising: the sender vouches for the consent of numbers that are not contacts. */
  consentConfirmed: boolean;
  /** Advertising at night to those without night consent: wait for 08:00, or leave them out. */
  nightPolicy: "defer" | "reject";
  /** Links sent as tracked links (each recipient's own short link), counting clicks. */
  trackLinks: boolean;
}

/** Whether a text carries a web link (tracked unless the send says otherwise). */
export function hasLink(text: string | undefined | null): boolean {
  return /https?:\/\/\S/i.test(text ?? "");
}

export interface Recipient {
  to: string;
  name?: string;
  /** The line of the recipients box it came from, counted from 1. */
  line: number;
}

/** One recipient a line: a number, then optionally a comma (or tab) and a name. */
export function parseRecipients(text: string): Recipient[] {
  const recipients: Recipient[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const [to = "", ...rest] = line.split(/[,\t]/);
    const name = rest.join(",").trim();
    recipients.push({ to: to.trim(), line: i + 1, ...(name ? { name } : {}) });
  }
  return recipients;
}

export function buildSendBody(form: SendForm, recipients: Recipient[]): SendBody {
  const sendAt = form.when === "later" ? localInputToIso(form.sendAt) : undefined;
  const list = recipients.map((r) => ({
    to: r.to,
    ...(r.name ? { name: r.name } : {}),
    ...(r.name && form.mode === "template" ? { variables: { name: r.name } } : {}),
  }));
  const common = {
    recipients: list,
    ...(form.trackLinks ? {} : { trackLinks: false }),
    ...(form.groupIds.length > 0 ? { groupIds: form.groupIds } : {}),
    ...(form.from ? { from: form.from } : {}),
    ...(sendAt ? { sendAt } : {}),
  };
  if (form.mode === "template" && !form.advertising) {
    const variables = Object.fromEntries(
      Object.entries(form.variables).filter(([, value]) => value !== ""),
    );
    return {
      ...common,
      type: "alimtalk",
      strategy: form.strategy,
      template: { code: form.templateCode, variables },
    };
  }
  return {
    ...common,
    type: form.textType,
    text: form.text,
    ...(form.subject && form.textType !== "sms" ? { subject: form.subject } : {}),
    ...(form.advertising
      ? {
          advertising: true,
          nightPolicy: form.nightPolicy,
          ...(form.consentConfirmed && recipients.length > 0 ? { consentConfirmed: true } : {}),
        }
      : {}),
  };
}

/** The marking an advertising text starts with (정보통신망법 제50조). */
export const AD_PREFIX = "(광고)";

/** The text with the advertising marking at its start (once). */
export function withAdPrefix(text: string): string {
  if (text.startsWith(AD_PREFIX)) return text;
  const rest = text.trimStart();
  return rest ? `${AD_PREFIX} ${rest}` : `${AD_PREFIX} `;
}
