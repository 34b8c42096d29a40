// What the end-to-end tests of the real vendors share: the Alimtalk template
// with an SMS fallback, a send to it, and each message's outcome.
import { expect } from "vitest";
import type { Db } from "../src/db/client.ts";
import type { App } from "../src/http/types.ts";
import { createApprovedTemplate } from "../src/modules/templates/service.ts";

/** ORDER_001: a short fallback without a subject, so the fallback goes as SMS (15.00). */
export async function createOrderTemplate(db: Db, orgId: string): Promise<void> {
  await createApprovedTemplate(db, orgId, {
    code: "ORDER_001",
    body: "#{name}님, 주문이 접수되었습니다.",
    fallback: { text: "#{name}님 주문 접수" },
  });
}

export function orderSender(app: App, auth: { authorization: string }) {
  return async (
    recipients: { to: string; name: string }[],
    extra: Record<string, unknown> = {},
  ) => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: auth,
      payload: {
        template: { code: "ORDER_001" },
        recipients: recipients.map((r) => ({ to: r.to, variables: { name: r.name } })),
        ...extra,
      },
    });
    expect(res.statusCode).toBe(202);
    return res.json().campaignId as string;
  };
}

/** Each message of a campaign: number, type, status and what it was charged. */
export async function outcomesOf(db: Db, campaignId: string) {
  const r = await db.query<{ to: string; type: string; status: string; charged: bigint }>(
    `select recipient as "to", type, status, price_charged as charged from messages
     where campaign_id = $1 order by recipient, fallback_of nulls first`,
    [campaignId],
  );
  return r.rows;
}

/** Routes both channels of an organization to one account. */
export async function routeAllTo(
  app: App,
  auth: { authorization: string },
  orgId: string,
  accountId: string,
) {
  const res = await app.inject({
    method: "PUT",
    url: `/v1/orgs/${orgId}/routing`,
    headers: auth,
    payload: { alimtalk: { primary: accountId }, sms: { primary: accountId } },
  });
  expect(res.statusCode).toBe(200);
}
