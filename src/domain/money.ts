// Credits are held as bigint micro-credits so sums never drift; the API shows decimals.
export const MICRO_PER_CREDIT = 1_000_000n;

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,6}))?$/;

export type ParseCreditsResult = { ok: true; micro: bigint } | { ok: false; message: string };

/** Parses a credit amount ("15", "15.5", -2.25) into micro-credits, exactly. */
export function parseCredits(input: string | number): ParseCreditsResult {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) {
      return { ok: false, message: "Amount must be a finite number." };
    }
    // Beyond 2^53 a number literal has already lost digits; make the caller send a string.
    if (Math.abs(input) > Number.MAX_SAFE_INTEGER) {
      return { ok: false, message: "Amount is too large for a JSON number; send it as a string." };
    }
    // String(n) is the shortest round-trip form, so 0.1 + 0.2 shows its 17 decimals and fails.
    return parseDecimal(String(input));
  }
  return parseDecimal(input);
}

function parseDecimal(text: string): ParseCreditsResult {
  const match = DECIMAL.exec(text);
  if (match === null) {
    return {
      ok: false,
      message: `"${text}" is not a credit amount: use a decimal number with at most 6 decimals, like "15.50".`,
    };
  }
  const [, sign, whole = "0", fraction = ""] = match;
  const micro = BigInt(whole) * MICRO_PER_CREDIT + BigInt(fraction.padEnd(6, "0"));
  return { ok: true, micro: sign === "-" ? -micro : micro };
}

/** Formats micro-credits as a decimal string with 2 to 6 decimals ("15.00", "8.123", "0.000001"). */
export function formatCredits(micro: bigint): string {
  const negative = micro < 0n;
  const abs = negative ? -micro : micro;
  const whole = abs / MICRO_PER_CREDIT;
  let fraction = (abs % MICRO_PER_CREDIT).toString().padStart(6, "0");
  while (fraction.length > 2 && fraction.endsWith("0")) {
    fraction = fraction.slice(0, -1);
  }
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}
