import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findCampaignInSubtree, listCampaignMessages } from "./queries.ts";
import { Campaign, Message, MessageListQuery } from "./schemas.ts";
import { cancelCampaign, getCampaign, messageView } from "./service.ts";

export function campaignRoutes(app: App, deps: RouteDeps) {
  app.get(
    "/v1/campaigns/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["campaigns"],
        summary: "A campaign with its counts and cost",
        params: IdParams,
        response: { 200: Campaign, ...errorResponses },
      },
    },
    async (request) => getCampaign(deps.db, request.params.id, principalOf(request).orgPath),
  );

  app.get(
    "/v1/campaigns/:id/messages",
    {
      config: { scope: "read" },
      schema: {
        tags: ["campaigns"],
        summary: "The messages of a campaign",
        params: IdParams,
        querystring: MessageListQuery,
        response: { 200: Page(Message), ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await findCampaignInSubtree(
        deps.db,
        request.params.id,
        principalOf(request).orgPath,
      );
      if (!campaign) throw new AppError("NOT_FOUND", "campaign not found");
      const limit = request.query.limit ?? 50;
      const rows = await listCampaignMessages(deps.db, {
        campaignId: campaign.id,
        status: request.query.status ?? null,
        after: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (m) => m.id, messageView);
    },
  );

  app.post(
    "/v1/campaigns/:id/cancel",
    {
      config: { scope: "send" },
      schema: {
        tags: ["campaigns"],
        summary: "Cancel what has not been sent yet and release its credits",
        params: IdParams,
        response: { 200: Campaign, ...errorResponses },
      },
    },
    async (request) =>
      cancelCampaign(deps.db, {
        id: request.params.id,
        scopePath: principalOf(request).orgPath,
        now: deps.now(),
      }),
  );
}
