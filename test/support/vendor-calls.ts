// How the test harness lets vendor calls out: its fake vendors listen on
// 127.0.0.1 (some are reached as localhost), so those hosts are allowed past
// the egress guard; anything else is refused as on a server, where the
// allow-list is empty unless the operator names hosts.
import type { VendorCallPolicy } from "../../src/app.ts";
import { createEgress, ownEgress } from "../../src/lib/egress.ts";
import { parseAllowedHosts } from "../../src/lib/egress-rules.ts";
import type { VendorTransports } from "../../src/modules/vendor-accounts/service.ts";
import type { VendorTransport } from "../../src/vendors/http.ts";

export function allowedHosts(list: string) {
  const parsed = parseAllowedHosts(list);
  if (!parsed.ok) throw new Error(`not a host: ${parsed.entry}`);
  return parsed.hosts;
}

/** The hosts the fakes listen on. */
export const TEST_ALLOWED_HOSTS = allowedHosts("127.0.0.1,localhost");

export const TEST_VENDOR_CALLS: VendorCallPolicy = {
  allowedHosts: TEST_ALLOWED_HOSTS,
  maxTimeoutMs: 10_000,
};

/** An adapter test's transport: the guard with the fakes' hosts allowed. */
export const testTransport: VendorTransport = {
  egress: createEgress({
    allowedHosts: TEST_ALLOWED_HOSTS,
    allowHint: "add it to the test's allowed hosts",
  }),
  maxTimeoutMs: TEST_VENDOR_CALLS.maxTimeoutMs,
};

/** The transports a directory or the account routes get in tests. */
export const testTransports: VendorTransports = {
  guarded: testTransport,
  own: { egress: ownEgress, maxTimeoutMs: TEST_VENDOR_CALLS.maxTimeoutMs },
};
