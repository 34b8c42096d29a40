// GET /r/{code}: a tracked link, followed. Public (whoever got the message
// follows it) and outside /v1. Fast by construction: the code is checked in
// memory, the link comes from memory (one database read per link per
// process), and the click goes into the recorder's buffer: no database write
// while the recipient waits.
import type { FastifyBaseLogger } from "fastify";
import Type from "typebox";
import type { Db } from "../../db/client.ts";
import { countsAsClick } from "../../domain/bots.ts";
import { createLinkCodeReader } from "../../domain/link-codes.ts";
import { ErrorResponse } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { type ClickRecorder, createClickRecorder } from "./recorder.ts";
import { createLinkResolver } from "./resolver.ts";
import type { LinkTracking } from "./tracking.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The clicks waiting to be written by this server (flush() writes them now). */
    linkClicks: ClickRecorder;
  }
}

export interface LinkRouteDeps {
  db: Db;
  now: () => Date;
  logger: FastifyBaseLogger;
  tracking: LinkTracking;
  /** How often clicks are written (default 1 s). */
  flushIntervalMs?: number;
}

const CodeParams = Type.Object(
  {
    code: Type.String({
      maxLength: 200,
      description:
        "The link's code; anything after its 15 characters is ignored (a phone may run a link on into the next word)",
    }),
  },
  { additionalProperties: false },
);

/** Registers GET /r/{code}; resolves once the signing key is at hand (made if none is yet). */
export async function linkRoutes(app: App, deps: LinkRouteDeps): Promise<void> {
  const { db, now, tracking } = deps;
  const readCode = createLinkCodeReader(await tracking.signingKey());
  const resolver = createLinkResolver({ db });
  const recorder = createClickRecorder({
    db,
    logger: deps.logger,
    intervalMs: deps.flushIntervalMs,
  });
  app.decorate("linkClicks", recorder);
  // After the HTTP side stopped taking requests, before the database closes.
  app.addHook("onClose", () => recorder.stop());

  app.get(
    "/r/:code",
    {
      // Redirects can come by the thousand a second: their access log is not kept,
      // and helmet's headers (made afresh per response, for pages) are not sent
      // with a redirect that has no body; its own say what matters for it.
      logLevel: "warn",
      config: { helmet: { skipRoute: true } },
      schema: {
        operationId: "followLink",
        tags: ["links"],
        summary: "Follow a tracked link: 302 to its address, counting the click",
        description:
          "Public, no credentials. HEAD requests, link-preview fetchers (KakaoTalk, Slack, Facebook, Twitter, Telegram, Discord…), crawlers and prefetches get the redirect without being counted. An unknown or altered code is 404.",
        security: [],
        params: CodeParams,
        response: {
          302: Type.Null({ description: "Location: the link's address" }),
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const code = readCode(request.params.code);
      const link = code && (await resolver.resolve(code.key));
      if (!code || !link) throw new AppError("NOT_FOUND", "no such link");
      const headers = request.headers;
      if (countsAsClick({ method: request.method, userAgent: headers["user-agent"], headers })) {
        recorder.record({
          key: code.key,
          recipientIndex: code.recipientIndex,
          type: code.type,
          at: now(),
        });
      }
      return (
        reply
          .header("cache-control", "no-store")
          // The code is the recipient's: the link's site is not told it.
          .header("referrer-policy", "no-referrer")
          .header("x-robots-tag", "noindex")
          .redirect(link.url, 302)
      );
    },
  );
}
