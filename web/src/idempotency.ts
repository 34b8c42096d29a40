// The Idempotency-Key of a creating request: the same body keeps its key
// until it has gone through, so a click retried after a lost answer creates
// once; a changed body is a new request with a new key.
import { useCallback, useRef } from "react";
import { randomKey } from "./format.ts";

export interface IdempotencyKeys {
  /** The key for this body (the same as last time when the body is the same). */
  keyFor(body: unknown): string;
  /** The request went through: the next one, even with the same body, is new. */
  done(): void;
}

export function useIdempotencyKeys(): IdempotencyKeys {
  const last = useRef({ json: "", key: "" });
  const keyFor = useCallback((body: unknown) => {
    const json = JSON.stringify(body);
    if (last.current.json !== json || !last.current.key) last.current = { json, key: randomKey() };
    return last.current.key;
  }, []);
  const done = useCallback(() => {
    last.current = { json: "", key: "" };
  }, []);
  return { keyFor, done };
}
