// One call to NHN: the product's appKey is in the path (ProductConfig.root),
// its secret key in the X-Secret-Key header; JSON both ways; a timeout on
// every call. Never throws: a call that got no answer is a mapped failure.

import { callVendor, type HttpAnswer } from "../http.ts";
import { type MappedError, mapAnswerFailure } from "./map.ts";
import type { ProductConfig } from "./settings.ts";
import { headerOf, JSON_CONTENT_TYPE, SECRET_KEY_HEADER } from "./wire.ts";

export type Answer = HttpAnswer;

export interface NhnRequest {
  method: "GET" | "POST";
  /** After the appKey: "/sender/sms", "/raw-messages", "/messages/{requestId}/1". */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
}

export function callNhn(
  product: ProductConfig,
  timeoutMs: number,
  request: NhnRequest,
): Promise<Answer> {
  const url = new URL(`${product.root}${request.path}`);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    url.searchParams.set(name, String(value));
  }
  return callVendor({
    vendor: "NHN",
    method: request.method,
    url,
    headers: { [SECRET_KEY_HEADER]: product.secretKey, "content-type": JSON_CONTENT_TYPE },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    timeoutMs,
    transport: product.transport,
  });
}

/** Null when the answer is a success (HTTP 200, header.isSuccessful), else why not. */
export function failureOf(product: ProductConfig, answer: Answer): MappedError | null {
  if (!answer.ok) return answer.failure;
  const header = headerOf(answer.body);
  if (answer.status === 200 && header?.isSuccessful === true) return null;
  return mapAnswerFailure(product.product, answer.status, answer.body);
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
