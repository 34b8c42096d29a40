// Polling SOLAPI: GET /messages/v4/list by message id, pollPageSize ids a
// request, following nextKey. Final results only; a native fallback is asked
// for by its Alimtalk's id. Throws (AppError UNAVAILABLE) when SOLAPI cannot
// be asked, so the reconciler does not take silence for "no result".
import { AppError } from "../../lib/errors.ts";
import type { DeliveryReport, PollResult, VendorAccount, VendorError } from "../vendor.ts";
import { FALLBACK_SUFFIX, reportsOfStored } from "./callback.ts";
import { call, failureOf } from "./http.ts";
import type { MappedError } from "./map.ts";
import { configOf, type SolapiConfig } from "./settings.ts";
import { isObject, LIST_PATH } from "./wire.ts";

/** A list that keeps answering nextKey is cut off here rather than followed forever. */
const MAX_LIST_PAGES = 1_000;

/** Every stored message a list query finds, following nextKey. */
export async function listMessages(
  config: SolapiConfig,
  query: { messageIds?: string[]; groupId?: string },
): Promise<{ ok: true; messages: unknown[] } | { ok: false; failure: MappedError }> {
  const messages: unknown[] = [];
  let startKey: string | null = null;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const params = new URLSearchParams();
    // Repeated `messageIds`, as the official Node SDK sends them (stringifyQuery, indices: false).
    for (const id of query.messageIds ?? []) params.append("messageIds", id);
    if (query.groupId) params.set("groupId", query.groupId);
    params.set("limit", String(config.pollPageSize));
    if (startKey !== null) params.set("startKey", startKey);
    const answer = await call(config, { method: "GET", path: `${LIST_PATH}?${params}` });
    const failure = failureOf(answer);
    if (failure !== null) return { ok: false, failure };
    const body = (answer as { body: unknown }).body;
    if (!isObject(body) || !isObject(body.messageList)) {
      const error: VendorError = {
        code: "VENDOR_UNAVAILABLE",
        rawCode: "list.malformed",
        message: "SOLAPI's list answer has no messageList object",
      };
      return { ok: false, failure: { error, retryable: true } };
    }
    // An object keyed by message id, not an array.
    messages.push(...Object.values(body.messageList));
    const next = typeof body.nextKey === "string" && body.nextKey !== "" ? body.nextKey : null;
    if (next === null || next === startKey || Object.keys(body.messageList).length === 0) break;
    startKey = next;
  }
  return { ok: true, messages };
}

export async function pollSolapi(
  account: VendorAccount,
  messages: { id: string; vendorMessageId: string }[],
): Promise<PollResult> {
  const checked = configOf(account);
  if (!checked.ok) throw new AppError("UNAVAILABLE", checked.error.message, { retryable: false });
  const { config } = checked;
  const ids = [
    ...new Set(
      messages.map((m) =>
        m.vendorMessageId.endsWith(FALLBACK_SUFFIX)
          ? m.vendorMessageId.slice(0, -FALLBACK_SUFFIX.length)
          : m.vendorMessageId,
      ),
    ),
  ];
  const reports: DeliveryReport[] = [];
  const now = new Date();
  for (let i = 0; i < ids.length; i += config.pollPageSize) {
    const listed = await listMessages(config, {
      messageIds: ids.slice(i, i + config.pollPageSize),
    });
    if (!listed.ok) {
      throw new AppError("UNAVAILABLE", `SOLAPI poll failed: ${listed.failure.error.message}`, {
        cause: listed.failure.error,
        retryable: listed.failure.retryable,
      });
    }
    for (const item of listed.messages) {
      const read = reportsOfStored(item, now);
      if (typeof read === "string") {
        throw new AppError("UNAVAILABLE", `SOLAPI list answer: ${read}`, { retryable: true });
      }
      reports.push(...read.filter((r) => r.status !== "sent"));
    }
  }
  return { reports };
}
