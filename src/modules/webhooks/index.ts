// The webhooks module as other modules see it: import it from here, never from its files.
import type { Queryable } from "../../db/client.ts";
import { emitEvent } from "./service.ts";

export {
  CLAIM_SIZE,
  type DelivererDeps,
  type DeliveryRound,
  deliverDue,
} from "./deliver.ts";
export { emitEvent, type WebhookDeps } from "./service.ts";

/**
 * The payment events, for the payments module to write in the transaction
 * that books the purchase, the refund or the failure.
 */
export function emitPaymentEvent(
  q: Queryable,
  event: {
    orgId: string;
    type: "credits.purchased" | "credits.refunded" | "payment.failed";
    data: Record<string, unknown>;
  },
): Promise<string | null> {
  return emitEvent(q, event);
}
