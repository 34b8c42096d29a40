import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findCampaignClicks, findMessageClicks, type LinkTracking } from "../links/index.ts";
import { draftRoutes } from "./draft-routes.ts";
import {
  findCampaignInSubtree,
  listCampaignMessages,
  listCampaigns,
  tallyCampaigns,
} from "./queries.ts";
import { renderContents } from "./results-content.ts";
import { resultRoutes } from "./results-routes.ts";
import { Campaign, CampaignListQuery, Message, MessageListQuery } from "./schemas.ts";
import { campaignView, cancelCampaign, getCampaign, messageView } from "./service.ts";

export function campaignRoutes(app: App, deps: RouteDeps & { links: LinkTracking }) {
  draftRoutes(app, deps);
  resultRoutes(app, deps);

  app.get(
    "/v1/campaigns",
    {
      config: { scope: "read" },
      schema: {
        tags: ["campaigns"],
        summary: "The organization's campaigns, newest first, with their counts",
        querystring: CampaignListQuery,
        response: { 200: Page(Campaign), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const { orgId, orgPath } = principalOf(request);
      const rows = await listCampaigns(deps.db, {
        orgId,
        status: request.query.status ?? null,
        from: request.query.from ? new Date(request.query.from) : null,
        to: request.query.to ? new Date(request.query.to) : null,
        groupId: request.query.groupId ?? null,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      const tallies = await tallyCampaigns(
        deps.db,
        rows.map((c) => c.id),
      );
      const clicks = await findCampaignClicks(deps.db, {
        campaignIds: rows.map((c) => c.id),
        scopePath: orgPath,
      });
      return toPage(
        rows,
        limit,
        (c) => c.id,
        (c) => campaignView(c, tallies.get(c.id)!, clicks.get(c.id)),
      );
    },
  );

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
      const clicks = await findMessageClicks(deps.db, {
        messageIds: rows.map((m) => m.id),
        scopePath: principalOf(request).orgPath,
      });
      const contents = await renderContents(deps.db, rows);
      return toPage(
        rows,
        limit,
        (m) => m.id,
        (m) => messageView(m, clicks.get(m.id), contents.get(m.id)),
      );
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
