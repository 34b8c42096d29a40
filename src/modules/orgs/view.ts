import Type from "typebox";
import { markupPercent } from "../../domain/pricing.ts";
import { ORG_KINDS, ORG_STATUSES, WALLET_MODES } from "../../domain/vocabulary.ts";
import { IsoTime, Nullable } from "../../http/schemas.ts";
import type { OrgRow } from "./queries.ts";

export const Org = Type.Object({
  id: Type.String(),
  parentId: Nullable(Type.String()),
  kind: Type.Enum([...ORG_KINDS]),
  name: Type.String(),
  depth: Type.Integer(),
  timezone: Type.String(),
  status: Type.Enum([...ORG_STATUSES]),
  rateLimit: Nullable(
    Type.Integer({ description: "Requests a second per key and user; null: the server's default" }),
  ),
  walletMode: Type.Enum([...WALLET_MODES], {
    description: "own: it spends its own wallet; parent: its nearest ancestor's that has one",
  }),
  markupPercent: Type.Number({
    description: "The markup its parent sets on the parent's prices (below a headquarters)",
  }),
  createdAt: IsoTime,
});

export const orgView = (o: OrgRow) => ({
  id: o.id,
  parentId: o.parentId,
  kind: o.kind,
  name: o.name,
  depth: o.depth,
  timezone: o.timezone,
  status: o.status,
  rateLimit: o.rateLimit,
  walletMode: o.walletMode,
  markupPercent: markupPercent(o.markupBp),
  createdAt: o.createdAt.toISOString(),
});
