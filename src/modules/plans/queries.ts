import type { Queryable } from "../../db/client.ts";
import type { Prices } from "../../domain/send-plan.ts";

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
}

/**
 * The prices of an organization's plan. An own-account price left unset is
 * the platform's price for that type.
 */
export async function findOrgPrices(q: Queryable, orgId: string): Promise<OrgPrices | null> {
  const r = await q.query<{
    alimtalk: bigint;
    sms: bigint;
    lms: bigint;
    mms: bigint;
    ownAlimtalk: bigint;
    ownSms: bigint;
    ownLms: bigint;
    ownMms: bigint;
  }>(
    `select p.price_alimtalk as alimtalk, p.price_sms as sms, p.price_lms as lms, p.price_mms as mms,
       coalesce(p.price_own_alimtalk, p.price_alimtalk) as "ownAlimtalk",
       coalesce(p.price_own_sms, p.price_sms) as "ownSms",
       coalesce(p.price_own_lms, p.price_lms) as "ownLms",
       coalesce(p.price_own_mms, p.price_mms) as "ownMms"
     from orgs o join plans p on p.id = o.plan_id
     where o.id = $1`,
    [orgId],
  );
  const row = r.rows[0];
  if (!row) return null;
  const platform: Prices = { alimtalk: row.alimtalk, sms: row.sms, lms: row.lms, mms: row.mms };
  const own: Prices = {
    alimtalk: row.ownAlimtalk,
    sms: row.ownSms,
    lms: row.ownLms,
    mms: row.ownMms,
  };
  const dearer = (a: bigint, b: bigint) => (a > b ? a : b);
  return {
    platform,
    own,
    hold: {
      alimtalk: dearer(platform.alimtalk, own.alimtalk),
      sms: dearer(platform.sms, own.sms),
      lms: dearer(platform.lms, own.lms),
      mms: dearer(platform.mms, own.mms),
    },
  };
}
