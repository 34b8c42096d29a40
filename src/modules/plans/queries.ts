import type { Queryable } from "../../db/client.ts";
import { type PriceLevel, priceChain } from "../../domain/pricing.ts";
import type { Prices } from "../../domain/send-plan.ts";
import type { OrgKind, OrgStatus, WalletMode } from "../../domain/vocabulary.ts";

/** The seed's default prices, in micro-credits: alimtalk 8, sms 15, lms 45, mms 120. */
export const DEFAULT_PRICES: Prices = {
  alimtalk: 8_000_000n,
  sms: 15_000_000n,
  lms: 45_000_000n,
  mms: 120_000_000n,
};

/** Creates the default plan unless one exists; returns its id. */
export async function ensureDefaultPlan(q: Queryable, id: string): Promise<string> {
  const inserted = await q.query<{ id: string }>(
    `insert into plans (id, name, price_alimtalk, price_sms, price_lms, price_mms, is_default)
     values ($1, 'Default', $2, $3, $4, $5, true)
     on conflict (is_default) where is_default do nothing
     returning id`,
    [id, DEFAULT_PRICES.alimtalk, DEFAULT_PRICES.sms, DEFAULT_PRICES.lms, DEFAULT_PRICES.mms],
  );
  if (inserted.rows[0]) return inserted.rows[0].id;
  const existing = await q.query<{ id: string }>("select id from plans where is_default");
  return existing.rows[0]!.id;
}

/** What an organization pays per message type, by the kind of vendor account that sends. */
export interface OrgPrices {
  /** Through the platform's vendor accounts: charged on delivery. */
  platform: Prices;
  /** Through an account the organization controls: charged when the vendor accepts it. */
  own: Prices;
  /**
   * What acceptance holds per type: the dearer of the two, since which kind of
   * account sends a message is known only when it is dispatched (routing can
   * change, failover can switch), and a capture never exceeds the hold.
   */
  hold: Prices;
  bot: bigint;
  /** Its prices and each ancestor's down to the headquarters, sender first. */
  chain: PriceLevel[];
}

const dearer = (a: bigint, b: bigint) => (a > b ? a : b);

/** The prices of the first level of a chain (the sender's), with what acceptance holds. */
export function pricesOfChain(chain: PriceLevel[]): OrgPrices {
  const { platform, own, bot } = chain[0]!;
  return {
    platform,
    own,
    bot,
    hold: {
      alimtalk: dearer(platform.alimtalk, own.alimtalk),
      sms: dearer(platform.sms, own.sms),
      lms: dearer(platform.lms, own.lms),
      mms: dearer(platform.mms, own.mms),
    },
    chain,
  };
}

/** One organization on the way from the root down to an organization, itself included. */
export interface PricingLevel {
  id: string;
  name: string;
  kind: OrgKind;
  depth: number;
  markupBp: number;
  walletMode: WalletMode;
  status: OrgStatus;
  timezone: string;
  planId: string;
  planName: string;
}

interface LevelRow extends PricingLevel {
  alimtalk: bigint;
  sms: bigint;
  lms: bigint;
  mms: bigint;
  bot: bigint;
  ownAlimtalk: bigint;
  ownSms: bigint;
  ownLms: bigint;
  ownMms: bigint;
}

/** What an organization pays, how its price chain was made, and whose wallet it spends. */
export interface OrgPricing extends OrgPrices {
  /** From the root (the platform) down to the organization. */
  levels: PricingLevel[];
  /** The wallet it spends: its own, or its nearest ancestor's with its own. */
  walletOrgId: string;
}

/**
 * An organization's effective prices. A headquarters (or the platform) is
 * priced by its plan; each organization below it by its parent's price and
 * the markup the parent set (src/domain/pricing.ts). An own-account price
 * left unset in the plan is the platform's price for that type. One
 * statement over the ids in the organization's path.
 */
export async function findOrgPrices(q: Queryable, orgId: string): Promise<OrgPricing | null> {
  const r = await q.query<LevelRow>(
    `select a.id, a.name, a.kind, a.depth, a.markup_bp as "markupBp", a.wallet_mode as "walletMode",
       a.status, a.timezone, p.id as "planId", p.name as "planName",
       p.price_alimtalk as alimtalk, p.price_sms as sms, p.price_lms as lms, p.price_mms as mms,
       p.price_bot as bot,
       coalesce(p.price_own_alimtalk, p.price_alimtalk) as "ownAlimtalk",
       coalesce(p.price_own_sms, p.price_sms) as "ownSms",
       coalesce(p.price_own_lms, p.price_lms) as "ownLms",
       coalesce(p.price_own_mms, p.price_mms) as "ownMms"
     from orgs o
     join orgs a on a.id = any(string_to_array(rtrim(o.path, '/'), '/'))
     join plans p on p.id = a.plan_id
     where o.id = $1
     order by a.depth`,
    [orgId],
  );
  const rows = r.rows;
  if (rows.length === 0) return null;
  const topIndex = Math.min(1, rows.length - 1);
  const top = rows[topIndex]!;
  const chain = priceChain(
    {
      orgId: top.id,
      plan: {
        platform: { alimtalk: top.alimtalk, sms: top.sms, lms: top.lms, mms: top.mms },
        own: { alimtalk: top.ownAlimtalk, sms: top.ownSms, lms: top.ownLms, mms: top.ownMms },
        bot: top.bot,
      },
    },
    rows.slice(topIndex + 1).map((row) => ({ orgId: row.id, markupBp: row.markupBp })),
  );
  const payer = rows.findLast((row) => row.walletMode === "own") ?? rows[0]!;
  return {
    ...pricesOfChain(chain),
    levels: rows.map(
      ({ id, name, kind, depth, markupBp, walletMode, status, timezone, planId, planName }) => ({
        id,
        name,
        kind,
        depth,
        markupBp,
        walletMode,
        status,
        timezone,
        planId,
        planName,
      }),
    ),
    walletOrgId: payer.id,
  };
}
