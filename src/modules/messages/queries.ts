import type { Queryable } from "../../db/client.ts";
import type { CampaignContent, CampaignStatus } from "../../db/schema/campaigns.ts";
import type { MessageStatus } from "../../db/schema/messages.ts";
import type { PlannedMessage } from "../../domain/send-plan.ts";

export interface NewCampaign {
  id: string;
  orgId: string;
  status: CampaignStatus;
  type: string;
  strategy: string;
  fromNumber: string | null;
  content: CampaignContent;
  advertising: boolean;
  metadata: Record<string, unknown> | null;
  sendAt: Date | null;
  totalCount: number;
  heldTotal: bigint;
}

export async function insertCampaign(q: Queryable, c: NewCampaign): Promise<{ createdAt: Date }> {
  const r = await q.query<{ createdAt: Date }>(
    `insert into campaigns (id, org_id, status, type, strategy, from_number, content, advertising,
       metadata, send_at, total_count, held_total)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     returning created_at as "createdAt"`,
    [
      c.id,
      c.orgId,
      c.status,
      c.type,
      c.strategy,
      c.fromNumber,
      JSON.stringify(c.content),
      c.advertising,
      c.metadata === null ? null : JSON.stringify(c.metadata),
      c.sendAt,
      c.totalCount,
      c.heldTotal,
    ],
  );
  return r.rows[0]!;
}

/** Rows per insert statement: large enough to amortise the round trip, small enough to bind. */
export const MESSAGE_INSERT_BATCH = 1000;

/**
 * Inserts one batch of a campaign's messages with a single statement: the
 * per-message columns travel as arrays and `unnest` turns them into rows;
 * what every message shares is bound once.
 */
export async function insertMessageBatch(
  q: Queryable,
  batch: {
    orgId: string;
    campaignId: string;
    status: MessageStatus;
    runAt: Date;
    ids: string[];
    messages: PlannedMessage[];
  },
): Promise<void> {
  const n = batch.messages.length;
  const index = new Array<number>(n);
  const recipient = new Array<string>(n);
  const name = new Array<string | null>(n);
  const variables = new Array<string | null>(n);
  const type = new Array<string>(n);
  const fallbackType = new Array<string | null>(n);
  const held = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const m = batch.messages[i]!;
    index[i] = m.index;
    recipient[i] = m.to;
    name[i] = m.name;
    variables[i] = m.variables === null ? null : JSON.stringify(m.variables);
    type[i] = m.type;
    fallbackType[i] = m.fallbackType;
    held[i] = m.held.toString();
  }
  await q.query(
    `insert into messages (org_id, campaign_id, status, run_at, id, recipient_index, recipient,
       name, variables, type, fallback_type, price_held)
     select $1, $2, $3, $4, u.*
     from unnest($5::text[], $6::int[], $7::text[], $8::text[], $9::jsonb[], $10::text[],
                 $11::text[], $12::bigint[]) as u`,
    [
      batch.orgId,
      batch.campaignId,
      batch.status,
      batch.runAt,
      batch.ids,
      index,
      recipient,
      name,
      variables,
      type,
      fallbackType,
      held,
    ],
  );
}
