import Type from "typebox";
import { MESSAGE_STATUSES } from "../../db/schema/messages.ts";
import { Credits, IsoTime, Nullable } from "../../http/schemas.ts";

const count = Type.Integer({ minimum: 0 });

export const Campaign = Type.Object({
  id: Type.String(),
  status: Type.Enum(["scheduled", "queued", "sending", "completed", "canceled"]),
  type: Type.String(),
  strategy: Type.String(),
  from: Nullable(Type.String()),
  sendAt: Nullable(IsoTime),
  createdAt: IsoTime,
  completedAt: Nullable(IsoTime),
  canceledAt: Nullable(IsoTime),
  counts: Type.Object({
    total: count,
    accepted: count,
    queued: count,
    sending: count,
    sent: count,
    delivered: count,
    failed: count,
    canceled: count,
    expired: count,
    fallback: count,
  }),
  cost: Type.Object({ held: Credits, charged: Credits, refunded: Credits }),
  metadata: Nullable(Type.Record(Type.String(), Type.Unknown())),
});

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
  price: Type.Object({ held: Credits, charged: Credits }),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  createdAt: IsoTime,
  sentAt: Nullable(IsoTime),
  deliveredAt: Nullable(IsoTime),
  failedAt: Nullable(IsoTime),
});

export const MessageListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...MESSAGE_STATUSES])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
