// One form POST to Aligo (form-encoded, or multipart when it carries MMS
// images), read as JSON. Never throws: a request with
// no answer comes back as a mapped failure. The form carries the credentials,
// so neither it nor the URL ever goes into an error message.
import { type MappedError, mapHttpFailure, mapTransportFailure, UNREADABLE_ANSWER } from "./map.ts";
import { isObject, parseJson } from "./wire.ts";

export type Answer =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; failure: MappedError };

export async function postForm(options: {
  url: string;
  form: URLSearchParams | FormData;
  timeoutMs: number;
}): Promise<Answer> {
  // A FormData body is sent as multipart/form-data with its boundary, set by fetch.
  const multipart = options.form instanceof FormData;
  let status: number;
  let text: string;
  try {
    const response = await fetch(options.url, {
      method: "POST",
      headers: {
        ...(multipart ? {} : { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" }),
        accept: "application/json",
      },
      body: multipart ? options.form : options.form.toString(),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    return { ok: false, failure: mapTransportFailure(err) };
  }
  if (status !== 200) return { ok: false, failure: mapHttpFailure(status) };
  const body = parseJson(text);
  return isObject(body) ? { ok: true, body } : { ok: false, failure: UNREADABLE_ANSWER };
}
