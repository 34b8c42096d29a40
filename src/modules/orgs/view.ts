import Type from "typebox";
import { ORG_KINDS, ORG_STATUSES } from "../../domain/vocabulary.ts";
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
  createdAt: o.createdAt.toISOString(),
});
