// The per-IP limit on unauthenticated traffic, so that a flood of bad keys,
// forged webhooks or scans is cheap to refuse. What counts against an IP is
// a request that failed without a caller being established: a 4xx answer to
// a request that carried no valid API key (a wrong key, a webhook whose
// signature or token did not verify, an unknown route). Authenticated calls
// and verified webhooks never count, so a vendor posting thousands of
// reports a minute, or a busy client, is not limited by it (per-key limits
// are a separate matter). Once an IP has used its budget for the window,
// everything it sends is answered 429 with Retry-After before any key is
// looked up or any body is read.
//
// The counters live in each process (@fastify/rate-limit's local store): with
// several API processes an IP may make that many failures at each.
import rateLimit from "@fastify/rate-limit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../lib/errors.ts";
import type { App } from "./types.ts";

export interface IpLimitOptions {
  /** Failed unauthenticated requests per IP per window; 0 turns the limit off. */
  max: number;
  windowMs?: number;
}

export type IpLimit = {
  /** Refuses the request (429) when its IP has no budget left. */
  check(request: FastifyRequest, reply: FastifyReply): Promise<void>;
};

/** @fastify/rate-limit, for the limits to create theirs from (this one and principal-limit.ts). */
export async function registerRateLimits(app: App): Promise<void> {
  // Group IPv6 clients by /56, as the plugin does by default: one host has many addresses.
  await app.register(rateLimit, { global: false, ipv6Subnet: 56 });
}

export function createIpLimit(app: App, options: IpLimitOptions): IpLimit {
  if (options.max <= 0) return { check: async () => {} };
  const limiter = app.createRateLimit({
    max: options.max,
    timeWindow: options.windowMs ?? 60_000,
  });

  app.addHook("onResponse", async (request, reply) => {
    const status = reply.statusCode;
    if (request.principal !== null || status < 400 || status >= 500 || status === 429) return;
    await limiter(request);
  });

  return {
    async check(request, reply) {
      const status = await limiter(request, { increment: false });
      if (status.isAllowed || status.remaining > 0) return;
      const seconds = Math.max(1, status.ttlInSeconds);
      reply.header("retry-after", String(seconds));
      throw new AppError(
        "RATE_LIMITED",
        `too many failed requests from this address; try again in ${seconds} s`,
        { details: [{ code: "IP_RATE_LIMITED", retryAfterSeconds: seconds }] },
      );
    },
  };
}
