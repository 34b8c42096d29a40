const UNIT_MS: Readonly<Record<string, number>> = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
};
const UNIT_ORDER = ["d", "h", "m", "s", "ms"];
// "ms" before "m" and "s" so "250ms" is not read as 250 minutes followed by garbage.
const PART = /(\d+)(ms|d|h|m|s)/y;

/**
 * Parses a duration such as "250ms", "5s", "24h" or "1h30m" into milliseconds.
 * Units go from largest to smallest, each at most once; a bare number has no unit and is rejected.
 */
export function parseDuration(
  input: string,
): { ok: true; ms: number } | { ok: false; message: string } {
  const invalid = {
    ok: false as const,
    message: `"${input}" is not a duration: use whole numbers with units d, h, m, s or ms, largest first, like "1h30m" or "250ms".`,
  };
  if (input === "") return invalid;
  let ms = 0;
  let position = 0;
  let lastUnit = -1;
  while (position < input.length) {
    PART.lastIndex = position;
    const match = PART.exec(input);
    if (match === null) return invalid;
    const [whole, amount = "", unit = ""] = match;
    const order = UNIT_ORDER.indexOf(unit);
    if (order <= lastUnit) return invalid;
    lastUnit = order;
    ms += Number(amount) * (UNIT_MS[unit] ?? 0);
    position += whole.length;
  }
  if (!Number.isSafeInteger(ms)) {
    return { ok: false, message: `"${input}" is too long a duration.` };
  }
  return { ok: true, ms };
}
