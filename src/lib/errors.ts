// One error model: a closed list of codes, mapped to HTTP once (src/http/errors.ts).

export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  /** An import's file is not an .xlsx or a CSV, has no phone column, or is too big unpacked. */
  UNSUPPORTED_FILE: 400,
  NO_PHONE_COLUMN: 400,
  FILE_TOO_LARGE: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_CREDITS: 402,
  FORBIDDEN: 403,
  ORG_SUSPENDED: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  /** A send names a template that is not approved (yet): its status says where it is. */
  TEMPLATE_NOT_APPROVED: 409,
  /** An approved template, or one under review, cannot be changed: make a new one. */
  TEMPLATE_LOCKED: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where a request is wrong: a JSON pointer into it, a code and a message. */
export interface ErrorDetail {
  path?: string;
  code?: string;
  message?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  /** Whether the same request may succeed if sent again later. */
  readonly retryable: boolean;
  /** When it may (answered as Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      details?: ErrorDetail[];
      cause?: unknown;
      retryable?: boolean;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.retryable =
      options.retryable ??
      (code === "RATE_LIMITED" || code === "UNAVAILABLE" || code === "REQUEST_TIMEOUT");
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }

  /** The same, under the name Fastify-style error handlers read. */
  get statusCode(): number {
    return this.status;
  }
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);

export const validationFailed = (message: string, details: ErrorDetail[]) =>
  new AppError("VALIDATION_FAILED", message, { details });

/**
 * The installation is not ready for what was asked (a missing secret, an
 * unmigrated database): a mistake of setup, not a bug, with the fix to make.
 */
export class SetupError extends Error {
  readonly hint: string;
  /** 2 for a missing or wrong setting (as for usage errors), 1 otherwise. */
  readonly exitCode: 1 | 2;

  constructor(message: string, options: { hint: string; exitCode?: 1 | 2; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "SetupError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}
