import type { Queryable } from "../../db/client.ts";
import { copyLine, escapeCopyText } from "../../db/copy-text.ts";
import type { CampaignContent, CampaignDraft, CampaignStatus } from "../../db/schema/campaigns.ts";
import type { MessageStatus } from "../../db/schema/messages.ts";
import { type PriceLevel, storeChain } from "../../domain/pricing.ts";
import type { PlannedMessage, Prices } from "../../domain/send-plan.ts";
import { newIds } from "../../lib/ids.ts";

export interface NewCampaign {
  id: string;
  orgId: string;
  /** The wallet its holds and charges move (wallet mode `parent`: an ancestor's). */
  walletOrgId: string;
  priceChain: PriceLevel[];
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
  draft?: CampaignDraft | null;
}

export async function insertCampaign(q: Queryable, c: NewCampaign): Promise<{ createdAt: Date }> {
  const r = await q.query<{ createdAt: Date }>(
    `insert into campaigns (id, org_id, status, type, strategy, from_number, content, advertising,
       metadata, send_at, total_count, held_total, draft, wallet_org_id, price_chain)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
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
      c.draft ? JSON.stringify(c.draft) : null,
      c.walletOrgId,
      JSON.stringify(storeChain(c.priceChain)),
    ],
  );
  return r.rows[0]!;
}

const MESSAGE_COPY_COLUMNS = [
  "id",
  "org_id",
  "campaign_id",
  "status",
  "run_at",
  "recipient_index",
  "recipient",
  "name",
  "variables",
  "group_id",
  "type",
  "fallback_type",
  "priority",
  "unit_price",
  "unit_price_own",
  "price_held",
] as const;

/** Lines per chunk handed to COPY: bounded memory while a large campaign streams in. */
const COPY_CHUNK = 1000;

/**
 * Streams a campaign's messages into the table with one COPY. COPY skips the
 * per-statement planning and parameter binding that even a batched
 * `insert … select unnest(…)` pays, which is what lets 100,000 recipients be
 * accepted in about the time a plain batched insert takes.
 */
export async function copyMessages(
  q: Queryable,
  batch: {
    orgId: string;
    campaignId: string;
    status: MessageStatus;
    runAt: Date;
    messages: readonly PlannedMessage[];
    /** What each type is captured at on delivery through the platform's accounts. */
    prices: Prices;
    /** What each type is captured at when sent through an account the organization controls. */
    ownPrices: Prices;
    priority: 0 | 1;
    /** What a message stores of its variables: the recipient's own (the shared ones are on the campaign). */
    variablesOf: (message: PlannedMessage) => Record<string, string> | null | undefined;
    /** The group a message's recipient is sent as a member of (default: none). */
    groupOf?: (message: PlannedMessage) => string | null;
    /** Added to each message's index in its request: where a draft's part starts in the campaign. */
    indexOffset?: number;
  },
): Promise<void> {
  const { orgId, campaignId, status, messages } = batch;
  const runAt = batch.runAt.toISOString();
  // What every message of the campaign shares is encoded once; per message
  // only its own fields are, and only free text needs escaping (ids, E.164
  // numbers, types and prices cannot hold a tab or a backslash).
  const shared = copyLine([orgId, campaignId, status, runAt]).slice(0, -1);
  const priceText = (prices: Prices) => ({
    alimtalk: String(prices.alimtalk),
    sms: String(prices.sms),
    lms: String(prices.lms),
    mms: String(prices.mms),
  });
  const price = priceText(batch.prices);
  const ownPrice = priceText(batch.ownPrices);
  const NULL = "\\N";
  const offset = batch.indexOffset ?? 0;
  const groupOf = batch.groupOf ?? (() => null);
  function* chunks() {
    for (let start = 0; start < messages.length; start += COPY_CHUNK) {
      const end = Math.min(start + COPY_CHUNK, messages.length);
      const ids = newIds("msg", end - start);
      let text = "";
      for (let i = start; i < end; i++) {
        const m = messages[i]!;
        const variables = variablesJson(batch.variablesOf(m));
        text += `${ids[i - start]}\t${shared}\t${m.index + offset}\t${m.to}\t${
          m.name === null ? NULL : escapeCopyText(m.name)
        }\t${variables === null ? NULL : escapeCopyText(variables)}\t${
          groupOf(m) ?? NULL
        }\t${m.type}\t${
          m.fallbackType ?? NULL
        }\t${batch.priority}\t${price[m.type]}\t${ownPrice[m.type]}\t${m.held}\n`;
      }
      yield text;
    }
  }
  await q.copyFrom({ table: "messages", columns: MESSAGE_COPY_COLUMNS }, chunks());
}

function variablesJson(variables: Record<string, string> | null | undefined): string | null {
  if (!variables) return null;
  for (const _ in variables) return JSON.stringify(variables);
  return null;
}

/**
 * A suspended organization's queue waits: its queued messages, and those of
 * every organization below it, are due at 'infinity' until it is active
 * again (the dispatcher's lanes then never reach them; a cancel still
 * releases them).
 */
export async function holdQueuedMessages(q: Queryable, orgPath: string): Promise<number> {
  const r = await q.query(
    `update messages set run_at = 'infinity'
     where status = 'queued' and run_at <> 'infinity'
       and org_id in (select id from orgs where path like $1 || '%')`,
    [orgPath],
  );
  return r.affectedRows;
}

/** Sends the held messages below a reactivated organization, except where another suspension holds them. */
export async function releaseQueuedMessages(
  q: Queryable,
  orgPath: string,
  now: Date,
): Promise<number> {
  const r = await q.query(
    `update messages m set run_at = $2
     where m.status = 'queued' and m.run_at = 'infinity'
       and m.org_id in (
         select o.id from orgs o where o.path like $1 || '%'
           and not exists (select 1 from orgs a
                           where o.path like a.path || '%' and a.status = 'suspended'))`,
    [orgPath, now],
  );
  return r.affectedRows;
}
