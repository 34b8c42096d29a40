// One signed call to SOLAPI (a fresh HMAC date and salt every time), JSON
// both ways, on the shared vendor call (../http.ts); and what makes an answer
// a failure.
import { callVendor, type HttpAnswer, type MappedError } from "../http.ts";
import { authorizationHeader } from "./auth.ts";
import { mapHttpFailure } from "./map.ts";
import type { SolapiConfig } from "./settings.ts";

export type Answer = HttpAnswer;

/** One signed request; a fresh date and salt every time. */
export function call(
  config: SolapiConfig,
  request: { method: "GET" | "POST"; path: string; body?: string },
): Promise<Answer> {
  return callVendor({
    vendor: "SOLAPI",
    method: request.method,
    url: `${config.baseUrl}${request.path}`,
    headers: {
      authorization: authorizationHeader(config),
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: request.body,
    timeoutMs: config.timeoutMs,
    transport: config.transport,
  });
}

export const failureOf = (answer: Answer): MappedError | null =>
  !answer.ok
    ? answer.failure
    : answer.status !== 200
      ? mapHttpFailure(answer.status, answer.body)
      : null;
