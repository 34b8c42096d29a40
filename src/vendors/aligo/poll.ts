// Polling Aligo: each mid's result list read once, a few at a time —
// `/sms_list/` for SMS/LMS/MMS, `/akv10/history/detail/` for Alimtalk. Final
// results only (a receiver Aligo still lists as sending, or not at all, gets
// no report). A failed Alimtalk whose fallback Aligo sent (`smid`) also gets
// the fallback's report; the fallback's own id may be asked about as well.
// Throws AppError UNAVAILABLE when Aligo cannot be asked, so the reconciler
// does not take silence for "no result".
import { AppError } from "../../lib/errors.ts";
import type { DeliveryReport, PollResult } from "../vendor.ts";
import {
  alimtalkReportOf,
  fallbackMidOf,
  fallbackReportOf,
  itemsByReceiver,
  smsReportOf,
} from "./callback.ts";
import { type AligoContext, callKakao, callSms, statusForm } from "./http.ts";
import { type AligoMessageRef, parseVendorMessageId, vendorMessageIdOf } from "./ids.ts";
import { type MappedError, mapKakaoResult } from "./map.ts";
import {
  ALIGO_MAX_RESULT_PAGES,
  ALIGO_RESULT_PAGE_SIZE,
  intOf,
  KAKAO_PATHS,
  type KakaoDetailItem,
  SMS_PATHS,
  type SmsListItem,
  textOf,
} from "./wire.ts";

export async function pollAligo(
  ctx: AligoContext,
  messages: { id: string; vendorMessageId: string }[],
  at: Date,
): Promise<PollResult> {
  const asked = messages.flatMap((m) => {
    const ref = parseVendorMessageId(m.vendorMessageId);
    return ref === null ? [] : [{ ...m, ref }];
  });

  const smsLists = new Map<string, Map<string, SmsListItem>>();
  const kakaoLists = new Map<string, Map<string, KakaoDetailItem>>();
  const kakaoMids = unique(asked.filter((a) => a.ref.channel === "at").map((a) => a.ref.mid));
  await eachLimit(kakaoMids, async (mid) => {
    kakaoLists.set(mid, await fetchKakaoDetail(ctx, mid));
  });
  const kakaoItemOf = (ref: AligoMessageRef) => kakaoLists.get(ref.mid)?.get(ref.receiver);
  const smidOf = (ref: AligoMessageRef): string | null => {
    const item = kakaoItemOf(ref);
    const result = item === undefined ? null : mapKakaoResult(item, ctx.settings);
    return item !== undefined && result?.status === "failed" ? fallbackMidOf(item) : null;
  };
  const smsMids = unique(asked.map(({ ref }) => (ref.channel === "at" ? smidOf(ref) : ref.mid)));
  await eachLimit(smsMids, async (mid) => {
    smsLists.set(mid, await fetchSmsList(ctx, mid));
  });

  const reports: (DeliveryReport | null)[] = [];
  for (const { id, vendorMessageId, ref } of asked) {
    const asking = { id, vendorMessageId };
    if (ref.channel !== "at") {
      const item = smsLists.get(ref.mid)?.get(ref.receiver);
      reports.push(smsReportOf({ asked: asking, ref, item, settings: ctx.settings, now: at }));
      continue;
    }
    const alimtalkId = vendorMessageIdOf(ref);
    if (!ref.fallback) {
      const item = kakaoItemOf(ref);
      reports.push(alimtalkReportOf({ asked: asking, item, settings: ctx.settings, now: at }));
    }
    const smid = smidOf(ref);
    if (smid === null) continue;
    reports.push(
      fallbackReportOf({
        alimtalkVendorMessageId: alimtalkId,
        item: smsLists.get(smid)?.get(ref.receiver),
        settings: ctx.settings,
        now: at,
      }),
    );
  }
  return { reports: reports.filter((r): r is DeliveryReport => r !== null) };
}

function unavailable(failure: MappedError): AppError {
  return new AppError("UNAVAILABLE", `Aligo poll failed: ${failure.error.message}`, {
    cause: failure.error,
    retryable: failure.retryable,
  });
}

/** Every receiver `/sms_list/` knows for a mid, following `next_yn`. */
async function fetchSmsList(ctx: AligoContext, mid: string): Promise<Map<string, SmsListItem>> {
  const items: unknown[] = [];
  for (let page = 1; page <= ALIGO_MAX_RESULT_PAGES; page++) {
    const answer = await callSms(
      ctx,
      SMS_PATHS.smsList,
      statusForm(ctx.credentials, {
        mid,
        page: String(page),
        page_size: String(ALIGO_RESULT_PAGE_SIZE),
      }),
    );
    if (!answer.ok) throw unavailable(answer.failure);
    const list = answer.body.list;
    if (Array.isArray(list)) items.push(...list);
    if (textOf(answer.body.next_yn) !== "Y" || !Array.isArray(list) || list.length === 0) break;
  }
  return itemsByReceiver<SmsListItem>(items, "receiver");
}

/** Every receiver history/detail knows for a mid, following `totalPage`. */
async function fetchKakaoDetail(
  ctx: AligoContext,
  mid: string,
): Promise<Map<string, KakaoDetailItem>> {
  const items: unknown[] = [];
  for (let page = 1; page <= ALIGO_MAX_RESULT_PAGES; page++) {
    const answer = await callKakao(ctx, KAKAO_PATHS.historyDetail, (token) => {
      const form = new URLSearchParams({
        apikey: ctx.credentials.apiKey,
        userid: ctx.credentials.userId,
      });
      if (token !== null) form.set("token", token);
      form.set("mid", mid);
      form.set("page", String(page));
      form.set("limit", String(ALIGO_RESULT_PAGE_SIZE));
      return form;
    });
    if (!answer.ok) throw unavailable(answer.failure);
    const list = answer.body.list;
    if (Array.isArray(list)) items.push(...list);
    const totalPages = intOf(answer.body.totalPage) ?? 1;
    if (page >= totalPages || !Array.isArray(list) || list.length === 0) break;
  }
  return itemsByReceiver<KakaoDetailItem>(items, "phone");
}

/** Result lists read at once during a poll: enough to be quick, few enough to be polite. */
const POLL_CONCURRENCY = 4;

async function eachLimit<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, items.length) }, worker));
}

const unique = (values: (string | null)[]): string[] =>
  [...new Set(values)].filter((v): v is string => v !== null);
