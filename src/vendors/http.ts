// The HTTP plumbing every adapter shares, whatever the vendor: one call with a
// timeout whose body is read as JSON when it is JSON, the failure of a call
// that got no answer, and the vendor error with its retry verdict. The
// vendor-specific part (authentication headers, the meaning of a status or
// an error body) stays in each vendor's folder.
//
// Every call leaves through the account's transport: the egress guard
// (src/lib/egress.ts) for the URLs its owner may have written, and the
// operator's longest timeout, which no account's own `timeoutMs` exceeds.
import { type Egress, egressRefusalOf } from "../lib/egress.ts";
import type { VendorError } from "./vendor.ts";

/** How an account's calls leave this server. */
export interface VendorTransport {
  egress: Egress;
  /** No call waits longer than this for its answer, whatever the account's settings say. */
  maxTimeoutMs: number;
}

export interface MappedError {
  error: VendorError;
  /** Whether sending the same message again later may succeed. */
  retryable: boolean;
}

/** An answer, whatever its status, or the failure of a call that got none. */
export type HttpAnswer =
  | { ok: true; status: number; body: unknown }
  | { ok: false; failure: MappedError };

export interface VendorRequest {
  /** The vendor's name for messages ("SOLAPI", "NHN", "Aligo", "the sandbox"). */
  vendor: string;
  method: "GET" | "POST" | "PUT";
  url: string | URL;
  headers?: Record<string, string>;
  /** A string (sent as is, with the content type given in headers), a form, or multipart. */
  body?: string | URLSearchParams | FormData;
  /** The account's own timeout; the transport's maximum caps it. */
  timeoutMs: number;
  transport: VendorTransport;
}

/**
 * One call to a vendor. Never throws: a call that got no answer (timeout,
 * refused, reset, or refused by the egress guard) comes back as a retryable
 * failure, and so does a redirect, which is never followed; any other answer
 * comes back with its status and its body as JSON (null when it is not JSON).
 */
export async function callVendor(request: VendorRequest): Promise<HttpAnswer> {
  const { transport } = request;
  const timeoutMs = Math.min(request.timeoutMs, transport.maxTimeoutMs);
  try {
    const response = await transport.egress.fetch(request.url, {
      method: request.method,
      headers: { accept: "application/json", ...request.headers },
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      return { ok: false, failure: redirectFailure(request.vendor, response.status) };
    }
    const text = await response.text();
    return { ok: true, status: response.status, body: parseJson(text) };
  } catch (err) {
    return { ok: false, failure: transportFailure(err, request.vendor) };
  }
}

/**
 * A redirect: the vendor's API does not redirect, so one is a wrong URL or
 * someone else's server; it is an outage for the breaker, and never followed.
 */
function redirectFailure(vendor: string, status: number): MappedError {
  return {
    error: {
      code: "VENDOR_UNAVAILABLE",
      rawCode: `http_${status}`,
      message: `${vendor} answered with a redirect (HTTP ${status}), which is not followed: check the account's URL settings`,
    },
    retryable: true,
  };
}

/**
 * A request that got no answer (timeout, refused, reset): retryable. Whether
 * a retry can send a message twice depends on the vendor deduplicating by our
 * id; each adapter says so where it sends.
 */
export function transportFailure(err: unknown, vendor: string): MappedError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const refused = egressRefusalOf(err);
  if (refused) {
    // Said as an outage: the circuit opens and a secondary account takes over;
    // the address may be public again later (DNS), or the operator allow it.
    return {
      error: {
        code: "VENDOR_UNAVAILABLE",
        rawCode: refused.code,
        message: `${vendor} was not called: ${refused.message}`,
      },
      retryable: true,
    };
  }
  if (e?.name === "TimeoutError") {
    return {
      error: { code: "TIMEOUT", rawCode: "timeout", message: `${vendor} did not answer in time` },
      retryable: true,
    };
  }
  const rawCode = e?.cause?.code ?? "network";
  const detail = e?.cause?.message ?? e?.message ?? String(err);
  return {
    error: { code: "VENDOR_UNAVAILABLE", rawCode, message: `cannot reach ${vendor}: ${detail}` },
    retryable: true,
  };
}

/** The body as JSON, or null when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * A connection test's failure in our own words: what happened and the HTTP
 * status, never the vendor's text, which may be anyone's server's answer
 * (the URL is the account owner's to set). A call that got no answer says
 * why (timed out, refused by the egress guard, unreachable): that is ours.
 */
export function checkFailureMessage(
  vendor: string,
  failure: MappedError,
  /** The HTTP status of the vendor's answer; null when the call got none. */
  status: number | null,
): string {
  if (status === null) return failure.error.message;
  const what =
    failure.error.code === "AUTH_FAILED"
      ? `${vendor} refused the credentials`
      : failure.error.code === "RATE_LIMITED"
        ? `${vendor} refused the call as too many`
        : failure.error.code === "VENDOR_UNAVAILABLE" || status >= 500
          ? `${vendor} is unavailable`
          : `${vendor} did not accept the call`;
  return `${what} (HTTP ${status})`;
}

/** The status of an answer, or null for a call that got none. */
export const statusOf = (answer: HttpAnswer): number | null => (answer.ok ? answer.status : null);
