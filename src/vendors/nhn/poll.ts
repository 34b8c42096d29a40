// Reconciliation: the messages' results, asked of NHN by requestId (one query
// per send request, not per message). Our SMS-product ids do not say whether a
// message went to /sender/sms or /sender/mms (webhooks do not reliably tell),
// so an SMS request is looked for in the SMS list first, then in the MMS list.
//
// Throws AppError UNAVAILABLE when NHN cannot be asked (network, 5xx, refused
// credentials), so the reconciler asks again later instead of expiring the
// messages. A query NHN answers with a permanent error (say, a request older
// than its 90-day search limit) gives no reports: the messages expire.
import { AppError } from "../../lib/errors.ts";
import type { DeliveryReport, PollResult, VendorAccount } from "../vendor.ts";
import { forEachLimited } from "./http.ts";
import { type NhnMessageRef, parseVendorMessageId } from "./ids.ts";
import type { MappedError } from "./map.ts";
import { getAlimtalkMessage, type Items, listRequest } from "./queries.ts";
import {
  type AlimtalkItem,
  alimtalkReportOf,
  fallbackReportOf,
  readAlimtalkItem,
  smsReportOf,
} from "./reports.ts";
import { configOf, type ProductConfig, productConfig } from "./settings.ts";
import { integerOf, isObject, type NhnProduct } from "./wire.ts";

const PARALLEL_QUERIES = 4;

interface RequestGroup {
  product: NhnProduct;
  requestId: string;
  refs: NhnMessageRef[];
}

function unavailable(message: string, failure: MappedError | null): AppError {
  return new AppError("UNAVAILABLE", message, {
    cause: failure?.error,
    retryable: failure?.retryable ?? false,
  });
}

/** The items of an answer; throws when NHN could not be asked (see above). */
function itemsOrThrow(items: Items): unknown[] {
  if (items.ok) return items.items;
  const { failure } = items;
  if (failure.retryable || failure.error.code === "AUTH_FAILED") {
    throw unavailable(`NHN poll failed: ${failure.error.message}`, failure);
  }
  return [];
}

const seqOf = (item: unknown) =>
  isObject(item) ? integerOf(item.recipientSeq ?? item.mtPr) : null;

export async function pollMessages(
  account: VendorAccount,
  messages: { id: string; vendorMessageId: string }[],
  now: Date,
): Promise<PollResult> {
  const config = configOf(account);
  const groups = new Map<string, RequestGroup>();
  for (const m of messages) {
    const ref = parseVendorMessageId(m.vendorMessageId);
    if (ref === null) continue;
    const key = `${ref.product}:${ref.requestId}`;
    const group = groups.get(key);
    if (group) group.refs.push(ref);
    else groups.set(key, { product: ref.product, requestId: ref.requestId, refs: [ref] });
  }
  const reports: DeliveryReport[] = [];
  await forEachLimited([...groups.values()], PARALLEL_QUERIES, async (group) => {
    const product = productConfig(config, group.product);
    if (typeof product === "string") throw unavailable(product, null);
    const found =
      group.product === "sms"
        ? await pollSmsRequest(product, config.timeoutMs, group, now)
        : await pollAlimtalkRequest(product, config.timeoutMs, group, now);
    reports.push(...found);
  });
  const seen = new Set<string>();
  return {
    reports: reports.filter((r) => {
      const key = `${r.vendorMessageId}\u0000${r.status}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  };
}

async function pollSmsRequest(
  product: ProductConfig,
  timeoutMs: number,
  group: RequestGroup,
  now: Date,
): Promise<DeliveryReport[]> {
  const wanted = new Set(group.refs.map((r) => r.recipientSeq));
  let items: unknown[] = [];
  for (const endpoint of ["sms", "mms"] as const) {
    const listed = await listRequest(product, timeoutMs, { requestId: group.requestId, endpoint });
    items = itemsOrThrow(listed).filter((item) => wanted.has(seqOf(item) ?? -1));
    if (items.length > 0) break;
  }
  const reports: DeliveryReport[] = [];
  for (const item of items) {
    const report = smsReportOf(item, "query", now);
    if (typeof report === "string") throw unavailable(`NHN poll answer: ${report}`, null);
    if (report !== null) reports.push(report);
  }
  return reports;
}

async function pollAlimtalkRequest(
  product: ProductConfig,
  timeoutMs: number,
  group: RequestGroup,
  now: Date,
): Promise<DeliveryReport[]> {
  const listed = await listRequest(product, timeoutMs, { requestId: group.requestId });
  const bySeq = new Map<number, unknown>();
  for (const item of itemsOrThrow(listed)) {
    const seq = seqOf(item);
    if (seq !== null) bySeq.set(seq, item);
  }
  const read = new Map<number, AlimtalkItem>();
  const reports: DeliveryReport[] = [];
  for (const ref of group.refs) {
    let item = read.get(ref.recipientSeq);
    if (item === undefined) {
      const raw = bySeq.get(ref.recipientSeq);
      if (raw === undefined) continue;
      const parsed = readAlimtalkItem(raw, now);
      if (typeof parsed === "string") throw unavailable(`NHN poll answer: ${parsed}`, null);
      item = await withResendCode(product, timeoutMs, parsed, now);
      read.set(ref.recipientSeq, item);
    }
    if (!ref.fallback) {
      const own = alimtalkReportOf(item);
      if (own !== null) reports.push(own);
    }
    const fallback = fallbackReportOf(item, { asked: ref.fallback, inferFromGroupingKey: false });
    if (fallback !== null) reports.push(fallback);
  }
  return reports;
}

/**
 * The list query gives a fallback's status but not its SMS result code; a
 * failed fallback is asked again singly for the code (the error it reports).
 */
async function withResendCode(
  product: ProductConfig,
  timeoutMs: number,
  item: AlimtalkItem,
  now: Date,
): Promise<AlimtalkItem> {
  if (item.resendStatus !== "RSC05" || item.resendResultCode !== null) return item;
  const single = await getAlimtalkMessage(product, timeoutMs, item);
  const raw = itemsOrThrow(single.ok ? { ok: true, items: [single.item] } : single)[0];
  const detailed = raw === undefined ? null : readAlimtalkItem(raw, now);
  return detailed === null || typeof detailed === "string" ? item : detailed;
}
