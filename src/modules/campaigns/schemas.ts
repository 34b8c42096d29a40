import Type from "typebox";
import { MESSAGE_STATUSES } from "../../domain/message-status.ts";
import { CAMPAIGN_STATUSES } from "../../domain/vocabulary.ts";
import { Credits, IsoTime, Nullable } from "../../http/schemas.ts";
import { LinkCountsSchema, MessageClicksSchema } from "../links/index.ts";
import { Recipients, SendBody } from "../messages/index.ts";

const count = Type.Integer({ minimum: 0 });

/** A time in the organization's time zone, for people: "2026-12-01T21:05:00+09:00". */
const LocalTime = Type.String({
  format: "date-time",
  description: "in the organization's time zone, with its offset",
  examples: ["2026-12-01T21:05:00+09:00"],
});

export const Campaign = Type.Object({
  id: Type.String(),
  status: Type.Enum([...CAMPAIGN_STATUSES]),
  type: Type.String(),
  strategy: Type.String(),
  from: Nullable(Type.String()),
  sendAt: Nullable(IsoTime),
  sendAtLocal: Nullable(LocalTime),
  createdAt: IsoTime,
  createdAtLocal: LocalTime,
  completedAt: Nullable(IsoTime),
  canceledAt: Nullable(IsoTime),
  counts: Type.Object({
    total: count,
    draft: Type.Integer({
      minimum: 0,
      description: "In a draft, or in a launched draft not yet moved to the queue",
    }),
    accepted: count,
    queued: count,
    sending: count,
    sent: count,
    delivered: count,
    failed: count,
    canceled: count,
    expired: count,
    fallback: count,
    inFlightAtCancel: Type.Integer({
      minimum: 0,
      description:
        "Messages already with the vendor, or on their way, when the campaign was canceled: each keeps its real outcome (one whose attempt then failed retryably is canceled, not retried)",
    }),
    clicked: Type.Integer({
      minimum: 0,
      description: "Messages with at least one click on a tracked link",
    }),
  }),
  cost: Type.Object({ held: Credits, charged: Credits, refunded: Credits }),
  metadata: Nullable(Type.Record(Type.String(), Type.Unknown())),
  links: Type.Array(LinkCountsSchema, {
    description:
      "Its tracked links (see trackLinks), in the order its content names them, with their clicks; written about once a second",
  }),
});

const MessageContentSchema = Type.Object(
  {
    text: Nullable(
      Type.String({
        description:
          "The Alimtalk body or the SMS/LMS/MMS text as sent to this recipient (variables filled in, tracked links as sent); null when a variable had no value",
      }),
    ),
    subject: Nullable(Type.String()),
    templateCode: Nullable(Type.String({ description: "Alimtalk only" })),
    buttons: Type.Array(
      Type.Object({
        type: Type.String(),
        name: Type.String(),
        linkMobile: Type.Optional(Type.String()),
        linkPc: Type.Optional(Type.String()),
        schemeAndroid: Type.Optional(Type.String()),
        schemeIos: Type.Optional(Type.String()),
      }),
    ),
    imageIds: Type.Array(Type.String(), { description: "MMS only: its images" }),
  },
  { description: "What this message said, rendered for its recipient" },
);

export const Message = Type.Object({
  id: Type.String(),
  campaignId: Type.String(),
  to: Type.String(),
  name: Nullable(Type.String()),
  type: Type.String(),
  status: Type.Enum([...MESSAGE_STATUSES]),
  fallbackOf: Nullable(Type.String()),
  vendor: Nullable(Type.String()),
  vendorAccountId: Nullable(Type.String()),
  route: Nullable(Type.String()),
  attempts: Type.Integer(),
  price: Type.Object({
    // What the message holds now: 0 once settled, or once a failed Alimtalk's hold moved to
    // its fallback (heldBy); a campaign's held is the sum over its messages.
    held: Credits,
    charged: Credits,
    released: Credits,
    heldBy: Nullable(Type.String({ description: "The fallback message now holding this hold" })),
    chargedOnAcceptance: Type.Boolean({
      description:
        "Sent through a vendor account the organization (or an ancestor) controls: charged when the vendor accepted it, whatever its reports say later; otherwise charged on delivery and released on failure",
    }),
  }),
  inFlightAtCancel: Type.Boolean({
    description: "Its campaign was canceled while it was with the vendor or on its way there",
  }),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  createdAt: IsoTime,
  createdAtLocal: LocalTime,
  sentAt: Nullable(IsoTime),
  deliveredAt: Nullable(IsoTime),
  failedAt: Nullable(IsoTime),
  clicks: MessageClicksSchema,
  groupId: Nullable(
    Type.String({
      description:
        "The contact group it was sent to as a member of (the first of the request's groupIds the contact is in); null: the request named the recipient itself. A fallback keeps its original's",
    }),
  ),
  content: Nullable(MessageContentSchema),
});

export const MessageListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...MESSAGE_STATUSES])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const CampaignListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...CAMPAIGN_STATUSES])),
    from: Type.Optional(
      Type.String({ format: "date-time", description: "Created at or after this time" }),
    ),
    to: Type.Optional(
      Type.String({ format: "date-time", description: "Created before this time" }),
    ),
    groupId: Type.Optional(
      Type.String({
        pattern: "^grp_[0-9A-Za-z]{1,60}$",
        description: "Only campaigns sent to this contact group",
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const DraftBody = Type.Omit(SendBody, ["recipients", "groupIds"], {
  additionalProperties: false,
  description:
    "A send without its recipients: they are added in parts with POST /v1/campaigns/{id}/recipients",
});

export const DraftRecipientsBody = Type.Object(
  { recipients: Recipients },
  { additionalProperties: false },
);

export const DraftPartResponse = Type.Object({
  campaignId: Type.String(),
  accepted: Type.Integer(),
  rejected: Type.Array(
    Type.Object({
      index: Type.Integer({ description: "The recipient's index in this part" }),
      to: Type.String(),
      code: Type.String(),
      message: Type.String(),
    }),
  ),
  cost: Type.Object({ held: Credits }),
  total: Type.Object(
    { recipients: count, held: Credits },
    { description: "The draft so far, all its parts" },
  ),
});

export const LaunchBody = Type.Object(
  {
    sendAt: Type.Optional(
      Type.String({ maxLength: 40, description: "Wins over the draft's own sendAt" }),
    ),
  },
  { additionalProperties: false },
);
