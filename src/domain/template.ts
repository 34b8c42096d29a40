import { countCharacters } from "./characters.ts";
import { checkSubject, checkTextContent, LIMITS } from "./message-content.ts";

export const BUTTON_TYPES = ["WL", "AL", "DS", "BK", "MD", "AC"] as const;
export type ButtonType = (typeof BUTTON_TYPES)[number];

export type TemplateButton = {
  type: ButtonType;
  name: string;
  linkMobile?: string;
  linkPc?: string;
  schemeAndroid?: string;
  schemeIos?: string;
};

export type FieldError = { path: string; code: string; message: string };

// A variable is "#{" name "}" where the name is one or more characters other than
// whitespace, "#", "{" and "}" — no trimming: "#{ name }" is not a variable but text,
// and validateTemplateDefinition flags it so it is not sent literally by mistake.
const VARIABLE = /#\{([^{}#\s]+)\}/g;
const VARIABLE_AT = /#\{[^{}#\s]+\}/y;

/** Lists the variable names of a body, unique, in order of first appearance. */
export function extractVariables(body: string): string[] {
  const names = new Set<string>();
  for (const match of body.matchAll(VARIABLE)) {
    if (match[1] !== undefined) names.add(match[1]);
  }
  return [...names];
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };
type Variables = Readonly<Record<string, string>>;

export interface CompiledTemplate {
  readonly body: string;
  /** Unique names, in order of first appearance. */
  readonly variables: string[];
  /** Substitutes the variables; values in `overrides` win over `variables`. */
  render(variables: Variables, overrides?: Variables | null): RenderResult;
}

/** Splits a body once into literals and variable slots, so rendering is a join. */
export function compileTemplate(body: string): CompiledTemplate {
  const literals: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const match of body.matchAll(VARIABLE)) {
    literals.push(body.slice(last, match.index));
    slots.push(match[1] ?? "");
    last = match.index + match[0].length;
  }
  literals.push(body.slice(last));
  const variables = [...new Set(slots)];
  if (variables.length === 0) {
    const constant: RenderResult = Object.freeze({ ok: true, text: body });
    return { body, variables, render: () => constant };
  }
  return {
    body,
    // A copy, so a caller editing the list cannot change what render checks.
    variables: [...variables],
    render(values, overrides) {
      let missing: string[] | null = null;
      for (const name of variables) {
        if (lookup(name, values, overrides) !== undefined) continue;
        missing ??= [];
        missing.push(name);
      }
      if (missing !== null) return { ok: false, missing };
      let text = literals[0] ?? "";
      for (let i = 0; i < slots.length; i++) {
        text += `${lookup(slots[i] ?? "", values, overrides)}${literals[i + 1]}`;
      }
      return { ok: true, text };
    },
  };
}

// Own properties only: a variable named "constructor" must not find Object.prototype's.
function lookup(name: string, values: Variables, overrides?: Variables | null): string | undefined {
  if (overrides != null && Object.hasOwn(overrides, name)) {
    const value = overrides[name];
    if (typeof value === "string") return value;
  }
  if (Object.hasOwn(values, name)) {
    const value = values[name];
    if (typeof value === "string") return value;
  }
  return undefined;
}

/** Substitutes `#{name}` variables in a body; lists the names that have no value. */
export function renderTemplate(body: string, variables: Variables): RenderResult {
  return compileTemplate(body).render(variables);
}

/** The variables of buttons' links, unique, in order of the buttons and their fields. */
export function extractButtonVariables(buttons: readonly TemplateButton[]): string[] {
  const names = new Set<string>();
  for (const button of buttons) {
    for (const field of LINK_FIELDS) {
      const link = button[field];
      if (link) for (const name of extractVariables(link)) names.add(name);
    }
  }
  return [...names];
}

export type ButtonsResult =
  | { ok: true; buttons: TemplateButton[] }
  | { ok: false; missing: string[] };

export interface CompiledButtons {
  /** Unique names the links use, in order. */
  readonly variables: string[];
  /** The buttons with their links' variables filled in; values in `overrides` win. */
  render(variables: Variables, overrides?: Variables | null): ButtonsResult;
}

/**
 * Splits buttons' links once into literals and variable slots, so that a
 * message's buttons are a join. A value goes into a link as given, except
 * what no URL may hold (spaces, control and non-ASCII characters), which is
 * percent-encoded as encodeURI does: "홍 길동" → "%ED%99%8D%20…". Buttons
 * without variables come back as they are, the same array for every message.
 */
export function compileButtons(buttons: readonly TemplateButton[]): CompiledButtons {
  const variables = extractButtonVariables(buttons);
  if (variables.length === 0) {
    const constant: ButtonsResult = Object.freeze({
      ok: true,
      buttons: buttons as TemplateButton[],
    });
    return { variables, render: () => constant };
  }
  const compiled = buttons.map((button) => {
    const links: [LinkField, CompiledTemplate][] = [];
    for (const field of LINK_FIELDS) {
      const link = button[field];
      if (link?.includes("#{")) links.push([field, compileTemplate(link)]);
    }
    return { button, links };
  });
  return {
    variables: [...variables],
    render(values, overrides) {
      let missing: string[] | null = null;
      for (const name of variables) {
        if (lookup(name, values, overrides) !== undefined) continue;
        missing ??= [];
        missing.push(name);
      }
      if (missing !== null) return { ok: false, missing };
      const encoded = encodeValues(variables, values, overrides);
      return {
        ok: true,
        buttons: compiled.map(({ button, links }) => {
          if (links.length === 0) return button;
          const rendered: TemplateButton = { ...button };
          for (const [field, link] of links) {
            const r = link.render(encoded);
            if (r.ok) rendered[field] = r.text;
          }
          return rendered;
        }),
      };
    },
  };
}

function encodeValues(
  names: readonly string[],
  values: Variables,
  overrides: Variables | null | undefined,
): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const name of names) {
    const value = lookup(name, values, overrides) ?? "";
    encoded[name] = encodeLinkValue(value);
  }
  return encoded;
}

// encodeURI leaves what a URL may hold ("/", "?", "&", "=", "#", "%"…) and encodes the rest.
function encodeLinkValue(value: string): string {
  if (/^[\x21-\x7e]*$/.test(value)) return value;
  try {
    return encodeURI(value);
  } catch {
    // A lone surrogate cannot be encoded: it goes as given, for the vendor to refuse.
    return value;
  }
}

/** Finds the first "#{" that does not open a well-formed variable; -1 when there is none. */
export function findMalformedVariable(body: string): number {
  let at = body.indexOf("#{");
  while (at !== -1) {
    VARIABLE_AT.lastIndex = at;
    if (!VARIABLE_AT.test(body)) return at;
    at = body.indexOf("#{", at + 2);
  }
  return -1;
}

export interface TemplateDefinition {
  code: string;
  body: string;
  buttons?: TemplateButton[];
  fallback?: { text?: string; subject?: string } | null;
}

const TEMPLATE_CODE = /^[A-Za-z0-9_-]{1,30}$/;
const BLANK = /^\s*$/;

/**
 * Checks an Alimtalk template before it is stored; returns its variables: the
 * body's in order of appearance, then those that only its button links use.
 */
export function validateTemplateDefinition(
  input: TemplateDefinition,
): { ok: true; variables: string[] } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!TEMPLATE_CODE.test(input.code)) {
    errors.push({
      path: "/code",
      code: "INVALID_VALUE",
      message: "Template code must be 1–30 letters, digits, underscores or hyphens.",
    });
  }
  const bodyVariables = extractVariables(input.body);
  errors.push(...checkBody(input.body, bodyVariables));
  errors.push(...checkButtons(input.buttons ?? []));
  // The template's variables: the body's, then those only its button links use.
  const variables = [
    ...new Set([...bodyVariables, ...extractButtonVariables(input.buttons ?? [])]),
  ];
  errors.push(...checkFallback(input.fallback ?? null, new Set(variables)));
  return errors.length === 0 ? { ok: true, variables } : { ok: false, errors };
}

function checkBody(body: string, variables: string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (BLANK.test(body)) {
    errors.push({ path: "/body", code: "TEXT_REQUIRED", message: "Body must not be empty." });
  }
  const characters = countCharacters(body);
  if (characters > LIMITS.alimtalkChars) {
    errors.push({
      path: "/body",
      code: "TEXT_TOO_LONG",
      message: `Body is ${characters} characters; Alimtalk allows ${LIMITS.alimtalkChars}.`,
    });
  }
  if (variables.length > LIMITS.alimtalkVariables) {
    errors.push({
      path: "/body",
      code: "TOO_MANY_VARIABLES",
      message: `Body has ${variables.length} variables; Alimtalk allows ${LIMITS.alimtalkVariables}.`,
    });
  }
  const malformed = findMalformedVariable(body);
  if (malformed !== -1) {
    const excerpt = body.slice(malformed, malformed + 20).split("\n")[0];
    errors.push({
      path: "/body",
      code: "INVALID_VALUE",
      message: `"${excerpt}" at character ${countCharacters(body.slice(0, malformed)) + 1} is not a variable: write #{name}, with no spaces, "#", "{" or "}" in the name.`,
    });
  }
  return errors;
}

const MAX_BUTTON_NAME = 14;
const MAX_LINK = 500;
const LINK_FIELDS = ["linkMobile", "linkPc", "schemeAndroid", "schemeIos"] as const;
type LinkField = (typeof LINK_FIELDS)[number];

// Which link fields each button type takes, and which of them it requires.
// AL needs both app schemes (Kakao's app-link button opens the app on either platform).
const BUTTON_LINKS: Record<
  ButtonType,
  { allowed: readonly LinkField[]; required: readonly LinkField[] }
> = {
  WL: { allowed: ["linkMobile", "linkPc"], required: ["linkMobile"] },
  AL: {
    allowed: ["linkMobile", "linkPc", "schemeAndroid", "schemeIos"],
    required: ["schemeAndroid", "schemeIos"],
  },
  DS: { allowed: [], required: [] },
  BK: { allowed: [], required: [] },
  MD: { allowed: [], required: [] },
  AC: { allowed: [], required: [] },
};

const HTTP_URL = /^https?:\/\/\S+$/i;
const APP_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/;

function checkButtons(buttons: TemplateButton[]): FieldError[] {
  const errors: FieldError[] = [];
  if (buttons.length > LIMITS.alimtalkButtons) {
    errors.push({
      path: "/buttons",
      code: "TOO_MANY_BUTTONS",
      message: `${buttons.length} buttons given; Alimtalk allows ${LIMITS.alimtalkButtons}.`,
    });
  }
  buttons.forEach((button, index) => {
    const path = `/buttons/${index}`;
    const links = Object.hasOwn(BUTTON_LINKS, button.type) ? BUTTON_LINKS[button.type] : null;
    if (links === null) {
      errors.push({
        path: `${path}/type`,
        code: "INVALID_VALUE",
        message: `Button type must be one of ${BUTTON_TYPES.join(", ")}.`,
      });
    }
    const nameLength = countCharacters(button.name.trim());
    if (nameLength === 0) {
      errors.push({ path: `${path}/name`, code: "REQUIRED", message: "Button name is required." });
    } else if (countCharacters(button.name) > MAX_BUTTON_NAME) {
      errors.push({
        path: `${path}/name`,
        code: "TEXT_TOO_LONG",
        message: `Button name is ${countCharacters(button.name)} characters; the limit is ${MAX_BUTTON_NAME}.`,
      });
    }
    if (links !== null) errors.push(...checkButtonLinks(button, links, path));
  });
  return errors;
}

function checkButtonLinks(
  button: TemplateButton,
  links: { allowed: readonly LinkField[]; required: readonly LinkField[] },
  path: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of LINK_FIELDS) {
    const value = button[field];
    const given = value !== undefined && value !== "";
    if (!given) {
      if (links.required.includes(field)) {
        errors.push({
          path: `${path}/${field}`,
          code: "REQUIRED",
          message: `${button.type} buttons need ${field}.`,
        });
      }
      continue;
    }
    if (!links.allowed.includes(field)) {
      errors.push({
        path: `${path}/${field}`,
        code: "INVALID_VALUE",
        message: `${button.type} buttons take no ${field}.`,
      });
      continue;
    }
    const problem = checkLink(field, value);
    if (problem !== null) {
      errors.push({ path: `${path}/${field}`, code: "INVALID_VALUE", message: problem });
    }
  }
  return errors;
}

// Where a link's address ends: the scheme and host of a web link, the scheme of an app link.
// (A variable's "#{" is part of the address it stands in, not the start of a fragment.)
const WEB_ADDRESS = /^https?:\/\/(?:#\{[^}]*\}|[^/?#])*/i;
const APP_ADDRESS = /^[^:]*:/;

/**
 * A link may carry #{var} variables, filled in per message like the body,
 * but never in its address: a web link's scheme and host, an app link's
 * scheme are the template's, so an approved template cannot be made to point
 * anywhere else. The link is checked with each variable standing for "x".
 */
function checkLink(field: LinkField, value: string): string | null {
  if (value.length > MAX_LINK)
    return `${field} is ${value.length} characters; the limit is ${MAX_LINK}.`;
  const malformed = findMalformedVariable(value);
  if (malformed !== -1) {
    const excerpt = value.slice(malformed, malformed + 20);
    return `"${excerpt}" in ${field} is not a variable: write #{name}, with no spaces, "#", "{" or "}" in the name.`;
  }
  const app = field === "schemeAndroid" || field === "schemeIos";
  const address = (app ? APP_ADDRESS : WEB_ADDRESS).exec(value)?.[0] ?? "";
  if (address.includes("#{")) {
    return app
      ? `${field} must begin with its app scheme ("myapp://"), not a variable.`
      : `${field} must begin with its own address ("https://example.com/"); variables may follow it.`;
  }
  const sample = value.replace(VARIABLE, "x");
  if (app) {
    return APP_SCHEME.test(sample) ? null : `${field} must be an app link such as "myapp://path".`;
  }
  return HTTP_URL.test(sample) && URL.canParse(sample)
    ? null
    : `${field} must be an http:// or https:// URL.`;
}

function checkFallback(
  fallback: { text?: string; subject?: string } | null,
  templateVariables: ReadonlySet<string>,
): FieldError[] {
  if (fallback === null) return [];
  const errors: FieldError[] = [];
  const text = fallback.text ?? "";
  const subject = fallback.subject ?? "";
  for (const [value, path, label] of [
    [text, "/fallback/text", "Fallback text"],
    [subject, "/fallback/subject", "Fallback subject"],
  ] as const) {
    const unknown = extractVariables(value).filter((name) => !templateVariables.has(name));
    if (unknown.length > 0) {
      errors.push({
        path,
        code: "UNKNOWN_VARIABLE",
        message: `${label} uses ${unknown.map((name) => `#{${name}}`).join(", ")}, which the template's body and buttons do not have.`,
      });
    }
  }
  if (text !== "") {
    const content = checkTextContent({
      text,
      subject,
      type: "auto",
      textPath: "/fallback/text",
      subjectPath: "/fallback/subject",
    });
    if (!content.ok) errors.push(...content.errors);
  } else if (!BLANK.test(subject)) {
    errors.push(...checkSubject(subject, "/fallback/subject"));
  }
  return errors;
}
