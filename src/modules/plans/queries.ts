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

/** The prices an organization pays: those of its plan. */
export async function findOrgPrices(q: Queryable, orgId: string): Promise<Prices | null> {
  const r = await q.query<{ alimtalk: bigint; sms: bigint; lms: bigint; mms: bigint }>(
    `select p.price_alimtalk as alimtalk, p.price_sms as sms, p.price_lms as lms, p.price_mms as mms
     from orgs o join plans p on p.id = o.plan_id
     where o.id = $1`,
    [orgId],
  );
  return r.rows[0] ?? null;
}
