// What must never reach a log line, whoever logs it: the fields that carry
// credentials when an object holding them is logged whole (request headers,
// a body, vendor credentials). The request log's URL is cleaned separately
// (src/http/redact.ts): a path token is part of a string, not a field.

/** pino `redact` paths: each value is replaced by "[redacted]". */
export const REDACTED_PATHS: readonly string[] = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["set-cookie"]',
  'req.headers["x-api-key"]',
  'req.headers["x-toast-webhook-signature"]',
  "headers.authorization",
  "headers.cookie",
  'headers["x-api-key"]',
  "req.body",
  "body.credentials",
  "credentials",
  "*.credentials",
  "apiKey",
  "*.apiKey",
  "*.apiSecret",
  "*.secretKey",
  "*.webhookSecret",
  "*.webhookSignatureKey",
  "*.password",
  "*.token",
];

export const REDACTION = { paths: [...REDACTED_PATHS], censor: "[redacted]" } as const;

/**
 * Query parameter and path parameter names whose values are secrets:
 * tokens, keys, signatures, passwords, sessions.
 */
export const SECRET_NAME = /token|secret|key|sig|pass|auth|credential|session/i;
