// The akv10 token: `POST /akv10/token/create/{n}/{unit}/` with apikey and
// userid answers `{ code: 0, token }`, valid for the lifetime asked and bound
// to the calling server. Whether send requires it is UNCONFIRMED (setting
// `kakaoUseToken`, default on); when used, one token per account is cached
// until shortly before it expires, and concurrent sends share one creation.
import { createHash } from "node:crypto";
import type { VendorTransport } from "../http.ts";
import { postForm } from "./http.ts";
import { type MappedError, mapAligoFailure, UNREADABLE_ANSWER } from "./map.ts";
import type { AligoCredentials, AligoSettings } from "./settings.ts";
import { intOf, isKakaoSuccess, KAKAO_PATHS, textOf } from "./wire.ts";

export type TokenResult =
  | { ok: true; token: string; cached: boolean }
  | { ok: false; failure: MappedError };

interface Entry {
  token: string;
  expiresAt: number;
}

/** Cached tokens by account (a hash of where and as whom, never the key itself). */
export interface TokenCache {
  get(options: TokenRequest): Promise<TokenResult>;
  /** Forgets an account's token, e.g. after Aligo refused it. */
  drop(options: Pick<TokenRequest, "credentials" | "settings">): void;
}

interface TokenRequest {
  credentials: AligoCredentials;
  settings: Pick<AligoSettings, "kakaoBaseUrl" | "kakaoTokenTtlSeconds" | "timeoutMs">;
  transport: VendorTransport;
}

/** A token is used until this long before its end (a tenth of its life, at most a minute). */
const marginMs = (ttlSeconds: number): number => Math.min(60_000, ttlSeconds * 100);

export function createTokenCache(now: () => number = Date.now): TokenCache {
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<TokenResult>>();

  return {
    async get(options) {
      const key = cacheKey(options);
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > now()) {
        return { ok: true, token: entry.token, cached: true };
      }
      const running = inflight.get(key);
      if (running !== undefined) return running;
      const created = createToken(options).then((result) => {
        inflight.delete(key);
        if (result.ok) {
          const ttl = options.settings.kakaoTokenTtlSeconds;
          entries.set(key, { token: result.token, expiresAt: now() + ttl * 1000 - marginMs(ttl) });
        }
        return result;
      });
      inflight.set(key, created);
      return created;
    },
    drop(options) {
      entries.delete(cacheKey(options));
    },
  };
}

async function createToken(options: TokenRequest): Promise<TokenResult> {
  const { credentials, settings } = options;
  const answer = await postForm({
    url: `${settings.kakaoBaseUrl}${KAKAO_PATHS.tokenCreate(settings.kakaoTokenTtlSeconds)}`,
    form: new URLSearchParams({ apikey: credentials.apiKey, userid: credentials.userId }),
    timeoutMs: settings.timeoutMs,
    transport: options.transport,
  });
  if (!answer.ok) return answer;
  const { body } = answer;
  if (!isKakaoSuccess(body)) {
    const code = String(intOf(body.code) ?? textOf(body.code) ?? "missing");
    return { ok: false, failure: mapAligoFailure(code, textOf(body.message)) };
  }
  const token = textOf(body.token);
  if (!token) return { ok: false, failure: UNREADABLE_ANSWER };
  return { ok: true, token, cached: false };
}

function cacheKey({
  credentials,
  settings,
}: Pick<TokenRequest, "credentials" | "settings">): string {
  return createHash("sha256")
    .update(`${settings.kakaoBaseUrl}\u0000${credentials.userId}\u0000${credentials.apiKey}`)
    .digest("hex");
}
