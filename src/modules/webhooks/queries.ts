// Webhook endpoints, their events and deliveries. The API's statements are
// scoped by the caller's organization; the delivery worker's claim is the one
// statement that reads every organization's deliveries (it is the outbox
// reader), and what it records is fenced by its claim token.
//
// Events themselves are written by webhook_emit() (drizzle/0035), which the
// triggers on messages, campaigns, wallets and link_clicks call in the
// statement that makes their change, and which emitEvent() calls for the
// rest (imports, payments, schedules).
import type { Queryable } from "../../db/client.ts";
import type { WebhookDeliveryStatus, WebhookEndpointStatus } from "../../domain/webhook-events.ts";

export interface EndpointRow {
  id: string;
  orgId: string;
  url: string;
  events: string[];
  description: string | null;
  secretEnc: string;
  status: WebhookEndpointStatus;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const ENDPOINT_COLUMNS = `e.id, e.org_id as "orgId", e.url, e.events, e.description,
  e.secret_enc as "secretEnc", e.status, e.disabled_reason as "disabledReason",
  e.created_at as "createdAt", e.updated_at as "updatedAt"`;

export async function insertEndpoint(
  q: Queryable,
  e: {
    id: string;
    orgId: string;
    url: string;
    events: string[];
    description: string | null;
    secretEnc: string;
  },
): Promise<EndpointRow> {
  const r = await q.query<EndpointRow>(
    `insert into webhook_endpoints as e (id, org_id, url, events, description, secret_enc)
     values ($1, $2, $3, $4::jsonb, $5, $6)
     returning ${ENDPOINT_COLUMNS}`,
    [e.id, e.orgId, e.url, JSON.stringify(e.events), e.description, e.secretEnc],
  );
  return r.rows[0]!;
}

/** One of the organization's endpoints. */
export async function findEndpoint(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<EndpointRow | null> {
  const r = await q.query<EndpointRow>(
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints e where e.id = $1 and e.org_id = $2`,
    [id, orgId],
  );
  return r.rows[0] ?? null;
}

export async function listEndpoints(
  q: Queryable,
  options: { orgId: string; before: string | null; limit: number },
): Promise<EndpointRow[]> {
  const r = await q.query<EndpointRow>(
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints e
     where e.org_id = $1 and ($2::text is null or e.id < $2)
     order by e.id desc limit $3`,
    [options.orgId, options.before, options.limit],
  );
  return r.rows;
}

/**
 * Changes an endpoint (null leaves a field as it is; `description` is
 * written when `setDescription`). Disabling it gives up its pending
 * deliveries (`failed`, replayable), in the same statement: a disabled
 * endpoint gets nothing, and the claim need not step over its backlog.
 */
export async function updateEndpoint(
  q: Queryable,
  change: {
    orgId: string;
    id: string;
    url: string | null;
    events: string[] | null;
    setDescription: boolean;
    description: string | null;
    secretEnc: string | null;
    status: WebhookEndpointStatus | null;
    disabledReason: string | null;
    now: Date;
  },
): Promise<EndpointRow | null> {
  const r = await q.query<EndpointRow>(
    `with e as (
       update webhook_endpoints e set url = coalesce($3, url),
         events = coalesce($4::jsonb, events),
         description = case when $5 then $6 else description end,
         secret_enc = coalesce($7, secret_enc),
         status = coalesce($8, status),
         disabled_reason = case when $8 = 'active' then null when $8 = 'disabled' then $9
           else disabled_reason end,
         updated_at = $10
       where e.id = $2 and e.org_id = $1
       returning e.*
     ),
     given_up as (
       update webhook_deliveries d set status = 'failed', claim = null,
         last_error = coalesce(d.last_error || '; ', '') || 'endpoint disabled'
       from e where d.endpoint_id = e.id and e.status = 'disabled' and d.status = 'pending'
     )
     select ${ENDPOINT_COLUMNS} from e`,
    [
      change.orgId,
      change.id,
      change.url,
      change.events ? JSON.stringify(change.events) : null,
      change.setDescription,
      change.description,
      change.secretEnc,
      change.status,
      change.disabledReason,
      change.now,
    ],
  );
  return r.rows[0] ?? null;
}

/** Deletes an endpoint and its deliveries (the events stay: other endpoints may have them). */
export async function deleteEndpoint(q: Queryable, orgId: string, id: string): Promise<boolean> {
  const r = await q.query("delete from webhook_endpoints where id = $1 and org_id = $2", [
    id,
    orgId,
  ]);
  return r.affectedRows > 0;
}

/**
 * Writes an event of the organization, and one delivery per active endpoint
 * subscribed to its type, in the caller's transaction; nothing when no
 * endpoint subscribes. Returns the event's id, or null.
 */
export async function insertEvent(
  q: Queryable,
  event: { orgId: string; type: string; data: Record<string, unknown> },
): Promise<string | null> {
  const r = await q.query<{ id: string | null }>("select webhook_emit($1, $2, $3::jsonb) as id", [
    event.orgId,
    event.type,
    JSON.stringify(event.data),
  ]);
  return r.rows[0]?.id ?? null;
}

/** An event for one endpoint only, whatever its filter (the test event, and replays). */
export async function insertEventFor(
  q: Queryable,
  event: { orgId: string; endpointId: string; type: string; data: Record<string, unknown> },
): Promise<DeliveryRow> {
  const r = await q.query<DeliveryRow>(
    `with ev as (
       insert into webhook_events (org_id, type, payload) values ($1, $3, $4::jsonb)
       returning id, type, created_at
     ),
     d as (
       insert into webhook_deliveries (org_id, event_id, endpoint_id)
       select $1, ev.id, $2 from ev
       returning *
     )
     select ${DELIVERY_COLUMNS} from d join ev on ev.id = d.event_id`,
    [event.orgId, event.endpointId, event.type, JSON.stringify(event.data)],
  );
  return r.rows[0]!;
}

export interface DeliveryRow {
  id: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  seq: bigint;
}

const DELIVERY_COLUMNS = `d.id, d.event_id as "eventId", d.endpoint_id as "endpointId",
  ev.type as "eventType", d.status, d.attempts, d.next_attempt_at as "nextAttemptAt",
  d.last_status_code as "lastStatusCode", d.last_error as "lastError",
  d.last_attempt_at as "lastAttemptAt", d.delivered_at as "deliveredAt",
  d.created_at as "createdAt", d.seq`;

/** An endpoint's deliveries, newest first; `before` is a delivery's seq. */
export async function listDeliveries(
  q: Queryable,
  options: {
    orgId: string;
    endpointId: string;
    status: WebhookDeliveryStatus | null;
    before: bigint | null;
    limit: number;
  },
): Promise<DeliveryRow[]> {
  const r = await q.query<DeliveryRow>(
    `select ${DELIVERY_COLUMNS}
     from webhook_deliveries d join webhook_events ev on ev.id = d.event_id
     where d.endpoint_id = $2 and d.org_id = $1 and ($3::text is null or d.status = $3)
       and ($4::bigint is null or d.seq < $4)
     order by d.seq desc limit $5`,
    [options.orgId, options.endpointId, options.status, options.before, options.limit],
  );
  return r.rows;
}

export async function findDelivery(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<DeliveryRow | null> {
  const r = await q.query<DeliveryRow>(
    `select ${DELIVERY_COLUMNS}
     from webhook_deliveries d join webhook_events ev on ev.id = d.event_id
     where d.id = $1 and d.org_id = $2`,
    [id, orgId],
  );
  return r.rows[0] ?? null;
}

/** A replay: a new delivery of the delivery's event to its endpoint, due now. */
export async function insertReplay(
  q: Queryable,
  delivery: { orgId: string; eventId: string; endpointId: string },
): Promise<DeliveryRow> {
  const r = await q.query<DeliveryRow>(
    `with d as (
       insert into webhook_deliveries (org_id, event_id, endpoint_id) values ($1, $2, $3)
       returning *
     )
     select ${DELIVERY_COLUMNS} from d join webhook_events ev on ev.id = d.event_id`,
    [delivery.orgId, delivery.eventId, delivery.endpointId],
  );
  return r.rows[0]!;
}

/** A claimed delivery, with what its POST needs. */
export interface ClaimedDelivery {
  id: string;
  orgId: string;
  endpointId: string;
  url: string;
  secretEnc: string;
  eventId: string;
  type: string;
  payload: Record<string, unknown>;
  eventAt: Date;
  attempts: number;
  createdAt: Date;
}

/**
 * Claims up to `limit` due deliveries of active endpoints: locked FOR UPDATE
 * SKIP LOCKED (two workers never take one delivery), then stamped with the
 * claim and moved past the lease in the same statement, so a worker that
 * dies mid-attempt leaves them due again when the lease ends. Oldest first
 * (webhook_deliveries_due_idx), and within that in event order.
 */
export async function claimDeliveries(
  q: Queryable,
  options: { now: Date; leaseUntil: Date; claim: string; limit: number },
): Promise<ClaimedDelivery[]> {
  const r = await q.query<ClaimedDelivery>(
    `with due as (
       select d.id from webhook_deliveries d
       where d.status = 'pending' and d.next_attempt_at <= $1
       order by d.next_attempt_at, d.seq
       limit $4
       for update skip locked
     ),
     c as (
       update webhook_deliveries d set next_attempt_at = $2, claim = $3
       from due where d.id = due.id
       returning d.*
     )
     select c.id, c.org_id as "orgId", c.endpoint_id as "endpointId", e.url,
       e.secret_enc as "secretEnc", c.event_id as "eventId", ev.type, ev.payload,
       ev.created_at as "eventAt", c.attempts, c.created_at as "createdAt"
     from c join webhook_endpoints e on e.id = c.endpoint_id
       join webhook_events ev on ev.id = c.event_id
     order by c.seq`,
    [options.now, options.leaseUntil, options.claim, options.limit],
  );
  return r.rows;
}

/** What one attempt came to. */
export interface AttemptOutcome {
  id: string;
  /** delivered; pending again at `nextAttemptAt`; failed (given up). */
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date | null;
  statusCode: number | null;
  error: string | null;
  at: Date;
}

/**
 * Records a batch of attempts in one statement, each only if the delivery
 * is still under this claim (a worker whose lease ran out records nothing:
 * the next holder's attempt counts).
 */
export async function recordAttempts(
  q: Queryable,
  claim: string,
  outcomes: readonly AttemptOutcome[],
): Promise<number> {
  if (outcomes.length === 0) return 0;
  const r = await q.query(
    `update webhook_deliveries d set status = u.status, attempts = d.attempts + 1,
       next_attempt_at = coalesce(u.next_at, d.next_attempt_at), claim = null,
       last_status_code = u.code, last_error = u.error, last_attempt_at = u.at,
       delivered_at = case when u.status = 'delivered' then u.at end
     from unnest($2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::timestamptz[])
       as u(id, status, next_at, code, error, at)
     where d.id = u.id and d.claim = $1 and d.status = 'pending'`,
    [
      claim,
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.nextAttemptAt),
      outcomes.map((o) => o.statusCode),
      outcomes.map((o) => o.error),
      outcomes.map((o) => o.at),
    ],
  );
  return r.affectedRows;
}

/**
 * The endpoint answered 410 Gone: disabled, and its pending deliveries given
 * up (see updateEndpoint), unless it was changed since.
 */
export async function disableGoneEndpoint(
  q: Queryable,
  options: { orgId: string; id: string; reason: string; now: Date },
): Promise<void> {
  await updateEndpoint(q, {
    orgId: options.orgId,
    id: options.id,
    url: null,
    events: null,
    setDescription: false,
    description: null,
    secretEnc: null,
    status: "disabled",
    disabledReason: options.reason,
    now: options.now,
  });
}
