// Click tracking, the text side: finding http(s) links in a message's text
// (Korean text runs straight on from a URL: "https://a.kr/sale에서 확인"),
// replacing each with a tracked link at acceptance, and filling in each
// message's own code at dispatch.
//
// At acceptance a tracked link becomes `{prefix}{placeholder}`, where the
// placeholder has exactly the length of a code (link-codes.ts): the text the
// planner counts and prices has the bytes of what each recipient will get,
// with no per-message work. At dispatch the placeholder is replaced by the
// message's code. What is not tracked goes as written: links with `#{var}`
// in them (their target differs per recipient), links that variables bring,
// links past MAX_TRACKED_LINKS, host names that are not ASCII.
import { CODE_LENGTH } from "./link-codes.ts";
import type { TemplateButton } from "./template.ts";

/** Where tracked links are answered on the server: `{base}/r/{code}`. */
export const REDIRECT_PATH = "/r/";

/** Distinct links tracked per campaign; further ones go as written. */
export const MAX_TRACKED_LINKS = 50;

/** The longest URL tracked (what a campaign_links row keeps). */
export const MAX_TRACKED_URL_LENGTH = 2000;

export interface FoundLink {
  /** UTF-16 offsets in the text: text.slice(start, end) === url. */
  start: number;
  end: number;
  url: string;
}

// A URL is ASCII: scheme, then the characters RFC 3986 allows; a `#{var}`
// inside is taken as part of it (so that such a link is recognised, and left
// alone, whole). Anything else — a space, Hangul, full-width punctuation,
// quotes, angle brackets — ends it.
const LINK = /https?:\/\/(?:#\{[^{}#\s]+\}|[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%])+/gi;
// Punctuation that ends a sentence rather than the URL.
const TRAILING = new Set([".", ",", ";", ":", "!", "?", "'", "*"]);

/** The http(s) links of a text, in order, with sentence punctuation trimmed off their ends. */
export function findLinks(text: string): FoundLink[] {
  const found: FoundLink[] = [];
  for (const match of text.matchAll(LINK)) {
    const start = match.index;
    const url = trimTrailing(match[0]);
    if (!hasHost(url)) continue;
    found.push({ start, end: start + url.length, url });
  }
  return found;
}

function trimTrailing(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (last === undefined) break;
    if (TRAILING.has(last)) {
      end--;
      continue;
    }
    // A closing bracket belongs to the URL only when the URL opened it: "(https://a.kr/x)".
    if (last === ")" || last === "]") {
      const open = last === ")" ? "(" : "[";
      const part = url.slice(0, end);
      if (count(part, last) > count(part, open)) {
        end--;
        continue;
      }
    }
    break;
  }
  return url.slice(0, end);
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}

function hasHost(url: string): boolean {
  try {
    return new URL(url).hostname !== "";
  } catch {
    return false;
  }
}

/** Whether a link can be tracked: one target for everyone, short enough to keep. */
function isTrackable(url: string): boolean {
  return !url.includes("#{") && url.length <= MAX_TRACKED_URL_LENGTH;
}

/**
 * What tracked links of a campaign start with: the link base URL (scheme,
 * host, optional port and path, no trailing slash) and REDIRECT_PATH. ASCII
 * only (a Unicode host is written in punycode), since its bytes are counted.
 */
export function linkPrefixOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`a link base URL is http or https, not ${url.protocol}`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path}${REDIRECT_PATH}`;
}

/** The distinct links of a campaign, numbered in order of first appearance. */
export interface LinkTable {
  prefix: string;
  urls: string[];
}

export function createLinkTable(prefix: string): LinkTable {
  return { prefix, urls: [] };
}

/** A link's number in the table (adding it if new); null when the table is full. */
function numberOf(table: LinkTable, url: string): number | null {
  const known = table.urls.indexOf(url);
  if (known !== -1) return known;
  if (table.urls.length >= MAX_TRACKED_LINKS) return null;
  table.urls.push(url);
  return table.urls.length - 1;
}

/**
 * Stands in for link `index`'s code in stored content: exactly CODE_LENGTH
 * ASCII characters, so that the text counts the bytes it will be sent with.
 */
export function placeholderOf(index: number): string {
  const mark = `{link${String(index).padStart(2, "0")}}`;
  return mark.padEnd(CODE_LENGTH, "_");
}

const PLACEHOLDER_SOURCE = `\\{link(\\d\\d)\\}_{${CODE_LENGTH - 8}}`;

/** The text with each trackable link replaced by its tracked link (placeholder code). */
export function trackTextLinks(text: string, table: LinkTable): string {
  const links = findLinks(text);
  if (links.length === 0) return text;
  let out = "";
  let last = 0;
  for (const link of links) {
    if (!isTrackable(link.url)) continue;
    const index = numberOf(table, link.url);
    if (index === null) continue;
    out += `${text.slice(last, link.start)}${table.prefix}${placeholderOf(index)}`;
    last = link.end;
  }
  return last === 0 ? text : out + text.slice(last);
}

const BUTTON_LINK_FIELDS = ["linkMobile", "linkPc"] as const;

/**
 * WL (web link) buttons with their links tracked: a link field that is one
 * trackable URL, and nothing else, becomes a tracked link. Other buttons, and
 * links with `#{var}`, stay as they are.
 */
export function trackButtonLinks(
  buttons: readonly TemplateButton[],
  table: LinkTable,
): TemplateButton[] {
  return buttons.map((button) => {
    if (button.type !== "WL") return button;
    let tracked: TemplateButton | null = null;
    for (const field of BUTTON_LINK_FIELDS) {
      const value = button[field];
      if (value === undefined) continue;
      const [link] = findLinks(value);
      if (link?.start !== 0 || link.end !== value.length || !isTrackable(value)) continue;
      const index = numberOf(table, value);
      if (index === null) continue;
      tracked ??= { ...button };
      tracked[field] = `${table.prefix}${placeholderOf(index)}`;
    }
    return tracked ?? button;
  });
}

/** Finds a campaign's placeholders behind its prefix, at dispatch. */
export function placeholderPattern(prefix: string): RegExp {
  return new RegExp(`${escapeRegExp(prefix)}${PLACEHOLDER_SOURCE}`, "g");
}

/** The text with each placeholder behind `pattern` replaced by `prefix` and the code for its link. */
export function fillLinks(options: {
  text: string;
  prefix: string;
  pattern: RegExp;
  codeOf: (index: number) => string;
}): string {
  const { text, prefix, pattern, codeOf } = options;
  if (!text.includes(prefix)) return text;
  return text.replace(pattern, (_, index: string) => `${prefix}${codeOf(Number(index))}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
