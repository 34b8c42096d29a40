// What every adapter needs from an HTTP call whatever the vendor: a vendor
// error with its retry verdict, the failure of a call that got no answer, and
// a body read as JSON when it is JSON.
import type { VendorError } from "./vendor.ts";

export interface MappedError {
  error: VendorError;
  /** Whether sending the same message again later may succeed. */
  retryable: boolean;
}

/**
 * A request that got no answer (timeout, refused, reset): retryable. Whether
 * a retry can send a message twice depends on the vendor deduplicating by our
 * id; each adapter says so where it calls this.
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
