// The events Alimi reports to customers' webhook endpoints (API-2.md,
// "Outbound webhooks"), and how an endpoint's filter picks among them. Pure.

export const WEBHOOK_EVENT_TYPES = [
  "message.sent",
  "message.delivered",
  "message.failed",
  "message.clicked",
  "campaign.completed",
  "credits.low",
  "credits.purchased",
  "credits.refunded",
  "payment.failed",
  "schedule.run.completed",
  "schedule.run.failed",
  "import.completed",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent to one endpoint on request (POST …/test), whatever its filter; never fanned out. */
export const TEST_EVENT_TYPE = "webhook.test";

export const WEBHOOK_ENDPOINT_STATUSES = ["active", "disabled"] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

/**
 * pending: to be attempted (again) at next_attempt_at; delivered: a 2xx came;
 * failed: given up (retries exhausted, or its endpoint was disabled).
 */
export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export function isWebhookEventType(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
}

/** Whether an endpoint subscribed to `events` (types, or "*") gets events of `type`. */
export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes("*") || events.includes(type);
}
