// Clicks as the API shows them on a message, and their schema.
import Type from "typebox";
import { IsoTime, Nullable } from "../../http/schemas.ts";
import type { MessageClicks } from "./queries.ts";

export interface MessageClicksView {
  total: number;
  firstAt: string | null;
}

export const NO_CLICKS: MessageClicksView = Object.freeze({ total: 0, firstAt: null });

export function clicksView(clicks: MessageClicks | undefined): MessageClicksView {
  if (!clicks) return NO_CLICKS;
  return { total: clicks.total, firstAt: clicks.firstAt?.toISOString() ?? null };
}

export const MessageClicksSchema = Type.Object(
  {
    total: Type.Integer({ minimum: 0 }),
    firstAt: Nullable(IsoTime),
  },
  {
    description:
      "Clicks on the tracked links this message carried (an Alimtalk's buttons, an SMS's text); previews and prefetches are not counted",
  },
);

export const LinkCountsSchema = Type.Object({
  url: Type.String(),
  clicks: Type.Integer({ minimum: 0, description: "Every click" }),
  uniqueClicks: Type.Integer({ minimum: 0, description: "Recipients who clicked it" }),
});
