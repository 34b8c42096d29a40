// The outcomes every adapter builds the same way: a whole request's failure
// for each of its messages, and the retry of a message the vendor's answer
// did not account for (so it is retried at once rather than left to its
// lease).
import type { MappedError } from "./http.ts";
import type { SendOutcome, VendorError } from "./vendor.ts";

/** A failure as the outcome of one message: retry when it may pass later, else rejected. */
export function failedOutcome(id: string, failure: MappedError): SendOutcome {
  return { id, outcome: failure.retryable ? "retry" : "rejected", error: failure.error };
}

/** Every message of a request gets the request's failure. */
export function failEvery(
  messages: readonly { id: string }[],
  failure: MappedError,
): SendOutcome[] {
  return messages.map((m) => failedOutcome(m.id, failure));
}

/** Every message gets the same refusal (bad settings, missing credentials): nothing was sent. */
export function rejectEvery(
  messages: readonly { id: string }[],
  error: VendorError,
): SendOutcome[] {
  return messages.map((m) => ({ id: m.id, outcome: "rejected", error }));
}

/** The error of a message the vendor's answer says nothing about. */
export function missingResult(vendor: string): VendorError {
  return {
    code: "VENDOR_UNAVAILABLE",
    rawCode: "missing_result",
    message: `${vendor}'s answer has no result for this message`,
  };
}

/**
 * The outcomes in the messages' order; a message without one is retried
 * (the vendor's answer did not account for it).
 */
export function inOrder(
  messages: readonly { id: string }[],
  outcomeOf: (id: string) => SendOutcome | null | undefined,
  vendor: string,
): SendOutcome[] {
  return messages.map(
    (m) => outcomeOf(m.id) ?? { id: m.id, outcome: "retry", error: missingResult(vendor) },
  );
}
