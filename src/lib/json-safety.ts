// What JSON a client may send before any handler sees it: no NUL characters
// and no lone UTF-16 surrogates in any string or field name (PostgreSQL
// refuses both in text and jsonb, so they would otherwise fail deep inside a
// statement), and a bounded nesting depth (serialising a deeply nested value
// overflows the stack). The walk is iterative, so depth cannot hurt it.

export interface JsonProblem {
  /** A JSON pointer to the offending value. */
  path: string;
  code: "INVALID_CHARACTER" | "TOO_DEEP" | "TOO_LARGE";
  message: string;
}

/** Whether a string can be stored as text: well-formed UTF-16 without NUL. */
export function isStorableText(text: string): boolean {
  return text.indexOf("\u0000") === -1 && text.isWellFormed();
}

const pointer = (segment: string) =>
  segment.replaceAll("~", "~0").replaceAll("/", "~1").toWellFormed().replaceAll("\u0000", "\uFFFD");

/**
 * The first problem found in `value` (depth first), or null. Depth counts
 * containers: `{}` is depth 1, `{"a":[1]}` depth 2.
 */
export function findJsonProblem(
  value: unknown,
  options: { maxDepth: number; prefix?: string },
): JsonProblem | null {
  // Most requests are fine: check them without building a path per value
  // (a 100,000-recipient send has a million), and locate a problem only once seen.
  return isSafeJson(value, options.maxDepth) ? null : locateProblem(value, options);
}

function isSafeJson(value: unknown, maxDepth: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (typeof v === "string") {
      if (!isStorableText(v)) return false;
      continue;
    }
    if (typeof v !== "object" || v === null || Buffer.isBuffer(v)) continue;
    if (depth + 1 > maxDepth) return false;
    if (Array.isArray(v)) {
      for (const child of v) {
        values.push(child);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      if (!isStorableText(key)) return false;
      values.push((v as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return true;
}

function locateProblem(
  value: unknown,
  options: { maxDepth: number; prefix?: string },
): JsonProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value, path: options.prefix ?? "", depth: 0 },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: v, path, depth } = item;
    if (typeof v === "string") {
      if (!isStorableText(v)) return badText(path || "/");
      continue;
    }
    if (typeof v !== "object" || v === null || Buffer.isBuffer(v)) continue;
    if (depth + 1 > options.maxDepth) {
      return {
        path: path || "/",
        code: "TOO_DEEP",
        message: `nested more than ${options.maxDepth} levels deep`,
      };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i], path: `${path}/${i}`, depth: depth + 1 });
      }
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      if (!isStorableText(key)) return badText(`${path}/${pointer(key)}`);
      stack.push({ value: child, path: `${path}/${pointer(key)}`, depth: depth + 1 });
    }
  }
  return null;
}

function badText(path: string): JsonProblem {
  return {
    path,
    code: "INVALID_CHARACTER",
    message: "contains a NUL character or a lone UTF-16 surrogate",
  };
}

/**
 * A client's free-form JSON (a campaign's metadata): at most `maxDepth`
 * levels and `maxBytes` bytes once serialised, and storable text throughout.
 */
export function checkFreeformJson(
  value: unknown,
  options: { path: string; maxDepth: number; maxBytes: number },
): JsonProblem | null {
  const problem = findJsonProblem(value, { maxDepth: options.maxDepth, prefix: options.path });
  if (problem) return problem;
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? "");
  if (bytes > options.maxBytes) {
    return {
      path: options.path,
      code: "TOO_LARGE",
      message: `is ${bytes} bytes as JSON; at most ${options.maxBytes} are allowed`,
    };
  }
  return null;
}
