// One form POST to Aligo (form-encoded, or multipart when it carries MMS
// images), read as JSON. Never throws: a request with
// no answer comes back as a mapped failure. The form carries the credentials,
// so neither it nor the URL ever goes into an error message.
import { callVendor } from "../http.ts";
import { type MappedError, mapHttpFailure, UNREADABLE_ANSWER } from "./map.ts";
import { isObject } from "./wire.ts";

export type Answer =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; failure: MappedError };

export async function postForm(options: {
  url: string;
  form: URLSearchParams | FormData;
  timeoutMs: number;
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
  });
  if (!answer.ok) return answer;
  if (answer.status !== 200) return { ok: false, failure: mapHttpFailure(answer.status) };
  return isObject(answer.body)
    ? { ok: true, body: answer.body }
    : { ok: false, failure: UNREADABLE_ANSWER };
}
