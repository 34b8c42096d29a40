// The per-recipient half of planSend. It runs up to 100,000 times per request, so the loop
// avoids closures and allocations per recipient: channels are shared constants, texts are
// checked without building results (constant texts once per request), and only failures,
// each explained once per distinct text, make objects on the side.
import { countCharacters } from "./characters.ts";
import {
  checkTextContent,
  LIMITS,
  type MessageType,
  pickTextType,
  type TextType,
} from "./message-content.ts";
import { matchKoreanMobile, normalizePhone } from "./phone.ts";
import { capitalize, type SendContent, type TextContent } from "./send-content.ts";
import type {
  PlannedMessage,
  Prices,
  Rejection,
  SendRecipientInput,
  Strategy,
} from "./send-plan.ts";
import type { CompiledTemplate } from "./template.ts";

type Variables = Readonly<Record<string, string>>;
type Failure = { code: string; message: string };
/** A planned channel; one shared object per (type, fallbackType). */
type Channel = {
  type: MessageType;
  fallbackType: TextType | null;
  /** The worst case: the dearer of the type and its fallback. */
  held: bigint;
  /** The type whose price is held. */
  worstType: MessageType;
  /** The price if the first channel delivers. */
  expected: bigint;
  slot: number;
};

const NO_VARIABLES: Variables = Object.freeze({});
// Texts that fail tend to fail for everyone alike; distinct ones beyond this are not kept.
const MAX_REMEMBERED_FAILURES = 1_000;

export function planRecipients(options: {
  recipients: readonly SendRecipientInput[];
  templateVariables: Variables | undefined;
  content: SendContent;
  strategy: Strategy;
  prices: Prices;
}): { messages: PlannedMessage[]; rejected: Rejection[]; cost: PlannedCost } {
  const { recipients, content } = options;
  const given = options.templateVariables;
  const shared = given !== undefined && Object.keys(given).length > 0 ? { ...given } : NO_VARIABLES;
  const channels = createChannels(options.prices);
  const choose = createChooser({ content, strategy: options.strategy, shared, channels });
  const counts = new Array<number>(channels.all.length).fill(0);
  const messages: PlannedMessage[] = [];
  const rejected: Rejection[] = [];
  const accepted = new Set<string>();

  for (let index = 0; index < recipients.length; index++) {
    const recipient = recipients[index] as SendRecipientInput;
    let e164 = matchKoreanMobile(recipient.to);
    if (e164 === null) {
      const phone = normalizePhone(recipient.to);
      if (!phone.ok) {
        rejected.push({ index, to: recipient.to, code: phone.code, message: phone.message });
        continue;
      }
      e164 = phone.e164;
    }
    // Only accepted numbers count: a later copy of a rejected recipient may well be valid.
    if (accepted.has(e164)) {
      rejected.push({
        index,
        to: recipient.to,
        code: "DUPLICATE_RECIPIENT",
        message: `${e164} appears earlier in recipients.`,
      });
      continue;
    }
    const own = recipient.variables ?? null;
    const missing = findMissing(content.variables, shared, own);
    if (missing !== null) {
      rejected.push({
        index,
        to: recipient.to,
        code: "MISSING_VARIABLE",
        message: `No value for ${missing.map((name) => `#{${name}}`).join(", ")}; give it in template.variables or the recipient's variables.`,
      });
      continue;
    }
    const channel = choose(own);
    if (!("slot" in channel)) {
      rejected.push({ index, to: recipient.to, code: channel.code, message: channel.message });
      continue;
    }
    accepted.add(e164);
    counts[channel.slot] = (counts[channel.slot] ?? 0) + 1;
    messages.push({
      index,
      to: e164,
      name: recipient.name ?? null,
      variables: mergeVariables(shared, own),
      type: channel.type,
      fallbackType: channel.fallbackType,
      held: channel.held,
    });
  }
  // Summed per channel rather than per message: 100,000 bigint additions are not free.
  const worstCase = noCost();
  const expected = noCost();
  for (const channel of channels.all) {
    const count = BigInt(counts[channel.slot] ?? 0);
    worstCase[channel.worstType] += channel.held * count;
    expected[channel.type] += channel.expected * count;
  }
  return { messages, rejected, cost: { worstCase, expected } };
}

/** Credits per message type: what a send may cost at worst, and what it costs if all goes well. */
export interface PlannedCost {
  /**
   * What is held, booked under the type that costs it: an Alimtalk message with an SMS
   * fallback dearer than itself is booked under "sms", since a failed Alimtalk is free.
   */
  worstCase: Record<MessageType, bigint>;
  /** Every message delivered on its first channel, at that channel's price. */
  expected: Record<MessageType, bigint>;
}

function noCost(): Record<MessageType, bigint> {
  return { alimtalk: 0n, sms: 0n, lms: 0n, mms: 0n };
}

function createChannels(prices: Prices) {
  const all: Channel[] = [];
  const make = (type: MessageType, fallbackType: TextType | null): Channel => {
    // A failed message is never charged, so the worst case is the dearer of the two, not both.
    const worstType =
      fallbackType !== null && prices[fallbackType] > prices[type] ? fallbackType : type;
    const channel = {
      type,
      fallbackType,
      held: prices[worstType],
      worstType,
      expected: prices[type],
      slot: all.length,
    };
    all.push(channel);
    return channel;
  };
  const single: Record<MessageType, Channel> = {
    alimtalk: make("alimtalk", null),
    sms: make("sms", null),
    lms: make("lms", null),
    mms: make("mms", null),
  };
  const withFallback: Record<TextType, Channel> = {
    sms: make("alimtalk", "sms"),
    lms: make("alimtalk", "lms"),
    mms: make("alimtalk", "mms"),
  };
  return { all, single, withFallback };
}

function createChooser(options: {
  content: SendContent;
  strategy: Strategy;
  shared: Variables;
  channels: ReturnType<typeof createChannels>;
}): (own: Variables | null) => Channel | Failure {
  const { content, strategy, shared, channels } = options;
  const { single, withFallback } = channels;
  const body = content.alimtalk;
  const checkText = createTextChecker(content.text, shared);
  const textOf = (own: Variables | null, rendered: string | null): TextType | Failure => {
    if (checkText === null) throw new Error(`planSend: ${strategy} without text content`);
    return checkText(own, rendered);
  };
  const bodyOf = (own: Variables | null): string | null =>
    body === null || body.variables.length === 0 ? null : render(body, shared, own);

  switch (strategy) {
    case "sms_only":
      return (own) => {
        const type = textOf(own, null);
        return typeof type === "string" ? single[type] : type;
      };
    case "alimtalk_only":
      return (own) => checkAlimtalk(bodyOf(own)) ?? single.alimtalk;
    case "alimtalk_first":
      return (own) => {
        const rendered = bodyOf(own);
        const failure = checkAlimtalk(rendered);
        if (failure !== null) return failure;
        const type = textOf(own, rendered);
        return typeof type === "string" ? withFallback[type] : type;
      };
    case "cost_optimized":
      // The cheaper first channel by the organization's prices; Alimtalk, when chosen, keeps
      // the text as its fallback, so a recipient without KakaoTalk still gets the message.
      return (own) => {
        const rendered = bodyOf(own);
        const alimtalkFailure = body === null ? null : checkAlimtalk(rendered);
        const alimtalk = body !== null && alimtalkFailure === null;
        const viaText = checkText === null ? null : checkText(own, rendered);
        if (typeof viaText === "string") {
          // Ties go to Alimtalk.
          if (!alimtalk || single.alimtalk.expected > single[viaText].expected) {
            return single[viaText];
          }
          return withFallback[viaText];
        }
        // A text SMS cannot carry (emoji in a template) leaves Alimtalk alone.
        if (alimtalk) return single.alimtalk;
        // Neither channel can carry this recipient's message: give both reasons.
        const failures = [alimtalkFailure, viaText].filter((failure) => failure !== null);
        const [first] = failures;
        if (first === undefined) throw new Error("planSend: cost_optimized without a channel");
        return { code: first.code, message: failures.map((failure) => failure.message).join(" ") };
      };
  }
}

function checkAlimtalk(rendered: string | null): Failure | null {
  // null: the body has no variables and was checked once for the whole request.
  // The UTF-16 length bounds the character count, so most texts skip counting.
  if (rendered === null || rendered.length <= LIMITS.alimtalkChars) return null;
  const characters = countCharacters(rendered);
  if (characters <= LIMITS.alimtalkChars) return null;
  return failWith(
    "TEXT_TOO_LONG",
    `Alimtalk text for this recipient is ${characters} characters; the limit is ${LIMITS.alimtalkChars}.`,
  );
}

/** Checks rendered SMS texts; the reasons for a failing text are worked out once per text. */
function createTextChecker(content: TextContent | null, shared: Variables) {
  if (content === null) return null;
  const { constant, text, subject, type } = content;
  if (constant !== null) return () => constant.type;
  const failures = new Map<string, Failure>();
  const label = capitalize(text.label);
  return (own: Variables | null, renderedBody: string | null): TextType | Failure => {
    const rendered =
      renderedBody !== null && text.reusesBody ? renderedBody : render(text.compiled, shared, own);
    const renderedSubject = subject === null ? null : render(subject.compiled, shared, own);
    const picked = pickTextType(rendered, renderedSubject, type);
    if (picked !== null) return picked;
    // The length prefix keeps (text, subject) pairs apart in one string key.
    const key =
      renderedSubject === null
        ? rendered
        : `${renderedSubject.length}:${renderedSubject}${rendered}`;
    let failure = failures.get(key);
    if (failure === undefined) {
      const checked = checkTextContent({ text: rendered, subject: renderedSubject, type });
      if (checked.ok) throw new Error("planSend: pickTextType and checkTextContent disagree");
      failure = failWith(
        checked.errors[0]?.code ?? "INVALID_VALUE",
        `${label} for this recipient: ${checked.errors.map((error) => error.message).join(" ")}`,
      );
      if (failures.size < MAX_REMEMBERED_FAILURES) failures.set(key, failure);
    }
    return failure;
  };
}

function mergeVariables(
  shared: Variables,
  own: Record<string, string> | null,
): Record<string, string> | null {
  // Without shared variables the recipient's own object is used as is: no copy per recipient.
  if (own !== null) return shared === NO_VARIABLES ? own : { ...shared, ...own };
  return shared === NO_VARIABLES ? null : shared;
}

function findMissing(
  names: readonly string[],
  shared: Variables,
  own: Variables | null,
): string[] | null {
  let missing: string[] | null = null;
  for (const name of names) {
    if (own !== null && Object.hasOwn(own, name) && typeof own[name] === "string") continue;
    if (Object.hasOwn(shared, name) && typeof shared[name] === "string") continue;
    missing ??= [];
    missing.push(name);
  }
  return missing;
}

function render(compiled: CompiledTemplate, shared: Variables, own: Variables | null): string {
  const rendered = compiled.render(shared, own);
  if (!rendered.ok)
    throw new Error(`planSend: ${rendered.missing.join(", ")} missing after the check`);
  return rendered.text;
}

function failWith(code: string, message: string): Failure {
  return { code, message };
}
