import Type from "typebox";

/** The error envelope every non-2xx answer carries. */
export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
    requestId: Type.String(),
  }),
});

export const Credits = Type.String({ pattern: "^-?\\d+\\.\\d{2,6}$", examples: ["15.00"] });
export const IsoTime = Type.String({ format: "date-time" });
export const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const IdParams = Type.Object(
  { id: Type.String({ maxLength: 100 }) },
  { additionalProperties: false },
);

export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};
