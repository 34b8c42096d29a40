// One form POST to Aligo (form-encoded, or multipart when it carries MMS
// images), read as JSON. Never throws: a request with
// no answer comes back as a mapped failure. The form carries the credentials,
// so neither it nor the URL ever goes into an error message.
import { callVendor, type VendorTransport } from "../http.ts";
import { type MappedError, mapAligoFailure, mapHttpFailure, UNREADABLE_ANSWER } from "./map.ts";
import type { AligoCredentials, AligoSettings } from "./settings.ts";
import type { TokenCache } from "./token.ts";
import { intOf, isKakaoSuccess, isObject, isSmsSuccess, textOf } from "./wire.ts";

/** What a call to Aligo needs: the account's credentials, settings and transport, and the akv10 tokens. */
export interface AligoContext {
  credentials: AligoCredentials;
  settings: AligoSettings;
  tokens: TokenCache;
  transport: VendorTransport;
}

export type Answer =
  | { ok: true; body: Record<string, unknown> }
  /** `status`: the HTTP status of Aligo's answer, absent when the call got none. */
  | { ok: false; failure: MappedError; status?: number };

export async function postForm(options: {
  url: string;
  form: URLSearchParams | FormData;
  timeoutMs: number;
  transport: VendorTransport;
}): Promise<Answer> {
  // A FormData body goes as multipart/form-data with its boundary, set by fetch.
  const multipart = options.form instanceof FormData;
  const answer = await callVendor({
    vendor: "Aligo",
    method: "POST",
    url: options.url,
    headers: multipart ? {} : { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" },
    body: multipart ? options.form : options.form.toString(),
    timeoutMs: options.timeoutMs,
    transport: options.transport,
  });
  if (!answer.ok) return answer;
  const { status } = answer;
  if (status !== 200) return { ok: false, failure: mapHttpFailure(status), status };
  return isObject(answer.body)
    ? { ok: true, body: answer.body }
    : { ok: false, failure: UNREADABLE_ANSWER, status };
}

/** An SMS API call: the body when `result_code` is 1, else the mapped failure. */
export async function callSms(
  ctx: AligoContext,
  path: string,
  form: URLSearchParams | FormData,
): Promise<Answer> {
  const answer = await postForm({
    url: `${ctx.settings.smsBaseUrl}${path}`,
    form,
    timeoutMs: ctx.settings.timeoutMs,
    transport: ctx.transport,
  });
  if (!answer.ok || isSmsSuccess(answer.body)) return answer;
  return {
    ok: false,
    failure: mapAligoFailure(codeOf(answer.body.result_code), textOf(answer.body.message)),
    status: 200,
  };
}

/**
 * A Kakao API call: the body when `code` is 0, else the mapped failure. With
 * tokens on, a refusal as unauthenticated while using a cached token drops it
 * and asks once more with a new one (the token may have been revoked early).
 */
export async function callKakao(
  ctx: AligoContext,
  path: string,
  formOf: (token: string | null) => URLSearchParams,
): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    let token: string | null = null;
    let cached = false;
    if (ctx.settings.kakaoUseToken) {
      const got = await ctx.tokens.get(ctx);
      if (!got.ok) return got;
      ({ token, cached } = got);
    }
    const answer = await postForm({
      url: `${ctx.settings.kakaoBaseUrl}${path}`,
      form: formOf(token),
      timeoutMs: ctx.settings.timeoutMs,
      transport: ctx.transport,
    });
    if (!answer.ok || isKakaoSuccess(answer.body)) return answer;
    const failure = mapAligoFailure(codeOf(answer.body.code), textOf(answer.body.message));
    if (failure.error.code === "AUTH_FAILED" && cached && attempt === 1) {
      ctx.tokens.drop(ctx);
      continue;
    }
    return { ok: false, failure };
  }
}

const codeOf = (value: unknown): string => String(intOf(value) ?? (textOf(value) || "missing"));

/**
 * The status endpoints document the account id as `userid` (the send spec
 * says `user_id`); both are sent, which either reading accepts.
 */
export const statusForm = (credentials: AligoCredentials, fields: Record<string, string> = {}) =>
  new URLSearchParams({
    key: credentials.apiKey,
    user_id: credentials.userId,
    userid: credentials.userId,
    ...fields,
  });
