// The idempotency module as other modules see it: import it from here, never from its files.
export {
  type CreatedResponse,
  canonicalJson,
  hashRequest,
  type Idempotency,
  idempotencyKeyOf,
  idempotencyOf,
  type RecordResponse,
  type ResponseSeal,
  runIdempotent,
  runIdempotentSteps,
} from "./service.ts";
