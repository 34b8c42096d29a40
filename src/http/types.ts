import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { Db } from "../db/client.ts";

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What routes are handed: plain services and the clock, never globals. */
export interface RouteDeps {
  db: Db;
  now: () => Date;
  /** Called after a campaign is committed, to wake the workers. */
  onAccepted: (campaign: { id: string; accepted: number }) => void;
  /** Called after a campaign draft's launch is committed, to have its messages queued. */
  onLaunched: (campaignId: string) => void;
  /** Called after held messages became due again (an organization reactivated). */
  onQueued: () => void;
}
