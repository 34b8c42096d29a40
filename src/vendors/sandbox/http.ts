// One call to the sandbox: its API key as a bearer token, JSON both ways,
// on the shared vendor call (../http.ts). The adapter's only HTTP call (sends,
// polls and the connection test all come here); the sandbox's own outgoing
// call, its report POSTs, is in report-delivery.ts.
import { callVendor, type HttpAnswer } from "../http.ts";
import type { VendorAccount } from "../vendor.ts";
import type { SandboxSettings } from "./settings.ts";

export type Answer = HttpAnswer;

export function call(
  account: VendorAccount,
  settings: SandboxSettings,
  request: { method: "GET" | "POST"; path: string; body?: unknown },
): Promise<Answer> {
  return callVendor({
    vendor: "the sandbox",
    method: request.method,
    url: `${settings.baseUrl}${request.path}`,
    headers: {
      authorization: `Bearer ${account.credentials.apiKey ?? ""}`,
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    timeoutMs: settings.timeoutMs,
    transport: account.transport,
  });
}
