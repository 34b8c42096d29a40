import type { Queryable } from "../../db/client.ts";
import type { CampaignContent } from "../../db/schema/campaigns.ts";

/** Campaigns whose first messages are being sent now show `sending`. */
export async function markCampaignsSending(q: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query(
    `update campaigns set status = 'sending'
     where id = any($1::text[]) and status in ('queued', 'scheduled')`,
    [ids],
  );
}

export interface CampaignForDispatch {
  id: string;
  fromNumber: string | null;
  content: CampaignContent;
}

export async function findCampaignsForDispatch(
  q: Queryable,
  ids: string[],
): Promise<CampaignForDispatch[]> {
  const r = await q.query<CampaignForDispatch>(
    `select id, from_number as "fromNumber", content from campaigns where id = any($1::text[])`,
    [ids],
  );
  return r.rows;
}
