import Type from "typebox";
import { BUTTON_TYPES } from "../../domain/template.ts";
import { TEMPLATE_STATUSES } from "../../domain/vocabulary.ts";
import { Credits, IsoTime, Nullable } from "../../http/schemas.ts";
import type { CommentRow, TemplateRow } from "./queries.ts";

const strict = { additionalProperties: false } as const;

export const Button = Type.Object(
  {
    type: Type.Enum([...BUTTON_TYPES]),
    name: Type.String({ maxLength: 100 }),
    linkMobile: Type.Optional(
      Type.String({ maxLength: 1000, description: "May carry #{var}, filled in per message" }),
    ),
    linkPc: Type.Optional(Type.String({ maxLength: 1000 })),
    schemeAndroid: Type.Optional(Type.String({ maxLength: 1000 })),
    schemeIos: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  strict,
);

export const FallbackInput = Type.Object(
  {
    text: Type.Optional(Type.String({ maxLength: 10_000 })),
    subject: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

const Status = Type.Enum([...TEMPLATE_STATUSES], {
  description:
    "draft → requested → inspecting → approved | rejected; only approved templates are sent, and they are never changed",
});

export const Template = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  code: Type.String(),
  body: Type.String(),
  buttons: Type.Array(Button),
  variables: Type.Array(Type.String(), {
    description: "The body's variables in order, then those only the button links use",
  }),
  fallback: Nullable(
    Type.Object({ text: Nullable(Type.String()), subject: Nullable(Type.String()) }),
  ),
  status: Status,
  review: Nullable(
    Type.Object({
      reviewer: Type.Enum(["vendor", "operator"], {
        description: "Its Alimtalk vendor's template API, or the platform operator",
      }),
      vendorAccountId: Nullable(Type.String()),
      vendorTemplateId: Nullable(Type.String()),
      vendorStatus: Nullable(Type.String({ description: "The vendor's own word, as last read" })),
      requestedAt: Nullable(IsoTime),
      reviewedAt: Nullable(IsoTime),
      checkedAt: Nullable(IsoTime),
    }),
  ),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export const templateView = (t: TemplateRow) => ({
  id: t.id,
  orgId: t.orgId,
  code: t.code,
  body: t.body,
  buttons: t.buttons,
  variables: t.variables,
  fallback:
    t.fallbackText === null && t.fallbackSubject === null
      ? null
      : { text: t.fallbackText, subject: t.fallbackSubject },
  status: t.status,
  review:
    t.requestedAt === null
      ? null
      : {
          reviewer: t.reviewAccountId === null ? ("operator" as const) : ("vendor" as const),
          vendorAccountId: t.reviewAccountId,
          vendorTemplateId: t.reviewAccountId === null ? null : t.vendorTemplateId,
          vendorStatus: t.reviewAccountId === null ? null : t.vendorStatus,
          requestedAt: iso(t.requestedAt),
          reviewedAt: iso(t.reviewedAt),
          checkedAt: iso(t.reviewCheckedAt),
        },
  createdAt: new Date(t.createdAt).toISOString(),
  updatedAt: new Date(t.updatedAt).toISOString(),
});

export const Comment = Type.Object({
  id: Type.String(),
  source: Type.Enum(["operator", "vendor"], {
    description: "The platform operator's (a rejection's reason), or the vendor's inspection",
  }),
  author: Nullable(Type.String()),
  body: Type.String(),
  status: Nullable(
    Type.String({ description: 'The comment\'s status where given ("REJ", "APR", "REJECTED")' }),
  ),
  createdAt: IsoTime,
});

export const commentView = (c: CommentRow) => ({
  id: c.id,
  source: c.source,
  author: c.author,
  body: c.body,
  status: c.vendorStatus,
  createdAt: new Date(c.createdAt).toISOString(),
});

const Problem = Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() });

export const Preview = Type.Object({
  code: Type.String(),
  status: Status,
  body: Type.String({ description: "The Alimtalk text, variables filled in" }),
  buttons: Type.Array(Button, { description: "The buttons, their links filled in" }),
  characters: Type.Integer({ description: "Of the body; Alimtalk allows 1,000" }),
  missing: Type.Array(Type.String(), {
    description: "Variables without a value: they stay in the texts as #{name}",
  }),
  fallback: Type.Object({
    text: Type.String(),
    subject: Nullable(Type.String()),
    type: Nullable(Type.Enum(["sms", "lms"], { description: "null: SMS/LMS cannot carry it" })),
    bytes: Type.Integer({ description: "EUC-KR bytes: SMS up to 90, LMS up to 2,000" }),
  }),
  price: Type.Object({
    alimtalk: Credits,
    fallback: Nullable(Credits),
    worstCase: Credits,
  }),
  problems: Type.Array(Problem, { description: "What a send of it would be refused for" }),
});
