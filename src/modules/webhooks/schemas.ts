import Type from "typebox";
import {
  TEST_EVENT_TYPE,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_ENDPOINT_STATUSES,
  WEBHOOK_EVENT_TYPES,
} from "../../domain/webhook-events.ts";
import { ListQuery } from "../../http/pagination.ts";
import { IsoTime, Nullable } from "../../http/schemas.ts";

const strict = { additionalProperties: false } as const;
const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Events = Type.Array(Type.String({ maxLength: 100 }), {
  minItems: 1,
  maxItems: 50,
  description: `Event types (${WEBHOOK_EVENT_TYPES.join(", ")}), or ["*"] for all`,
});
const Description = Type.String({ maxLength: 500 });

export const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  status: Type.Enum(WEBHOOK_ENDPOINT_STATUSES),
  disabledReason: Nullable(Type.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  secret: Type.Optional(
    Type.String({
      description: "The signing secret (whsec_…, Standard Webhooks): shown in this answer only",
    }),
  ),
});

export const CreateEndpointBody = Type.Object(
  { url: Url, events: Events, description: Type.Optional(Description) },
  strict,
);

export const UpdateEndpointBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Nullable(Description)),
    status: Type.Optional(
      Type.Enum(WEBHOOK_ENDPOINT_STATUSES, {
        description: "disabled: nothing more is delivered, and pending deliveries are given up",
      }),
    ),
  },
  strict,
);

export const Delivery = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String({ description: `An event type, or ${TEST_EVENT_TYPE}` }),
  endpointId: Type.String(),
  status: Type.Enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(IsoTime),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  lastAttemptAt: Nullable(IsoTime),
  deliveredAt: Nullable(IsoTime),
  createdAt: IsoTime,
});

export const DeliveryListQuery = Type.Object(
  {
    ...ListQuery.properties,
    status: Type.Optional(Type.Enum(WEBHOOK_DELIVERY_STATUSES)),
  },
  strict,
);
