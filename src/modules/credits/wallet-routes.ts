// Money down the tree: which wallet an organization spends (set by its
// parent), and what each ancestor earned on its children's messages.
import Type from "typebox";
import { formatCredits } from "../../domain/money.ts";
import { ORG_KINDS, WALLET_MODES } from "../../domain/vocabulary.ts";
import { auditActor, principalOf } from "../../http/auth.ts";
import { Credits, errorResponses, IdParams, IsoTime } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { insertAudit } from "../audit/index.ts";
import { findOrgInSubtree, Org, orgView, setWalletMode } from "../orgs/index.ts";
import { marginsByChild } from "./margin-report.ts";

const DAY_MS = 86_400_000;

const MarginLine = Type.Object({
  messages: Type.Integer(),
  charged: Credits,
  margin: Credits,
});

const MarginReport = Type.Object({
  orgId: Type.String(),
  from: IsoTime,
  to: IsoTime,
  children: Type.Array(
    Type.Object({
      orgId: Type.String(),
      name: Type.String(),
      kind: Type.Enum([...ORG_KINDS]),
      ...MarginLine.properties,
    }),
  ),
  total: MarginLine,
});

function instant(value: string | undefined, fallback: Date, path: string): Date {
  if (value === undefined) return fallback;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) {
    throw new AppError("VALIDATION_FAILED", `${path.slice(1)} is not a date or time`, {
      details: [
        { path, code: "INVALID_VALUE", message: "e.g. 2026-12-01 or 2026-12-01T00:00:00+09:00" },
      ],
    });
  }
  return at;
}

export function walletRoutes(app: App, deps: RouteDeps) {
  app.put(
    "/v1/orgs/:id/wallet",
    {
      config: { scope: "manage" },
      schema: {
        tags: ["credits"],
        summary: "Set whose wallet a child organization spends: its own or its parent's",
        description:
          "With parent, it spends from its nearest ancestor that has its own wallet; its holds and charges still name it in ledgers and reports. Campaigns already accepted keep the wallet they were held on.",
        params: IdParams,
        body: Type.Object({ mode: Type.Enum([...WALLET_MODES]) }, { additionalProperties: false }),
        response: { 200: Org, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = await findOrgInSubtree(deps.db, request.params.id, p.orgPath);
      if (!org) throw new AppError("NOT_FOUND", "organization not found");
      if (org.id === p.orgId) {
        throw new AppError("FORBIDDEN", "an organization's wallet mode is set by its parent", {
          details: [{ path: "/mode", code: "SET_BY_PARENT" }],
        });
      }
      const { mode } = request.body;
      const changed = await deps.db.tx(async (q) => {
        const updated = await setWalletMode(q, org.id, mode);
        if (mode !== org.walletMode) {
          await insertAudit(q, {
            orgId: org.id,
            actor: auditActor(p),
            action: "org.wallet.set",
            targetType: "org",
            targetId: org.id,
            details: { mode, before: org.walletMode },
          });
        }
        return updated;
      });
      return orgView(changed);
    },
  );

  app.get(
    "/v1/reports/margins",
    {
      config: { scope: "read" },
      schema: {
        tags: ["credits"],
        summary: "What the organization earned on each child's subtree: messages, charged, margin",
        querystring: Type.Object(
          {
            from: Type.Optional(
              Type.String({ maxLength: 40, description: "default: 30 days ago" }),
            ),
            to: Type.Optional(Type.String({ maxLength: 40, description: "default: now" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: MarginReport, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const now = deps.now();
      const to = instant(request.query.to, now, "/to");
      const from = instant(request.query.from, new Date(to.getTime() - 30 * DAY_MS), "/from");
      if (from >= to) {
        throw new AppError("VALIDATION_FAILED", "from must be before to", {
          details: [{ path: "/from", code: "INVALID_VALUE", message: "after to" }],
        });
      }
      const rows = await marginsByChild(deps.db, { orgId: p.orgId, from, to });
      const line = (r: { messages: number; charged: bigint; margin: bigint }) => ({
        messages: r.messages,
        charged: formatCredits(r.charged),
        margin: formatCredits(r.margin),
      });
      const total = rows.reduce(
        (t, r) => ({
          messages: t.messages + r.messages,
          charged: t.charged + r.charged,
          margin: t.margin + r.margin,
        }),
        { messages: 0, charged: 0n, margin: 0n },
      );
      return {
        orgId: p.orgId,
        from: from.toISOString(),
        to: to.toISOString(),
        children: rows.map((r) => ({ orgId: r.orgId, name: r.name, kind: r.kind, ...line(r) })),
        total: line(total),
      };
    },
  );
}
