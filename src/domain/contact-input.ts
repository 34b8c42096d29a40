// What a contact may hold, checked before anything is stored: a name of at
// most 100 characters, and at most 50 attributes whose keys are short words
// (they become #{key} variables) and whose values are strings of at most 500
// characters, finite numbers or booleans.

/** A problem with one field: where, which rule, and what to do. */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
  [key: string]: unknown;
}

export const MAX_NAME = 100;
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_KEY = 40;
export const MAX_ATTRIBUTE_VALUE = 500;

const KEY = /^[\p{L}\p{N}_]+$/u;

export type AttributeValue = string | number | boolean;

/** The problems of a name, at `path`. */
export function checkName(name: string, path: string): FieldProblem[] {
  if ([...name].length > MAX_NAME) {
    return [{ path, code: "NAME_TOO_LONG", message: `at most ${MAX_NAME} characters` }];
  }
  return [];
}

/** The problems of a set of attributes, each at its own path under `path`. */
export function checkAttributes(attributes: Record<string, unknown>, path: string): FieldProblem[] {
  const errors: FieldProblem[] = [];
  const keys = Object.keys(attributes);
  if (keys.length > MAX_ATTRIBUTES) {
    errors.push({ path, code: "TOO_MANY_ATTRIBUTES", message: `at most ${MAX_ATTRIBUTES}` });
  }
  for (const key of keys) {
    const at = `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (!KEY.test(key) || [...key].length > MAX_ATTRIBUTE_KEY) {
      errors.push({
        path: at,
        code: "INVALID_ATTRIBUTE_KEY",
        message: `a key is 1 to ${MAX_ATTRIBUTE_KEY} letters, digits or _ (it becomes a #{${key}} variable)`,
      });
      continue;
    }
    const value = attributes[key];
    const ok =
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value)) ||
      (typeof value === "string" && [...value].length <= MAX_ATTRIBUTE_VALUE);
    if (!ok) {
      errors.push({
        path: at,
        code: "INVALID_ATTRIBUTE_VALUE",
        message: `a string of at most ${MAX_ATTRIBUTE_VALUE} characters, a number or a boolean`,
      });
    }
  }
  return errors;
}

/**
 * The name a new group gets when `name` is taken: `name(2)`, `name(3)`, …,
 * the first free one after the highest in use.
 */
export function nextFreeName(name: string, taken: readonly string[]): string {
  if (!taken.includes(name)) return name;
  const prefix = `${name}(`;
  let highest = 1;
  for (const t of taken) {
    if (!t.startsWith(prefix) || !t.endsWith(")")) continue;
    const n = Number(t.slice(prefix.length, -1));
    if (Number.isInteger(n) && n > highest) highest = n;
  }
  return `${name}(${highest + 1})`;
}

/** An attribute value as a template variable's text. */
export function variableText(value: AttributeValue): string {
  return typeof value === "string" ? value : String(value);
}
