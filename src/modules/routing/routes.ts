import Type from "typebox";
import type { Db, Queryable } from "../../db/client.ts";
import { auditActor, principalOf } from "../../http/auth.ts";
import { errorResponses, IdParams, Nullable } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findOrgInSubtree } from "../orgs/index.ts";
import { findVendorAccount } from "../vendor-accounts/index.ts";
import type { EffectiveRoute, EffectiveRouting } from "./resolve.ts";
import { effectiveRouting, setRouting } from "./service.ts";

const strict = { additionalProperties: false } as const;
const Choice = Type.Object(
  {
    primary: Type.String({ maxLength: 100 }),
    secondary: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  strict,
);
const AccountRef = Type.Object({ id: Type.String(), vendor: Type.String(), name: Type.String() });
const Route = Type.Object({
  /** Null when nothing routes the channel: no routing of its own or inherited, and no platform default. */
  primary: Nullable(AccountRef),
  secondary: Nullable(AccountRef),
  source: Type.Object({
    kind: Type.Enum(["own", "inherited", "platform-default"]),
    fromOrgId: Type.Optional(Type.String()),
  }),
});
const Routing = Type.Object({ orgId: Type.String(), alimtalk: Route, sms: Route });

async function routeView(q: Queryable, route: EffectiveRoute) {
  const ref = async (id: string | null) => {
    if (!id) return null;
    const a = await findVendorAccount(q, id);
    return a ? { id: a.id, vendor: a.vendor, name: a.name } : { id, vendor: "unknown", name: "" };
  };
  return {
    primary: await ref(route.primaryAccountId),
    secondary: await ref(route.secondaryAccountId),
    source: route.source,
  };
}

async function routingView(q: Queryable, orgId: string, routing: EffectiveRouting) {
  return {
    orgId,
    alimtalk: await routeView(q, routing.alimtalk),
    sms: await routeView(q, routing.sms),
  };
}

export function routingRoutes(
  app: App,
  deps: { db: Db; onChanged: () => void; sandbox?: boolean },
) {
  const orgInScope = async (id: string, scopePath: string) => {
    const org = await findOrgInSubtree(deps.db, id, scopePath);
    if (!org) throw new AppError("NOT_FOUND", "organization not found");
    return org;
  };

  app.get(
    "/v1/orgs/:id/routing",
    {
      config: { scope: "read" },
      schema: {
        tags: ["vendors"],
        summary: "The effective routing, with where each part comes from",
        params: IdParams,
        response: { 200: Routing, ...errorResponses },
      },
    },
    async (request) => {
      const org = await orgInScope(request.params.id, principalOf(request).orgPath);
      return routingView(deps.db, org.id, await effectiveRouting(deps.db, org));
    },
  );

  app.put(
    "/v1/orgs/:id/routing",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["vendors"],
        summary: "Set the organization's own routing; channels left out are inherited",
        params: IdParams,
        body: Type.Object({ alimtalk: Type.Optional(Choice), sms: Type.Optional(Choice) }, strict),
        response: { 200: Routing, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const org = await orgInScope(request.params.id, principal.orgPath);
      const routing = await setRouting(deps.db, {
        org,
        input: request.body,
        actor: auditActor(principal),
        onChanged: deps.onChanged,
        sandbox: deps.sandbox,
      });
      return routingView(deps.db, org.id, routing);
    },
  );
}
