// The per-caller limit: every API key and every signed-in user may make
// `perSecond` requests a second on average, in bursts of up to twice that
// (API-2.md: 50/s, burst 100): @fastify/rate-limit's window of two seconds
// holding 2 × perSecond, keyed by the caller rather than the address. Over it,
// 429 RATE_LIMITED with Retry-After. Counted per process, like the per-IP limit.
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../lib/errors.ts";
import type { Principal } from "./auth.ts";
import type { App } from "./types.ts";

const WINDOW_MS = 2000;

export type PrincipalLimit = (
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
) => Promise<void>;

export function createPrincipalLimit(app: App, perSecond: number): PrincipalLimit {
  if (perSecond <= 0) return async () => {};
  const rateOf = (request: FastifyRequest) => request.principal?.rateLimit ?? perSecond;
  const limiter = app.createRateLimit({
    max: (request) => rateOf(request) * (WINDOW_MS / 1000),
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => {
      const p = request.principal;
      return p?.userId ? `user:${p.userId}` : `key:${p?.keyId ?? request.ip}`;
    },
  });
  return async (request, reply, principal) => {
    request.principal = principal;
    const status = await limiter(request);
    // isAllowed: on the plugin's allow list; else limited only once exceeded.
    if (status.isAllowed || !status.isExceeded) return;
    const seconds = Math.max(1, status.ttlInSeconds);
    reply.header("retry-after", String(seconds));
    throw new AppError(
      "RATE_LIMITED",
      `more than ${rateOf(request)} requests a second from this ${principal.userId ? "user" : "API key"}; try again in ${seconds} s`,
      { retryAfterSeconds: seconds },
    );
  };
}
