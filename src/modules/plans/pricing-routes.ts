// Effective prices down the tree: a headquarters is priced by its plan, each
// organization below by its parent's price and the markup its parent sets
// (src/domain/pricing.ts). Anyone who can see an organization sees how its
// prices were made; only its parent (or an ancestor) sets its markup.
import Type from "typebox";
import { formatCredits } from "../../domain/money.ts";
import { markupPercent, type PriceLevel, parseMarkupPercent } from "../../domain/pricing.ts";
import { ORG_KINDS, WALLET_MODES } from "../../domain/vocabulary.ts";
import { auditActor, principalOf } from "../../http/auth.ts";
import { Credits, errorResponses, IdParams, Nullable } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { insertAudit } from "../audit/index.ts";
import { findOrgInSubtree, setMarkup } from "../orgs/index.ts";
import { findOrgPrices, type OrgPricing } from "./queries.ts";

const TypePrices = Type.Object({
  alimtalk: Credits,
  sms: Credits,
  lms: Credits,
  mms: Credits,
});
const LevelPrices = Type.Object({
  prices: Type.Object({ ...TypePrices.properties, bot: Credits }),
  ownPrices: TypePrices,
});

const Pricing = Type.Object({
  orgId: Type.String(),
  markupPercent: Type.Number(),
  walletMode: Type.Enum([...WALLET_MODES]),
  walletOrgId: Type.String({ description: "The wallet it spends (its own, or an ancestor's)" }),
  ...LevelPrices.properties,
  chain: Type.Array(
    Type.Object({
      orgId: Type.String(),
      name: Type.String(),
      kind: Type.Enum([...ORG_KINDS]),
      markupPercent: Type.Number(),
      plan: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
      ...LevelPrices.properties,
    }),
    { description: "From the headquarters (priced by its plan) down to the organization" },
  ),
});

const typePrices = (p: PriceLevel["platform"]) => ({
  alimtalk: formatCredits(p.alimtalk),
  sms: formatCredits(p.sms),
  lms: formatCredits(p.lms),
  mms: formatCredits(p.mms),
});
const levelPrices = (l: PriceLevel) => ({
  prices: { ...typePrices(l.platform), bot: formatCredits(l.bot) },
  ownPrices: typePrices(l.own),
});

function pricingView(orgId: string, pricing: OrgPricing) {
  const self = pricing.levels[pricing.levels.length - 1]!;
  const below = [...pricing.chain].reverse();
  const levels = pricing.levels.slice(pricing.levels.length - below.length);
  return {
    orgId,
    markupPercent: markupPercent(self.markupBp),
    walletMode: self.walletMode,
    walletOrgId: pricing.walletOrgId,
    ...levelPrices(pricing.chain[0]!),
    chain: levels.map((l, i) => ({
      orgId: l.id,
      name: l.name,
      kind: l.kind,
      markupPercent: i === 0 ? 0 : markupPercent(l.markupBp),
      plan: i === 0 ? { id: l.planId, name: l.planName } : null,
      ...levelPrices(below[i]!),
    })),
  };
}

export function pricingRoutes(app: App, deps: RouteDeps) {
  app.get(
    "/v1/orgs/:id/pricing",
    {
      config: { scope: "read" },
      schema: {
        tags: ["organizations"],
        summary: "An organization's effective prices and the chain of markups that made them",
        params: IdParams,
        response: { 200: Pricing, ...errorResponses },
      },
    },
    async (request) => {
      const org = await findOrgInSubtree(deps.db, request.params.id, principalOf(request).orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      return pricingView(org.id, (await findOrgPrices(deps.db, org.id))!);
    },
  );

  app.put(
    "/v1/orgs/:id/pricing",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["organizations"],
        summary: "Set a child organization's markup on its parent's prices",
        params: IdParams,
        body: Type.Object(
          {
            markupPercent: Type.Union([Type.Number(), Type.String({ maxLength: 10 })], {
              description: "0 to 1000, at most two decimals",
              examples: [12.5],
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Pricing, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = await findOrgInSubtree(deps.db, request.params.id, p.orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      if (org.id === p.orgId) {
        throw new AppError("FORBIDDEN", "an organization's markup is set by its parent", {
          details: [{ path: "/markupPercent", code: "SET_BY_PARENT" }],
        });
      }
      if (org.depth < 2) {
        throw new AppError(
          "VALIDATION_FAILED",
          "a headquarters is priced by its plan (PUT /v1/orgs/{id}/plan), not by a markup",
          { details: [{ path: "/markupPercent", code: "PRICED_BY_PLAN", message: org.kind }] },
        );
      }
      const parsed = parseMarkupPercent(request.body.markupPercent);
      if (!parsed.ok) {
        throw new AppError("VALIDATION_FAILED", `markupPercent: ${parsed.message}`, {
          details: [{ path: "/markupPercent", code: "INVALID_VALUE", message: parsed.message }],
        });
      }
      const pricing = await deps.db.tx(async (q) => {
        await setMarkup(q, org.id, parsed.bp);
        await insertAudit(q, {
          orgId: org.id,
          actor: auditActor(p),
          action: "org.pricing.set",
          targetType: "org",
          targetId: org.id,
          details: {
            markupPercent: markupPercent(parsed.bp),
            before: markupPercent(org.markupBp),
          },
        });
        return (await findOrgPrices(q, org.id))!;
      });
      return pricingView(org.id, pricing);
    },
  );
}
