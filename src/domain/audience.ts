// Who a send goes to, within the rules: the request's recipients and the
// members of its groups, once per number (the request's own recipient wins),
// each filled in from its contact (#{name} and #{key} from its name and
// attributes, unless the recipient gives them); then opt-outs, advertising
// consent and the advertising night (21:00–08:00 in the organization's time
// zone) decide who is sent to, who waits for the morning and who is refused.
import { isNightTime, nextMorning } from "./advertising.ts";
import type { SendRecipientInput } from "./send-plan.ts";

export interface AudienceContact {
  phone: string;
  name: string | null;
  attributes: Record<string, string | number | boolean>;
  adConsent: boolean;
  nightConsent: boolean;
  /** A group member: the group it is sent as a member of. */
  groupId?: string | null;
}

export interface AudienceRules {
  advertising: boolean;
  /** A number that is not a contact may get advertising only when the request says so. */
  consentConfirmed: boolean;
  nightPolicy: "defer" | "reject";
  /**
   * When the send goes out (now, or its sendAt); null when that is decided
   * later (a draft's part: the night is judged when the draft is released).
   */
  sendsAt: Date | null;
  timeZone: string;
}

export interface AudienceRejection {
  index: number;
  to: string;
  code: "OPTED_OUT" | "NO_AD_CONSENT" | "NIGHT_TIME_AD";
  message: string;
}

export interface Audience {
  /** The recipients to plan, in order. */
  recipients: SendRecipientInput[];
  /** For each of them, its index in the request: a group member's counts on after the request's recipients. */
  origin: number[];
  /** For each of them, the group it is sent as a member of; null: the request gave it. */
  groups: (string | null)[];
  rejected: AudienceRejection[];
  /** Indexes (into `recipients`) of those that wait for the morning, and until when. */
  deferred: { indexes: Set<number>; until: Date | null };
}

/** A contact's variables: its attributes and #{name}, under the recipient's own. */
export function variablesOf(
  contact: Pick<AudienceContact, "name" | "attributes">,
  own: Record<string, string> | undefined,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(contact.attributes)) vars[k] = String(v);
  if (contact.name !== null) vars.name = contact.name;
  return own ? { ...vars, ...own } : vars;
}

export function resolveAudience(input: {
  recipients: readonly SendRecipientInput[];
  /** Each request recipient's number in E.164, or null when it is not a number (the plan refuses it). */
  phones: readonly (string | null)[];
  members: readonly AudienceContact[];
  /** Contacts by number, for the request's recipients. */
  contacts: ReadonlyMap<string, AudienceContact>;
  optOuts: ReadonlyMap<string, "advertising" | "all">;
  rules: AudienceRules;
}): Audience {
  const { rules } = input;
  const seen = new Set<string>();
  const candidates: {
    recipient: SendRecipientInput;
    index: number;
    phone: string | null;
    contact: AudienceContact | null;
    group: string | null;
  }[] = [];
  input.recipients.forEach((recipient, index) => {
    const phone = input.phones[index] ?? null;
    if (phone !== null) seen.add(phone);
    const contact = phone === null ? null : (input.contacts.get(phone) ?? null);
    candidates.push({ recipient, index, phone, contact, group: null });
  });
  let next = input.recipients.length;
  for (const member of input.members) {
    if (seen.has(member.phone)) continue;
    seen.add(member.phone);
    candidates.push({
      recipient: { to: member.phone },
      index: next++,
      phone: member.phone,
      contact: member,
      group: member.groupId ?? null,
    });
  }

  const sendsAt = rules.sendsAt;
  const night = rules.advertising && sendsAt !== null && isNightTime(sendsAt, rules.timeZone);
  const morning = night && sendsAt !== null ? nextMorning(sendsAt, rules.timeZone) : null;
  const audience: Audience = {
    recipients: [],
    origin: [],
    groups: [],
    rejected: [],
    deferred: { indexes: new Set(), until: null },
  };
  const refuse = (
    c: (typeof candidates)[number],
    code: AudienceRejection["code"],
    message: string,
  ) => audience.rejected.push({ index: c.index, to: c.recipient.to, code, message });

  for (const c of candidates) {
    const optOut = c.phone === null ? undefined : input.optOuts.get(c.phone);
    if (optOut === "all" || (optOut === "advertising" && rules.advertising)) {
      refuse(
        c,
        "OPTED_OUT",
        `${c.recipient.to} asked to receive ${optOut === "all" ? "nothing" : "no advertising"}.`,
      );
      continue;
    }
    let deferred = false;
    if (rules.advertising && c.phone !== null) {
      if (c.contact ? !c.contact.adConsent : !rules.consentConfirmed) {
        refuse(
          c,
          "NO_AD_CONSENT",
          c.contact
            ? `${c.recipient.to} has not consented to advertising.`
            : `${c.recipient.to} is not a contact: advertising to it needs "consentConfirmed": true.`,
        );
        continue;
      }
      if (night && !c.contact?.nightConsent) {
        if (rules.nightPolicy === "reject") {
          refuse(
            c,
            "NIGHT_TIME_AD",
            `advertising between 21:00 and 08:00 needs ${c.recipient.to}'s night consent.`,
          );
          continue;
        }
        deferred = true;
      }
    }
    const recipient: SendRecipientInput = c.contact
      ? {
          to: c.recipient.to,
          ...((c.recipient.name ?? c.contact.name)
            ? { name: c.recipient.name ?? c.contact.name ?? undefined }
            : {}),
          variables: variablesOf(c.contact, c.recipient.variables),
        }
      : c.recipient;
    if (deferred) audience.deferred.indexes.add(audience.recipients.length);
    audience.recipients.push(recipient);
    audience.origin.push(c.index);
    audience.groups.push(c.group);
  }
  if (audience.deferred.indexes.size > 0) audience.deferred.until = morning;
  return audience;
}
