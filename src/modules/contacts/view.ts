import Type from "typebox";
import { IsoTime, Nullable } from "../../http/schemas.ts";
import type { GroupRow } from "./group-queries.ts";
import type { ContactRow } from "./queries.ts";

const Consent = Type.Object({
  granted: Type.Boolean(),
  at: Nullable(IsoTime),
  source: Nullable(Type.String()),
});

export const Contact = Type.Object({
  id: Type.String(),
  phone: Type.String({ description: "E.164" }),
  name: Nullable(Type.String()),
  attributes: Type.Record(
    Type.String(),
    Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
  ),
  groups: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  consent: Type.Object({ advertising: Consent, night: Consent }),
  optedOut: Type.Boolean(),
  optOutScope: Nullable(Type.Enum(["advertising", "all"])),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

const consent = (at: Date | null, source: string | null) => ({
  granted: at !== null,
  at: at?.toISOString() ?? null,
  source: at === null ? null : source,
});

export const contactView = (c: ContactRow) => ({
  id: c.id,
  phone: c.phone,
  name: c.name,
  attributes: c.attributes,
  groups: c.groups,
  consent: {
    advertising: consent(c.adConsentAt, c.adConsentSource),
    night: consent(c.nightConsentAt, c.nightConsentSource),
  },
  optedOut: c.optedOut !== null,
  optOutScope: c.optedOut,
  createdAt: new Date(c.createdAt).toISOString(),
  updatedAt: new Date(c.updatedAt).toISOString(),
});

export const Group = Type.Object({
  id: Type.String(),
  name: Type.String(),
  system: Type.Boolean({
    description: "미지정: the contacts in no other group; kept by the platform",
  }),
  contactCount: Type.Integer(),
  createdAt: IsoTime,
});

export const groupView = (g: GroupRow) => ({
  id: g.id,
  name: g.name,
  system: g.system,
  contactCount: g.contactCount,
  createdAt: g.createdAt.toISOString(),
});
