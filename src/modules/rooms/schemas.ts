import Type from "typebox";
import { BOT_GATEWAY_KINDS, ROOM_MODES, ROOM_POST_STATUSES } from "../../domain/vocabulary.ts";
import { Credits, IsoTime, Nullable } from "../../http/schemas.ts";

const strict = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Secret = Type.String({
  maxLength: 200,
  description:
    "whsec_ and 24 to 64 random bytes in base64 (Standard Webhooks); left out, Alimi generates one and shows it once",
});
const ExternalId = Type.String({ minLength: 1, maxLength: 200 });

export const Gateway = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  name: Type.String(),
  kind: Type.Enum(BOT_GATEWAY_KINDS),
  url: Nullable(Type.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  secret: Type.Optional(
    Type.String({ description: "The signing secret Alimi generated: shown in this answer only" }),
  ),
});

export const CreateGatewayBody = Type.Object(
  {
    name: Name,
    kind: Type.Enum(BOT_GATEWAY_KINDS),
    url: Type.Optional(Url),
    secret: Type.Optional(Secret),
  },
  strict,
);

export const UpdateGatewayBody = Type.Object(
  {
    name: Type.Optional(Name),
    url: Type.Optional(Url),
    secret: Type.Optional(Secret),
    rotateSecret: Type.Optional(
      Type.Literal(true, { description: "Generate a new secret, shown in this answer only" }),
    ),
  },
  strict,
);

export const Room = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  gatewayId: Type.String(),
  name: Type.String(),
  externalId: Type.String(),
  mode: Type.Enum(ROOM_MODES),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const CreateRoomBody = Type.Object(
  {
    name: Name,
    gatewayId: Type.String({ maxLength: 100 }),
    externalId: ExternalId,
    mode: Type.Optional(Type.Enum(ROOM_MODES)),
  },
  strict,
);

export const UpdateRoomBody = Type.Object(
  {
    name: Type.Optional(Name),
    gatewayId: Type.Optional(Type.String({ maxLength: 100 })),
    externalId: Type.Optional(ExternalId),
    mode: Type.Optional(Type.Enum(ROOM_MODES)),
    orgId: Type.Optional(
      Type.String({
        maxLength: 100,
        description: "Move the room to another organization of the caller's subtree",
      }),
    ),
  },
  strict,
);

export const RoomListQuery = Type.Object(
  {
    gatewayId: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const RoomPost = Type.Object({
  id: Type.String(),
  runId: Type.String(),
  roomId: Type.String(),
  seq: Type.Integer(),
  kind: Type.Enum(["text", "image"]),
  fileId: Nullable(Type.String()),
  status: Type.Enum(ROOM_POST_STATUSES),
  slotAt: Nullable(IsoTime),
  postedAt: Nullable(IsoTime),
  test: Type.Boolean(),
  held: Credits,
  charged: Credits,
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  response: Type.Unknown({ description: "The gateway's answer: its status and body" }),
  createdAt: IsoTime,
});

const Limits = Type.Object({
  minIntervalSeconds: Type.Integer(),
  dailyLimit: Type.Integer(),
});

export const RoomLimitsBody = Type.Object(
  {
    minIntervalSeconds: Type.Integer({
      description: "At least 30 (the platform's), at most 86400",
      examples: [60],
    }),
    dailyLimit: Type.Integer({
      description: "At most 50 (the platform's), at least 1",
      examples: [20],
    }),
  },
  strict,
);

export const RoomLimitsAnswer = Type.Object({
  orgId: Type.String(),
  own: Nullable(Limits),
  effective: Limits,
});
