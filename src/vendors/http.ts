// The HTTP plumbing every adapter shares, whatever the vendor: one call with a
// timeout whose body is read as JSON when it is JSON, the failure of a call
// that got no answer, and the vendor error with its retry verdict. The
// vendor-specific part (authentication headers, the meaning of a status or
// an error body) stays in each vendor's folder.
import type { VendorError } from "./vendor.ts";

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
  method: "GET" | "POST";
  url: string | URL;
  headers?: Record<string, string>;
  /** A string (sent as is, with the content type given in headers), a form, or multipart. */
  body?: string | URLSearchParams | FormData;
  timeoutMs: number;
}

/**
 * One call to a vendor. Never throws: a call that got no answer (timeout,
 * refused, reset) comes back as a retryable failure; any answer comes back
 * with its status and its body as JSON (null when it is not JSON).
 */
export async function callVendor(request: VendorRequest): Promise<HttpAnswer> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { accept: "application/json", ...request.headers },
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    return { ok: true, status: response.status, body: parseJson(text) };
  } catch (err) {
    return { ok: false, failure: transportFailure(err, request.vendor) };
  }
}

/**
 * A request that got no answer (timeout, refused, reset): retryable. Whether
 * a retry can send a message twice depends on the vendor deduplicating by our
 * id; each adapter says so where it sends.
 */
export function transportFailure(err: unknown, vendor: string): MappedError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
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
