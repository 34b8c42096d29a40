// Plans as the platform operator manages them: a price per message type (and
// per bot post), the own-account prices, and how credits are bought.
import type { Queryable } from "../../db/client.ts";
import type { PlanPurchase } from "../../db/schema/plans.ts";

export interface PlanPrices {
  alimtalk: bigint;
  sms: bigint;
  lms: bigint;
  mms: bigint;
  bot: bigint;
}

export interface PlanRow {
  id: string;
  name: string;
  prices: PlanPrices;
  purchase: PlanPurchase;
  isDefault: boolean;
  createdAt: Date;
}

const PLAN_COLUMNS = `id, name, is_default as "isDefault", created_at as "createdAt", purchase,
  price_alimtalk as alimtalk, price_sms as sms, price_lms as lms, price_mms as mms,
  price_bot as bot`;

type Flat = Omit<PlanRow, "prices"> & PlanPrices;
const toRow = ({ alimtalk, sms, lms, mms, bot, ...rest }: Flat): PlanRow => ({
  ...rest,
  prices: { alimtalk, sms, lms, mms, bot },
});

export async function insertPlan(
  q: Queryable,
  plan: { id: string; name: string; prices: PlanPrices; purchase: PlanPurchase },
): Promise<PlanRow> {
  const { prices } = plan;
  const r = await q.query<Flat>(
    `insert into plans (id, name, price_alimtalk, price_sms, price_lms, price_mms, price_bot, purchase)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${PLAN_COLUMNS}`,
    [
      plan.id,
      plan.name,
      prices.alimtalk,
      prices.sms,
      prices.lms,
      prices.mms,
      prices.bot,
      JSON.stringify(plan.purchase),
    ],
  );
  return toRow(r.rows[0]!);
}

export async function listPlans(q: Queryable): Promise<PlanRow[]> {
  const r = await q.query<Flat>(`select ${PLAN_COLUMNS} from plans order by id`);
  return r.rows.map(toRow);
}

export async function findPlan(q: Queryable, id: string): Promise<PlanRow | null> {
  const r = await q.query<Flat>(`select ${PLAN_COLUMNS} from plans where id = $1`, [id]);
  return r.rows[0] ? toRow(r.rows[0]) : null;
}

/** Changes what is given; a price left out stays. */
export async function updatePlan(
  q: Queryable,
  id: string,
  change: { name?: string; prices?: Partial<PlanPrices>; purchase?: PlanPurchase },
): Promise<PlanRow | null> {
  const p = change.prices ?? {};
  const r = await q.query<Flat>(
    `update plans set name = coalesce($2, name),
       price_alimtalk = coalesce($3, price_alimtalk), price_sms = coalesce($4, price_sms),
       price_lms = coalesce($5, price_lms), price_mms = coalesce($6, price_mms),
       price_bot = coalesce($7, price_bot), purchase = coalesce($8::jsonb, purchase)
     where id = $1 returning ${PLAN_COLUMNS}`,
    [
      id,
      change.name ?? null,
      p.alimtalk ?? null,
      p.sms ?? null,
      p.lms ?? null,
      p.mms ?? null,
      p.bot ?? null,
      change.purchase ? JSON.stringify(change.purchase) : null,
    ],
  );
  return r.rows[0] ? toRow(r.rows[0]) : null;
}

/**
 * Puts a headquarters (or the platform itself) on a plan. A headquarters'
 * descendants carry the same plan, since its prices are theirs marked up.
 */
export async function setOrgPlan(
  q: Queryable,
  org: { id: string; path: string; depth: number },
  planId: string,
): Promise<void> {
  if (org.depth === 0) {
    await q.query("update orgs set plan_id = $2 where id = $1", [org.id, planId]);
    return;
  }
  await q.query("update orgs set plan_id = $2 where path like $1 || '%'", [org.path, planId]);
}
