import Type from "typebox";
import { Credits } from "../../http/schemas.ts";

const Variables = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 1000 }), {
  maxProperties: 100,
});

const strict = { additionalProperties: false } as const;

export const MAX_RECIPIENTS = 100_000;

export const Recipients = Type.Array(
  Type.Object(
    {
      to: Type.String({ maxLength: 40 }),
      name: Type.Optional(Type.String({ maxLength: 100 })),
      variables: Type.Optional(Variables),
    },
    strict,
  ),
  { maxItems: MAX_RECIPIENTS },
);

export const SendBody = Type.Object(
  {
    type: Type.Optional(Type.Enum(["alimtalk", "sms", "lms", "mms", "auto"])),
    strategy: Type.Optional(
      Type.Enum(["alimtalk_first", "alimtalk_only", "sms_only", "cost_optimized"]),
    ),
    from: Type.Optional(Type.String({ maxLength: 30 })),
    template: Type.Optional(
      Type.Object(
        {
          code: Type.String({ minLength: 1, maxLength: 100 }),
          variables: Type.Optional(Variables),
        },
        strict,
      ),
    ),
    text: Type.Optional(Type.String({ maxLength: 10_000 })),
    subject: Type.Optional(Type.String({ maxLength: 200 })),
    fallback: Type.Optional(
      Type.Object(
        {
          text: Type.Optional(Type.String({ maxLength: 10_000 })),
          subject: Type.Optional(Type.String({ maxLength: 200 })),
          type: Type.Optional(
            Type.Enum(["sms", "lms"], {
              description:
                "Default: by the text's EUC-KR bytes (SMS up to 90), the subject riding along on an LMS",
            }),
          ),
        },
        strict,
      ),
    ),
    imageIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: 3,
        description: "MMS images uploaded with POST /v1/files: up to 3 JPEG of at most 300 KB",
      }),
    ),
    recipients: Type.Optional(Recipients),
    groupIds: Type.Optional(
      Type.Array(Type.String({ maxLength: 100 }), {
        maxItems: 50,
        description:
          "Contact groups whose members are sent to as well, once per number (an explicit recipient wins); numbered after recipients",
      }),
    ),
    consentConfirmed: Type.Optional(
      Type.Boolean({
        description:
          "advertising: the sender vouches for the consent of numbers that are not contacts",
      }),
    ),
    nightPolicy: Type.Optional(
      Type.Enum(["defer", "reject"], {
        description:
          "advertising between 21:00 and 08:00 to contacts without night consent: wait for 08:00 (default) or refuse",
      }),
    ),
    sendAt: Type.Optional(Type.String({ maxLength: 40 })),
    kakaoChannel: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    advertising: Type.Optional(Type.Boolean()),
    trackLinks: Type.Optional(
      Type.Boolean({
        description:
          "Default true: http(s) links in the text (an Alimtalk's fallback text too) and WL button links are sent as tracked links, {ALIMI_LINK_BASE_URL}/r/{code} (a code per message), and clicks are counted; bytes, type and price count the text as sent. Links with #{var} in them, and links variables bring, go as written. false: every link goes as written",
      }),
    ),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 50 })),
  },
  strict,
);

const Rejected = Type.Array(
  Type.Object({
    index: Type.Integer(),
    to: Type.String(),
    code: Type.String(),
    message: Type.String(),
  }),
);

const Deferred = {
  deferred: Type.Array(Type.Object({ index: Type.Integer(), to: Type.String() }), {
    description: "Advertising that waits for 08:00 in the organization's time zone",
  }),
  deferredUntil: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
};

export const SendResponse = Type.Object({
  campaignId: Type.String(),
  status: Type.Enum(["queued", "scheduled"]),
  accepted: Type.Integer(),
  rejected: Rejected,
  ...Deferred,
  cost: Type.Object({ held: Credits }),
});

const ByType = Type.Object({ alimtalk: Credits, sms: Credits, lms: Credits, mms: Credits });

export const EstimateResponse = Type.Object({
  accepted: Type.Integer(),
  rejected: Rejected,
  ...Deferred,
  cost: Type.Object({
    held: Credits,
    byType: Type.Object(ByType.properties, {
      description:
        "The worst case (what is held) by the type that costs it: an Alimtalk whose SMS/LMS fallback is dearer is booked under sms/lms",
    }),
    worstCase: Type.Object(
      { total: Credits, byType: ByType },
      { description: "What is held: every message on its dearest path" },
    ),
    expected: Type.Object(
      { total: Credits, byType: ByType },
      { description: "Every message delivered on its first channel" },
    ),
  }),
  available: Credits,
});
