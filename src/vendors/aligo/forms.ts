// How a batch of our messages becomes Aligo requests: which messages may
// share a request, and the form fields of each. Pure.
//
// SMS/LMS/MMS go through `/send_mass/`, never `/send/`: our texts are rendered
// per recipient, and `/send_mass/` takes a text per receiver (`rec_N`/`msg_N`,
// up to 500). `/send/` would only help when every text of a batch is equal,
// which a second wire shape is not worth. `msg_type`, `title` and `sender` are
// per request, so messages share a request only when all three agree; we set
// `msg_type` ourselves (SMS/LMS/MMS from the message's type) rather than rely on
// Aligo's 90-byte switch, which Aligo itself advises against.
//
// MMS goes through `/send/`, the SMS-API send Aligo documents with images
// (multipart `image1`..`image3`): one text, title and image set to up to 1,000
// comma-separated receivers, so MMS messages share a request only when all of
// them agree; a personalized MMS is one request per text. Aligo keeps no
// upload to reuse, so the images travel with every request.
//
// Alimtalk goes through `/akv10/alimtalk/send/` (numbered `receiver_N`,
// `subject_N`, `message_N`, `button_N`, up to 500); `tpl_code`, `sender` and
// `failover` are per request, so they decide the grouping there.
//
// Within a request a receiver appears at most once (a repeat goes to the next
// request of its group): Aligo reports results by receiver, and our vendor
// message id is `${channel}:${mid}:${receiver}`.
import type { AlimtalkButton, OutboundMessage } from "../vendor.ts";
import type { AligoCredentials, AligoSettings } from "./settings.ts";

/** A message ready to be placed: its index in the batch and its national number. */
export interface Placed {
  index: number;
  message: OutboundMessage;
  receiver: string;
}

/**
 * Splits messages into requests: one group per key (in order of first
 * appearance), each cut into requests of at most `max` with distinct receivers.
 */
export function planRequests(
  items: Placed[],
  options: { keyOf: (item: Placed) => string; max: number },
): Placed[][] {
  const groups = new Map<string, { items: Placed[]; receivers: Set<string> }[]>();
  const order: { items: Placed[]; receivers: Set<string> }[] = [];
  for (const item of items) {
    const key = options.keyOf(item);
    let requests = groups.get(key);
    if (requests === undefined) {
      requests = [];
      groups.set(key, requests);
    }
    let request = requests.find(
      (r) => r.items.length < options.max && !r.receivers.has(item.receiver),
    );
    if (request === undefined) {
      request = { items: [], receivers: new Set() };
      requests.push(request);
      order.push(request);
    }
    request.items.push(item);
    request.receivers.add(item.receiver);
  }
  return order.map((r) => r.items);
}

export const smsGroupKey = ({ message }: Placed): string =>
  [message.type, message.from, titleOf(message) ?? ""].join("\u0000");

export const mmsGroupKey = ({ message }: Placed): string =>
  JSON.stringify([
    message.from,
    titleOf(message) ?? "",
    message.text,
    message.images.map((i) => i.fileId),
  ]);

/** The multipart `/send/` form for MMS messages of one group (same text, title, sender, images). */
export function mmsSendForm(options: {
  credentials: AligoCredentials;
  settings: Pick<AligoSettings, "testMode">;
  items: Placed[];
}): FormData {
  const { credentials, items } = options;
  const first = items[0]!.message;
  const form = new FormData();
  form.set("key", credentials.apiKey);
  form.set("user_id", credentials.userId);
  form.set("sender", first.from);
  form.set("receiver", items.map((item) => item.receiver).join(","));
  form.set("msg", first.text);
  form.set("msg_type", "MMS");
  const title = titleOf(first);
  if (title !== null) form.set("title", title);
  first.images.forEach((image, i) => {
    form.set(`image${i + 1}`, new Blob([image.data], { type: image.mime }), image.name);
  });
  if (options.settings.testMode) form.set("testmode_yn", "Y");
  return form;
}

export const kakaoGroupKey =
  (settings: Pick<AligoSettings, "nativeFallback" | "defaultSender">) =>
  (item: Placed): string =>
    [
      item.message.alimtalk?.templateCode ?? "",
      kakaoSenderOf(item.message, settings),
      usesFailover(item.message, settings) ? "Y" : "N",
    ].join("\u0000");

const MSG_TYPES = { sms: "SMS", lms: "LMS", mms: "MMS" } as const;

/** The `/send_mass/` form for messages of one group (same type, sender and title). */
export function smsSendForm(options: {
  credentials: AligoCredentials;
  settings: Pick<AligoSettings, "testMode">;
  items: Placed[];
}): URLSearchParams {
  const { credentials, items } = options;
  const first = items[0]!.message;
  const form = new URLSearchParams({
    key: credentials.apiKey,
    user_id: credentials.userId,
    sender: first.from,
    cnt: String(items.length),
    msg_type: MSG_TYPES[first.type as keyof typeof MSG_TYPES] ?? "SMS",
  });
  const title = titleOf(first);
  if (title !== null) form.set("title", title);
  items.forEach((item, i) => {
    form.set(`rec_${i + 1}`, item.receiver);
    form.set(`msg_${i + 1}`, item.message.text);
  });
  if (options.settings.testMode) form.set("testmode_yn", "Y");
  return form;
}

/** The `/akv10/alimtalk/send/` form for messages of one group (same template, sender, failover). */
export function alimtalkSendForm(options: {
  credentials: AligoCredentials;
  settings: AligoSettings;
  token: string | null;
  items: Placed[];
}): URLSearchParams {
  const { credentials, settings, items } = options;
  const first = items[0]!.message;
  const form = new URLSearchParams({ apikey: credentials.apiKey, userid: credentials.userId });
  if (options.token !== null) form.set("token", options.token);
  form.set("senderkey", settings.senderKey ?? "");
  form.set("tpl_code", first.alimtalk?.templateCode ?? "");
  const sender = kakaoSenderOf(first, settings);
  if (sender !== "") form.set("sender", sender);
  const failover = usesFailover(first, settings);
  items.forEach(({ message, receiver }, i) => {
    const n = i + 1;
    form.set(`receiver_${n}`, receiver);
    form.set(`subject_${n}`, alimtalkSubjectOf(message));
    form.set(`message_${n}`, message.text);
    const buttons = message.alimtalk?.buttons ?? [];
    if (buttons.length > 0)
      form.set(`button_${n}`, buttonJsonOf(buttons, settings.kakaoButtonKeys));
  });
  if (failover) {
    form.set("failover", "Y");
    items.forEach(({ message }, i) => {
      const fallback = message.nativeFallback!;
      // Aligo's client documents fsubject and fmessage as both required when
      // failover is Y. Aligo picks SMS or LMS for the fallback itself by the
      // text's length (its akv10 send has no type field) and shows a title
      // only on an LMS: the fallback's subject, else the Alimtalk's subject_N.
      form.set(`fsubject_${i + 1}`, fallback.subject?.trim() || alimtalkSubjectOf(message));
      form.set(`fmessage_${i + 1}`, fallback.text);
    });
  }
  if (settings.testMode) form.set("testMode", "Y");
  return form;
}

/**
 * `subject_N`: required by Aligo and never shown to the recipient: the
 * subject when we have one, else the template code.
 */
const alimtalkSubjectOf = (message: OutboundMessage): string =>
  message.subject?.trim() || (message.alimtalk?.templateCode ?? "");

const LINK_TYPE_NAMES: Readonly<Record<string, string>> = {
  WL: "웹링크",
  AL: "앱링크",
  DS: "배송조회",
  BK: "봇키워드",
  MD: "메시지전달",
  AC: "채널 추가",
};

const LINK_KEYS = {
  short: { mobile: "linkM", pc: "linkP", ios: "linkI", android: "linkA" },
  long: { mobile: "linkMo", pc: "linkPc", ios: "linkIos", android: "linkAnd" },
} as const;

/** `button_N`: `{"button":[{name, linkType, linkTypeName, linkM, linkP, linkI, linkA}]}`. */
export function buttonJsonOf(buttons: AlimtalkButton[], keys: "short" | "long"): string {
  const k = LINK_KEYS[keys];
  return JSON.stringify({
    button: buttons.map((b) => {
      const out: Record<string, string> = { name: b.name, linkType: b.type };
      if (Object.hasOwn(LINK_TYPE_NAMES, b.type)) out.linkTypeName = LINK_TYPE_NAMES[b.type]!;
      if (b.linkMobile) out[k.mobile] = b.linkMobile;
      if (b.linkPc) out[k.pc] = b.linkPc;
      if (b.schemeIos) out[k.ios] = b.schemeIos;
      if (b.schemeAndroid) out[k.android] = b.schemeAndroid;
      return out;
    }),
  });
}

/** LMS/MMS carry a title when the message has a non-blank subject; SMS never does. */
function titleOf(message: OutboundMessage): string | null {
  if (message.type !== "lms" && message.type !== "mms") return null;
  return message.subject?.trim() || null;
}

function kakaoSenderOf(
  message: OutboundMessage,
  settings: Pick<AligoSettings, "defaultSender">,
): string {
  return message.from || settings.defaultSender || "";
}

/** Aligo sends the fallback itself only when the account uses native fallback and one is given. */
export function usesFailover(
  message: OutboundMessage,
  settings: Pick<AligoSettings, "nativeFallback">,
): boolean {
  return settings.nativeFallback && message.nativeFallback !== null;
}
