// How the console writes credits, times and phone numbers.

/** A decimal credit string ("100000.00") with thousands separators, exactly as given. */
export function formatCredits(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === "") return "–";
  const negative = amount.startsWith("-");
  const [whole = "0", fraction] = (negative ? amount.slice(1) : amount).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** What a ledger entry of each kind does to the balance (amounts are magnitudes). */
const LEDGER_DIRECTION: Record<string, "in" | "out"> = {
  grant: "in",
  purchase: "in",
  margin: "in",
  capture: "out",
  refund: "out",
};

/**
 * A ledger amount with the sign its kind gives it: "+1,234.50", "-15.00";
 * unsigned where the kind does not say (a hold or release moves held credits,
 * a transfer goes either way).
 */
export function formatLedgerAmount(kind: string, amount: string): { text: string; tone: string } {
  const direction = LEDGER_DIRECTION[kind];
  if (direction === "in") return { text: `+${formatCredits(amount)}`, tone: "text-good" };
  if (direction === "out") return { text: `-${formatCredits(amount)}`, tone: "text-bad" };
  return { text: formatCredits(amount), tone: "" };
}

/** An ISO time in the organization's time zone, e.g. "2026. 12. 2. 오후 3:22". */
export function formatTime(iso: string | null | undefined, locale: string, timeZone: string) {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone,
  }).format(date);
}

/** An E.164 Korean number as people write it: +821012345678 → 010-1234-5678. */
export function formatPhone(e164: string): string {
  if (!e164.startsWith("+82")) return e164;
  const national = `0${e164.slice(3)}`;
  if (/^01\d{8,9}$/.test(national)) {
    return national.replace(/^(\d{3})(\d{3,4})(\d{4})$/, "$1-$2-$3");
  }
  if (/^02\d{7,8}$/.test(national)) return national.replace(/^(02)(\d{3,4})(\d{4})$/, "$1-$2-$3");
  return national.replace(/^(\d{3})(\d{3,4})(\d{4})$/, "$1-$2-$3");
}

/** Midnight today in `timeZone`, as ISO 8601 with that zone's offset. */
export function startOfToday(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZoneName: "longOffset",
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const zone = part("timeZoneName").replace("GMT", "");
  const offset = zone === "" ? "Z" : zone;
  return `${part("year")}-${part("month")}-${part("day")}T00:00:00${offset}`;
}

/** EUC-KR bytes, as SMS counts them: two for each character outside ASCII. */
export function smsBytes(text: string): number {
  let bytes = 0;
  for (const char of text) bytes += (char.codePointAt(0) ?? 0) < 0x80 ? 1 : 2;
  return bytes;
}

/** A `datetime-local` value (the browser's zone) as ISO 8601 with its offset. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  const pad = (n: number) => String(n).padStart(2, "0");
  const offset = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${value.length === 16 ? `${value}:00` : value}${offset}`;
}

/** Credits as whole hundredths, for sums shown beside the API's own figures. */
export function creditsToCents(amount: string): bigint {
  const negative = amount.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? amount.slice(1) : amount).split(".");
  const cents = BigInt(whole || "0") * 100n + BigInt(fraction.padEnd(2, "0").slice(0, 2) || "0");
  return negative ? -cents : cents;
}

export function centsToCredits(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const fraction = String(abs % 100n).padStart(2, "0");
  return `${negative ? "-" : ""}${abs / 100n}.${fraction}`;
}

/** A random key (an Idempotency-Key), also where crypto.randomUUID is not offered (plain http). */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `date` (YYYY-MM-DD, a day in the browser's zone) plus `days`, as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  const next = new Date(y, m - 1, d + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${next.getFullYear()}-${pad(next.getMonth() + 1)}-${pad(next.getDate())}`;
}

/**
 * Days picked in date inputs as a range of times: from the start of `from`
 * to the end of `to` (the start of the day after), each with its offset.
 */
export function dayRange(from: string, to: string): { from?: string; to?: string } {
  return {
    ...(from ? { from: localInputToIso(`${from}T00:00`) } : {}),
    ...(to ? { to: localInputToIso(`${addDays(to, 1)}T00:00`) } : {}),
  };
}

/** A rate (0–1) as a percentage with one decimal, or "–" when there is none. */
export function formatRate(rate: number | null | undefined, locale: string): string {
  if (rate === null || rate === undefined) return "–";
  return `${(rate * 100).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}
