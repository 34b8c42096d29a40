// A campaign's results: per contact group it was sent to, and all its
// messages as a CSV file Excel opens in Korean.
import Type from "typebox";
import { principalOf } from "../../http/auth.ts";
import { errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { findCampaignInSubtree } from "./queries.ts";
import { EXPORT_HEADER, exportCampaignMessages } from "./results-export.ts";
import { countGroupClicks, countGroupResults } from "./results-queries.ts";

const count = Type.Integer({ minimum: 0 });

const GroupResult = Type.Object({
  groupId: Type.String(),
  name: Type.String({ description: "The group's name when the campaign was accepted" }),
  total: Type.Integer({
    minimum: 0,
    description:
      "Its members the campaign was sent to (recipients: an Alimtalk and its fallback are one)",
  }),
  delivered: count,
  failed: Type.Integer({
    minimum: 0,
    description: "Recipients whose last message failed (after its fallback, if any)",
  }),
  pending: Type.Integer({ minimum: 0, description: "Recipients without a final result yet" }),
  clicked: Type.Integer({ minimum: 0, description: "Recipients who clicked a tracked link" }),
  expired: Type.Integer({ minimum: 0, description: "Recipients whose result never came" }),
  canceled: count,
});

export function resultRoutes(app: App, deps: RouteDeps) {
  async function visibleCampaign(id: string, scopePath: string) {
    const campaign = await findCampaignInSubtree(deps.db, id, scopePath);
    if (!campaign) throw new AppError("NOT_FOUND", "campaign not found");
    return campaign;
  }

  app.get(
    "/v1/campaigns/:id/groups",
    {
      config: { scope: "read" },
      schema: {
        tags: ["campaigns"],
        summary: "How each contact group the campaign was sent to fared",
        description:
          "One entry per group of the send's groupIds, in their order (empty for a send without groups). A member of several groups counts in the first of them; a recipient the request named itself counts in none.",
        params: IdParams,
        response: { 200: Type.Array(GroupResult), ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await visibleCampaign(request.params.id, principalOf(request).orgPath);
      const groups = await countGroupResults(deps.db, campaign.id);
      const clicked = groups.length > 0 ? await countGroupClicks(deps.db, campaign.id) : new Map();
      return groups.map((g) => ({ ...g, clicked: clicked.get(g.groupId) ?? 0 }));
    },
  );

  app.get(
    "/v1/campaigns/:id/messages.csv",
    {
      config: { scope: "read" },
      schema: {
        tags: ["campaigns"],
        operationId: "exportCampaignMessages",
        summary: "The campaign's messages as CSV (UTF-8 with BOM: Excel opens it in Korean)",
        description: `Columns ${EXPORT_HEADER.join(", ")}; one line per message (a fallback on its own line, 유형 marked 대체발송), in the order they were created; times in the organization's time zone as "YYYY-MM-DD HH:mm:ss"; 금액 is what was charged. Streamed: any size.`,
        params: IdParams,
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const campaign = await visibleCampaign(request.params.id, principalOf(request).orgPath);
      const stream = exportCampaignMessages(deps.db, {
        campaignId: campaign.id,
        timeZone: campaign.timezone,
      });
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="campaign-${campaign.id}.csv"`)
        .send(stream);
    },
  );
}
