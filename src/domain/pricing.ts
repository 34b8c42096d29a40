// Prices down the tree. The platform prices an organization directly below
// it (a headquarters) with its plan; below that, each parent marks up its own
// effective price for each child: the child's price = the parent's price ×
// (1 + markup), rounded half up to 0.01 credit. A message is held and
// charged at its sender's price; when it is captured, each ancestor down to
// the headquarters earns the difference between the price it sold at (its
// child's) and its own, so what the sender paid = the headquarters' plan
// price (the platform's) + the margins booked above the sender.
import type { MessageType } from "./message-content.ts";
import { MICRO_PER_CREDIT } from "./money.ts";
import type { Prices } from "./send-plan.ts";

/** Markups are kept in hundredths of a percent (basis points): 0 to 1000 %. */
export const MAX_MARKUP_BP = 100_000;

/** Effective prices are whole hundredths of a credit. */
export const PRICE_STEP = MICRO_PER_CREDIT / 100n;

export const PRICED_TYPES = ["alimtalk", "sms", "lms", "mms"] as const satisfies MessageType[];

/** One organization's prices: through the platform's accounts, through its own, and a bot post. */
export interface PriceList {
  platform: Prices;
  own: Prices;
  bot: bigint;
}

/** One level of a price chain: an organization and the prices it pays. */
export interface PriceLevel extends PriceList {
  orgId: string;
}

export type ParseMarkupResult = { ok: true; bp: number } | { ok: false; message: string };

const PERCENT = /^(\d{1,4})(?:\.(\d{1,2}))?$/;

/** Parses a markup percent (12.5, "12.50") into basis points, exactly. */
export function parseMarkupPercent(input: number | string): ParseMarkupResult {
  const text = typeof input === "number" ? String(input) : input;
  const match = PERCENT.exec(text);
  if (!match) {
    return {
      ok: false,
      message: `${text} is not a percent from 0 to 1000 with at most two decimals`,
    };
  }
  const bp = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  if (bp > MAX_MARKUP_BP) return { ok: false, message: `${text} is above 1000 percent` };
  return { ok: true, bp };
}

/** Basis points as the percent the API shows (1250 → 12.5). */
export function markupPercent(bp: number): number {
  return bp / 100;
}

/** A price marked up by `bp` basis points, rounded half up to 0.01 credit. */
export function markUp(price: bigint, bp: number): bigint {
  const scaled = price * BigInt(10_000 + bp);
  const unit = 10_000n * PRICE_STEP;
  return ((scaled + unit / 2n) / unit) * PRICE_STEP;
}

function markUpPrices(p: Prices, bp: number): Prices {
  return {
    alimtalk: markUp(p.alimtalk, bp),
    sms: markUp(p.sms, bp),
    lms: markUp(p.lms, bp),
    mms: markUp(p.mms, bp),
  };
}

/**
 * The chain of prices from a headquarters' plan down to an organization:
 * `below` are the organizations under the headquarters on the way down, each
 * with the markup its parent set. Returned sender first, headquarters last.
 */
export function priceChain(
  top: { orgId: string; plan: PriceList },
  below: readonly { orgId: string; markupBp: number }[],
): PriceLevel[] {
  const chain: PriceLevel[] = [{ orgId: top.orgId, ...top.plan }];
  for (const level of below) {
    const parent = chain[chain.length - 1]!;
    chain.push({
      orgId: level.orgId,
      platform: markUpPrices(parent.platform, level.markupBp),
      own: markUpPrices(parent.own, level.markupBp),
      bot: markUp(parent.bot, level.markupBp),
    });
  }
  return chain.reverse();
}

/** Messages captured in one settlement, by type and by the kind of account that sent them. */
export interface Captured {
  type: MessageType;
  /** Sent through an account its organization controls: priced at the own-account price. */
  own: boolean;
  count: number;
}

/** What one ancestor earned on what its child (and the child's subtree) bought. */
export interface Margin {
  orgId: string;
  /** The ancestor's child on the way to the sender. */
  childId: string;
  messages: number;
  /** What the ancestor sold them at: its child's price. */
  charged: bigint;
  margin: bigint;
}

function priceOf(level: PriceList, c: Captured): bigint {
  return (c.own ? level.own : level.platform)[c.type as keyof Prices];
}

/**
 * The margins each ancestor in a chain earns on captured messages, one per
 * ancestor (margins of 0 included: the margin report counts the messages).
 */
export function marginsOf(chain: readonly PriceLevel[], captured: readonly Captured[]): Margin[] {
  const messages = captured.reduce((n, c) => n + c.count, 0);
  const margins: Margin[] = [];
  for (let i = 1; i < chain.length; i++) {
    const child = chain[i - 1]!;
    const self = chain[i]!;
    let charged = 0n;
    let margin = 0n;
    for (const c of captured) {
      const sold = priceOf(child, c);
      charged += sold * BigInt(c.count);
      margin += (sold - priceOf(self, c)) * BigInt(c.count);
    }
    margins.push({ orgId: self.orgId, childId: child.orgId, messages, charged, margin });
  }
  return margins;
}

/** What the platform is paid for captured messages: the headquarters' plan price. */
export function platformShare(chain: readonly PriceLevel[], captured: readonly Captured[]): bigint {
  const top = chain[chain.length - 1]!;
  return captured.reduce((sum, c) => sum + priceOf(top, c) * BigInt(c.count), 0n);
}

/** A price chain as it is frozen on a campaign (JSON has no bigint). */
export interface StoredLevel {
  orgId: string;
  platform: Record<keyof Prices, string>;
  own: Record<keyof Prices, string>;
  bot: string;
}

const toStrings = (p: Prices): Record<keyof Prices, string> => ({
  alimtalk: p.alimtalk.toString(),
  sms: p.sms.toString(),
  lms: p.lms.toString(),
  mms: p.mms.toString(),
});

const toBigints = (p: Record<keyof Prices, string>): Prices => ({
  alimtalk: BigInt(p.alimtalk),
  sms: BigInt(p.sms),
  lms: BigInt(p.lms),
  mms: BigInt(p.mms),
});

export function storeChain(chain: readonly PriceLevel[]): StoredLevel[] {
  return chain.map((l) => ({
    orgId: l.orgId,
    platform: toStrings(l.platform),
    own: toStrings(l.own),
    bot: l.bot.toString(),
  }));
}

export function loadChain(stored: readonly StoredLevel[]): PriceLevel[] {
  return stored.map((l) => ({
    orgId: l.orgId,
    platform: toBigints(l.platform),
    own: toBigints(l.own),
    bot: BigInt(l.bot),
  }));
}
