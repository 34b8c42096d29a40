// The Alimi TypeScript SDK: a typed client over the HTTP API (openapi-fetch
// with the types of sdk/schema.ts, generated from the server's OpenAPI
// document). Every path, body and answer is checked by the compiler.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "./schema.ts";

export type { components, operations, paths } from "./schema.ts";

export interface AlimiClientOptions {
  /** The server, e.g. "http://localhost:3000". Default: the page's own origin (the console). */
  baseUrl?: string;
  /** An API key; without one, requests carry the browser's session cookie. */
  apiKey?: string;
  /** Act for a descendant organization (X-Alimi-Org). */
  orgId?: string;
  /** The session's CSRF token (GET /v1/me), for the console's changes. */
  csrfToken?: () => string | undefined;
  fetch?: typeof fetch;
}

export type AlimiClient = Client<paths>;

export function createAlimiClient(options: AlimiClientOptions = {}): AlimiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? "",
    fetch: options.fetch,
    credentials: options.apiKey ? "omit" : "same-origin",
  });
  const headers: Middleware = {
    onRequest({ request }) {
      if (options.apiKey) request.headers.set("authorization", `Bearer ${options.apiKey}`);
      if (options.orgId) request.headers.set("x-alimi-org", options.orgId);
      const csrf = options.csrfToken?.();
      if (csrf && request.method !== "GET") request.headers.set("x-alimi-csrf", csrf);
      return request;
    },
  };
  client.use(headers);
  return client;
}
