// The one place where errors become HTTP responses, including those Fastify
// and Node meet before any route runs: every answer carries the envelope.
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type ErrorCode, type ErrorDetail } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";

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

/** Client errors with a code of their own, whoever raised them. */
const STATUS_ERRORS: Partial<Record<number, ErrorCode>> = {
  408: "REQUEST_TIMEOUT",
  413: "PAYLOAD_TOO_LARGE",
  414: "URI_TOO_LONG",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
  431: "HEADERS_TOO_LARGE",
};

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
      return new AppError("UNSUPPORTED_MEDIA_TYPE", `${fe.message}: send application/json`, {
        details: [{ path: "/", code: "INVALID_CONTENT_TYPE", message: fe.message }],
      });
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AppError("VALIDATION_FAILED", fe.message, {
        details: [{ path: "/", code: "INVALID_CONTENT_LENGTH", message: fe.message }],
      });
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new AppError("URI_TOO_LONG", "a path parameter of the URL is too long");
    case "FST_ERR_BAD_URL":
      return new AppError("VALIDATION_FAILED", "the URL is not valid", {
        details: [{ path: "/", code: "INVALID_URL", message: "malformed percent-encoding" }],
      });
  }
  const byStatus = STATUS_ERRORS[fe.statusCode ?? 0];
  if (byStatus) return new AppError(byStatus, fe.message);
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
  // Also here: errors met before routing (a bad URL) skip the onSend hook that sets it.
  reply.header("x-request-id", String(request.id));
  if (app.retryAfterSeconds !== undefined) {
    reply.header("retry-after", String(app.retryAfterSeconds));
  }
  return reply.status(app.status).send(body);
}

/** What Node reports on the connection, before there is a request to answer. */
const CLIENT_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    code: "REQUEST_TIMEOUT",
    message: "the request was not received in time",
  },
  HPE_HEADER_OVERFLOW: {
    code: "HEADERS_TOO_LARGE",
    message: "the request's headers are too large",
  },
};

/**
 * Fastify's clientErrorHandler: a malformed request, headers too large, or a
 * request not received in time, answered in the envelope on the raw socket
 * (there is no request object yet), then the connection is closed.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const known = CLIENT_ERRORS[err.code ?? ""] ?? {
    code: "VALIDATION_FAILED" as const,
    message: "the request is not valid HTTP",
  };
  const status = new AppError(known.code, known.message).status;
  const body = JSON.stringify({
    error: { code: known.code, message: known.message, requestId: newId("req") },
  } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
