// The one place where errors become HTTP responses.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type ErrorCode, type ErrorDetail } from "../lib/errors.ts";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[]; requestId: string };
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const KEYWORD_CODES: Record<string, string> = {
  required: "REQUIRED",
  additionalProperties: "UNKNOWN_FIELD",
  type: "INVALID_TYPE",
  enum: "INVALID_VALUE",
  const: "INVALID_VALUE",
  anyOf: "INVALID_VALUE",
  maxItems: "TOO_MANY_ITEMS",
  minItems: "TOO_FEW_ITEMS",
  maxLength: "TOO_LONG",
  minLength: "TOO_SHORT",
  maxProperties: "TOO_MANY_ITEMS",
  pattern: "INVALID_FORMAT",
  format: "INVALID_FORMAT",
  minimum: "OUT_OF_RANGE",
  maximum: "OUT_OF_RANGE",
};

/** Turns schema-validation errors into details with a JSON pointer to the field. */
export function validationDetails(errors: AjvError[], part: string | undefined): ErrorDetail[] {
  const prefix = part === "body" || part === undefined ? "" : `/${part}`;
  return errors.map((e) => {
    let path = prefix + e.instancePath;
    if (e.keyword === "required") path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === "additionalProperties") path += `/${String(e.params.additionalProperty)}`;
    const message =
      e.keyword === "additionalProperties"
        ? "unknown field"
        : e.keyword === "required"
          ? "is required"
          : (e.message ?? "is not valid");
    return { path: path || "/", code: KEYWORD_CODES[e.keyword] ?? "INVALID_VALUE", message };
  });
}

function toAppError(err: FastifyError | AppError | Error): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation) {
    const details = validationDetails(fe.validation, fe.validationContext);
    const first = details[0];
    return new AppError(
      "VALIDATION_FAILED",
      first ? `${first.path}: ${first.message}` : "the request is not valid",
      { details },
    );
  }
  switch (fe.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError("PAYLOAD_TOO_LARGE", "the request body is too large");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new AppError("VALIDATION_FAILED", `the body is not valid JSON: ${fe.message}`, {
        details: [{ path: "/", code: "INVALID_JSON", message: fe.message }],
      });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AppError("VALIDATION_FAILED", fe.message, {
        details: [{ path: "/", code: "INVALID_CONTENT_TYPE", message: fe.message }],
      });
  }
  if (fe.statusCode === 429) return new AppError("RATE_LIMITED", fe.message);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError("VALIDATION_FAILED", fe.message);
  }
  return new AppError("INTERNAL", "internal error", { cause: err });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: Error) {
  const app = toAppError(err);
  if (app.code === "INTERNAL") request.log.error({ err }, "request failed");
  const body: ErrorBody = {
    error: {
      code: app.code,
      message: app.message,
      ...(app.details ? { details: app.details } : {}),
      requestId: String(request.id),
    },
  };
  return reply.status(app.status).send(body);
}
