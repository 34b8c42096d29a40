// The API's one error shape, `{ error: { code, message, details } }`, as a
// thrown ApiError, and the messages its details give each form field.

export interface ErrorDetail {
  path?: string;
  code?: string;
  message?: string;
  index?: number;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly requestId: string | undefined;

  constructor(options: {
    status: number;
    code: string;
    message: string;
    details?: ErrorDetail[];
    requestId?: string;
  }) {
    super(options.message);
    this.name = "ApiError";
    this.status = options.status;
    this.code = options.code;
    this.details = options.details ?? [];
    this.requestId = options.requestId;
  }
}

interface Envelope {
  error?: { code?: string; message?: string; details?: ErrorDetail[]; requestId?: string };
}

/** What an openapi-fetch call answers. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or the API's error thrown as an ApiError. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (err) {
    throw new ApiError({ status: 0, code: "NETWORK", message: String(err) });
  }
  if (answer.error === undefined && answer.response.ok) return answer.data as T;
  throw toApiError(answer.response, answer.error);
}

export function toApiError(response: Response, body: unknown): ApiError {
  const envelope = (typeof body === "object" && body !== null ? body : {}) as Envelope;
  return new ApiError({
    status: response.status,
    code: envelope.error?.code ?? `HTTP_${response.status}`,
    message: envelope.error?.message ?? response.statusText,
    details: envelope.error?.details,
    requestId: envelope.error?.requestId,
  });
}

/** The field a detail's JSON pointer names: "/recipients/3" → "recipients". */
export function fieldOf(detail: ErrorDetail): string | null {
  const first = detail.path?.split("/")[1];
  return first ? first : null;
}

/** The messages an error gives `field`, each from a detail whose path names it. */
export function fieldMessages(error: unknown, field: string): ErrorDetail[] {
  if (!(error instanceof ApiError)) return [];
  return error.details.filter((d) => fieldOf(d) === field);
}

/** Whether any detail names one of `fields` (then the form shows it there). */
export function namesAField(error: unknown, fields: readonly string[]): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.details.some((d) => {
    const field = fieldOf(d);
    return field !== null && fields.includes(field);
  });
}
