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
    ...(form.from ? { from: form.from } : {}),
    ...(sendAt ? { sendAt } : {}),
  };
  if (form.mode === "template") {
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
    ...(form.subject ? { subject: form.subject } : {}),
  };
}
