// Plans are the platform operator's: only a caller acting as the platform
// creates, reads, changes and assigns them (403 for anyone else).
import Type from "typebox";
import { formatCredits, parseCredits } from "../../domain/money.ts";
import { type Principal, principalOf } from "../../http/auth.ts";
import { Credits, errorResponses, IdParams, IsoTime } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { findOrgInSubtree } from "../orgs/index.ts";
import {
  findPlan,
  insertPlan,
  listPlans,
  type PlanPrices,
  type PlanRow,
  setOrgPlan,
  updatePlan,
} from "./catalog.ts";

const Price = Type.String({ pattern: "^\\d{1,7}(\\.\\d{1,2})?$", examples: ["8.00"] });
const PRICE_KEYS = ["alimtalk", "sms", "lms", "mms", "bot"] as const;

const Purchase = Type.Object(
  {
    creditsPerKrw: Type.String({ pattern: "^\\d{1,6}(\\.\\d{1,6})?$", examples: ["1"] }),
    bonusTiers: Type.Array(
      Type.Object(
        {
          minKrw: Type.Integer({ minimum: 1 }),
          bonusPercent: Type.Number({ minimum: 0, maximum: 100 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);

const Prices = Type.Object(
  Object.fromEntries(PRICE_KEYS.map((k) => [k, Price])) as Record<
    (typeof PRICE_KEYS)[number],
    typeof Price
  >,
  {
    additionalProperties: false,
  },
);

const Plan = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prices: Type.Object(
    Object.fromEntries(PRICE_KEYS.map((k) => [k, Credits])) as Record<
      (typeof PRICE_KEYS)[number],
      typeof Credits
    >,
  ),
  purchase: Purchase,
  isDefault: Type.Boolean(),
  createdAt: IsoTime,
});

const view = (p: PlanRow) => ({
  id: p.id,
  name: p.name,
  prices: Object.fromEntries(PRICE_KEYS.map((k) => [k, formatCredits(p.prices[k])])) as Record<
    (typeof PRICE_KEYS)[number],
    string
  >,
  purchase: p.purchase,
  isDefault: p.isDefault,
  createdAt: p.createdAt.toISOString(),
});

function requirePlatform(p: Principal): void {
  if (p.orgKind !== "platform") {
    throw new AppError("FORBIDDEN", "plans are managed by the platform operator");
  }
}

function micro(prices: Partial<Record<(typeof PRICE_KEYS)[number], string>>): Partial<PlanPrices> {
  const out: Partial<PlanPrices> = {};
  for (const k of PRICE_KEYS) {
    const v = prices[k];
    if (v === undefined) continue;
    const parsed = parseCredits(v);
    if (!parsed.ok) {
      throw new AppError("VALIDATION_FAILED", `prices.${k}: ${parsed.message}`, {
        details: [{ path: `/prices/${k}`, code: "INVALID_VALUE", message: parsed.message }],
      });
    }
    out[k] = parsed.micro;
  }
  return out;
}

export function planRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/plans",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["plans"],
        summary: "Create a plan (the platform operator)",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            prices: Prices,
            purchase: Type.Optional(Purchase),
          },
          { additionalProperties: false },
        ),
        response: { 201: Plan, ...errorResponses },
      },
    },
    async (request, reply) => {
      requirePlatform(principalOf(request));
      const { name, prices, purchase } = request.body;
      const plan = await insertPlan(deps.db, {
        id: newId("pln"),
        name,
        prices: micro(prices) as PlanPrices,
        purchase: purchase ?? { creditsPerKrw: "1", bonusTiers: [] },
      });
      return reply.status(201).send(view(plan));
    },
  );

  app.get(
    "/v1/plans",
    {
      config: { scope: "read" },
      schema: {
        tags: ["plans"],
        summary: "Every plan (the platform operator)",
        response: {
          200: Type.Object({ data: Type.Array(Plan), nextCursor: Type.Null() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      requirePlatform(principalOf(request));
      return { data: (await listPlans(deps.db)).map(view), nextCursor: null };
    },
  );

  app.patch(
    "/v1/plans/:id",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["plans"],
        summary: "Change a plan's name, prices or purchase terms (the platform operator)",
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            prices: Type.Optional(Type.Partial(Prices)),
            purchase: Type.Optional(Purchase),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Plan, ...errorResponses },
      },
    },
    async (request) => {
      requirePlatform(principalOf(request));
      const { name, prices, purchase } = request.body;
      const plan = await updatePlan(deps.db, request.params.id, {
        name,
        prices: prices ? micro(prices) : undefined,
        purchase,
      });
      if (!plan) throw new AppError("NOT_FOUND", "plan not found");
      return view(plan);
    },
  );

  app.put(
    "/v1/orgs/:id/plan",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["plans"],
        summary: "Put a headquarters and its subtree on a plan (the platform operator)",
        params: IdParams,
        body: Type.Object(
          { planId: Type.String({ maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: Plan, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = await findOrgInSubtree(deps.db, request.params.id, p.orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      requirePlatform(p);
      if (org.depth >= 2) {
        throw new AppError(
          "VALIDATION_FAILED",
          "below a headquarters, prices come from the parent's markup (PUT /v1/orgs/{id}/pricing)",
          { details: [{ path: "/planId", code: "PRICED_BY_MARKUP", message: org.kind }] },
        );
      }
      const plan = await findPlan(deps.db, request.body.planId);
      if (!plan) {
        throw new AppError("VALIDATION_FAILED", "no such plan", {
          details: [{ path: "/planId", code: "NOT_FOUND", message: request.body.planId }],
        });
      }
      await setOrgPlan(deps.db, org, plan.id);
      return view(plan);
    },
  );
}
