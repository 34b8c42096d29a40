// The idempotency module as other modules see it: import it from here, never from its files.
export {
  type CreatedResponse,
  hashRequest,
  type Idempotency,
  idempotencyKeyOf,
  runIdempotent,
} from "./service.ts";
