// A fake NHN Cloud Notification for tests: a real HTTP server on a random
// port serving both products' hosts (point smsBaseUrl and alimtalkBaseUrl at
// it). It checks the appKey in the path and the X-Secret-Key header the way
// NHN documents them, speaks the documented request and answer shapes, keeps
// what it received, and can be told to fail (5xx), never answer, answer
// nothing after doing the work (a lost answer), refuse recipients, end
// messages with given result codes, and post MESSAGE_RESULT_UPDATE webhooks —
// now or later — or keep results for polling. Alimtalk templates are
// registered, changed, read and decided as fake-templates.ts says.
//
// A wrong or missing X-Secret-Key is answered HTTP 401 with the Alimtalk
// docs' code −1001 "Invalid secretKey." in the header, for both products. NHN
// documents the code for Alimtalk only and the HTTP status for neither
// (UNCONFIRMED; `authFailureStatus` changes the status).
import type { IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { parseNhnDate } from "../../../../src/vendors/nhn/dates.ts";
import {
  isObject,
  JSON_CONTENT_TYPE,
  MESSAGE_RESULT_UPDATE,
  NHN_MAX_RECIPIENTS,
  type NhnProduct,
  type WireHookEnvelope,
} from "../../../../src/vendors/nhn/wire.ts";
import { HOLD, type RecordedRequest, startFakeHarness } from "../fake-harness.ts";
import {
  acceptAlimtalk,
  acceptAttachment,
  acceptSms,
  alimtalkItem,
  apiError,
  completeRecords,
  type FakeAnswer,
  type FakeAttachment,
  type FakeRecord,
  hookOf,
  newRequestId,
  type Outcomes,
  ok,
  smsListItem,
} from "./fake-store.ts";
import { createFakeNhnTemplates, type FakeNhnTemplates } from "./fake-templates.ts";

export type { FakeRecord } from "./fake-store.ts";

export interface FakeCredentials {
  appKey: string;
  secretKey: string;
}

export const FAKE_SMS: FakeCredentials = { appKey: "smsAppKey0001", secretKey: "sms-secret-0001" };
export const FAKE_ALIMTALK: FakeCredentials = {
  appKey: "alimtalkAppKey01",
  secretKey: "alimtalk-secret-01",
};

export interface FakeNhnOptions extends Outcomes {
  sms?: FakeCredentials;
  alimtalk?: FakeCredentials;
  /** The HTTP status of a wrong or missing X-Secret-Key (default 401). */
  authFailureStatus?: number;
  /** Where reports are posted, and the signature string "entered in NHN's console". */
  webhook?: { url: string; signature: string };
}

/** The harness's record of a request (body: the parsed JSON, null when empty, undefined when not JSON). */
export type ReceivedRequest = RecordedRequest;

/** `5xx`: HTTP 500 −9999; `timeout`: never answers; `lose-answer`: does the work, never answers. */
export type FakeFailure = "5xx" | "timeout" | "lose-answer";

export interface FakeNhnServer {
  url: string;
  received: ReceivedRequest[];
  records: FakeRecord[];
  /** Uploaded MMS attachments, by fileId. */
  attachments: Map<number, FakeAttachment>;
  failNext(kind: FakeFailure, count?: number): void;
  /** Every pending message gets its final result (see completeRecords). */
  complete(options?: { fallbackInProgress?: boolean }): void;
  /**
   * Posts the final results not yet reported, one envelope per product;
   * returns the webhook's HTTP statuses. Results answered 2xx are not posted again.
   */
  postReports(options?: { delayMs?: number }): Promise<number[]>;
  /** The envelopes posted so far. */
  posted: WireHookEnvelope[];
  /** Alimtalk templates, and Kakao's steps on them. */
  templates: FakeNhnTemplates;
  close(): Promise<void>;
}

const SMS_ROUTE = /^\/sms\/v3\.0\/appKeys\/([^/]+)\/sender\/(sms|mms)$/;
const ATTACH_ROUTE = /^\/sms\/v3\.0\/appKeys\/([^/]+)\/attachfile\/binaryUpload$/;
const ALIMTALK_ROUTE =
  /^\/alimtalk\/v2\.3\/appkeys\/([^/]+)\/(raw-messages|messages)(?:\/([^/]+)\/(\d+))?$/;
const ALIMTALK_TEMPLATE_ROUTE = /^\/alimtalk\/v2\.3\/appkeys\/([^/]+)(\/senders\/.+)$/;
const INVALID_JSON = Symbol("invalid JSON");

export async function startFakeServer(options: FakeNhnOptions = {}): Promise<FakeNhnServer> {
  const credentials: Record<NhnProduct, FakeCredentials> = {
    sms: options.sms ?? FAKE_SMS,
    alimtalk: options.alimtalk ?? FAKE_ALIMTALK,
  };
  const records: FakeRecord[] = [];
  const attachments = new Map<number, FakeAttachment>();
  const posted: WireHookEnvelope[] = [];
  const templates = createFakeNhnTemplates();
  const failures: FakeFailure[] = [];
  const harness = await startFakeHarness((request) => {
    const failure = failures.shift();
    if (failure === "5xx") return apiError(-9999, "System error.", 500);
    if (failure === "timeout") return HOLD;
    const url = new URL(`${request.path}?${request.query}`, "http://fake.invalid");
    const json = request.body === undefined ? INVALID_JSON : request.body;
    const answer = route(request.method, url, request.headers, json);
    if (failure === "lose-answer") return HOLD;
    return answer;
  });
  const received = harness.requests;
  const baseUrl = harness.url;

  function route(
    method: string,
    url: URL,
    headers: IncomingHttpHeaders,
    json: unknown,
  ): FakeAnswer {
    const template = ALIMTALK_TEMPLATE_ROUTE.exec(url.pathname);
    if (template !== null) {
      const given = credentials.alimtalk;
      if (decodeURIComponent(template[1]!) !== given.appKey) {
        return apiError(-1000, "Invalid appKey.");
      }
      if (headers["x-secret-key"] !== given.secretKey) {
        return apiError(-1001, "Invalid secretKey.", options.authFailureStatus ?? 401);
      }
      if (method !== "GET" && json === INVALID_JSON) {
        return apiError(-9997, "Invalid API parameters.");
      }
      return templates.handle(method, template[2]!, json) ?? apiError(-9998, "Not exist API.", 404);
    }
    const sms = SMS_ROUTE.exec(url.pathname);
    const attach = ATTACH_ROUTE.exec(url.pathname);
    const alimtalk = ALIMTALK_ROUTE.exec(url.pathname);
    const match = sms ?? attach ?? alimtalk;
    if (match === null) return apiError(-9998, "Not exist API.", 404);
    const product: NhnProduct = sms || attach ? "sms" : "alimtalk";
    const given = credentials[product];
    if (decodeURIComponent(match[1]!) !== given.appKey) return apiError(-1000, "Invalid appKey.");
    if (headers["x-secret-key"] !== given.secretKey) {
      return apiError(-1001, "Invalid secretKey.", options.authFailureStatus ?? 401);
    }
    const now = new Date();
    const ctx = { records, outcomes: options, now, attachments };
    if (method === "POST") {
      if (!String(headers["content-type"] ?? "").startsWith("application/json")) {
        return apiError(-9996, "Only application/json Content-type is supported.");
      }
      if (json === INVALID_JSON || !isObject(json))
        return apiError(-9997, "Invalid API parameters.");
      if (sms) return acceptSms(sms[2] as "sms" | "mms", json, ctx);
      if (attach) return acceptAttachment(json, attachments);
      if (alimtalk![2] === "raw-messages" && alimtalk![3] === undefined) {
        return acceptAlimtalk(json, ctx);
      }
      return apiError(-9998, "Not exist API.", 404);
    }
    if (method !== "GET" || attach) return apiError(-9998, "Not exist API.", 404);
    if (sms) return listSms(sms[2] as "sms" | "mms", url.searchParams);
    if (alimtalk![2] !== "messages") return apiError(-9998, "Not exist API.", 404);
    if (alimtalk![3] !== undefined) {
      const found = records.find(
        (r) =>
          r.product === "alimtalk" &&
          r.requestId === decodeURIComponent(alimtalk![3]!) &&
          r.recipientSeq === Number(alimtalk![4]),
      );
      return found
        ? ok({ message: alimtalkItem(found, true) })
        : apiError(-4000, "Invalid parameter");
    }
    return listAlimtalk(url.searchParams);
  }

  /** Records matching a list query's requestId, or its create-date window and grouping key. */
  function select(
    candidates: FakeRecord[],
    query: URLSearchParams,
  ): { ok: true; found: FakeRecord[]; pageNum: number; pageSize: number } | { ok: false } {
    const requestId = query.get("requestId");
    const from = parseNhnDate(query.get("startCreateDate") ?? query.get("startRequestDate"));
    const to = parseNhnDate(query.get("endCreateDate") ?? query.get("endRequestDate"));
    if (requestId === null && (from === null || to === null)) return { ok: false };
    const key = query.get("recipientGroupingKey");
    const found = candidates.filter(
      (r) =>
        (requestId === null || r.requestId === requestId) &&
        (from === null || r.createdAt.getTime() >= from.getTime()) &&
        (to === null || r.createdAt.getTime() < to.getTime() + 60_000) &&
        (key === null || r.recipientGroupingKey === key),
    );
    const pageNum = Math.max(1, Number(query.get("pageNum") ?? "1") || 1);
    const pageSize = Math.min(
      NHN_MAX_RECIPIENTS,
      Math.max(1, Number(query.get("pageSize") ?? "15") || 15),
    );
    return { ok: true, found, pageNum, pageSize };
  }

  function listSms(endpoint: "sms" | "mms", query: URLSearchParams): FakeAnswer {
    const selected = select(
      records.filter((r) => r.endpoint === endpoint),
      query,
    );
    if (!selected.ok) {
      return apiError(
        -2011,
        "RequestId or start/endRequestDate or start/endCreateDate is required.",
      );
    }
    const { found, pageNum, pageSize } = selected;
    const page = found.slice((pageNum - 1) * pageSize, pageNum * pageSize);
    return ok({
      body: { pageNum, pageSize, totalCount: found.length, data: page.map(smsListItem) },
    });
  }

  function listAlimtalk(query: URLSearchParams): FakeAnswer {
    const selected = select(
      records.filter((r) => r.product === "alimtalk"),
      query,
    );
    if (!selected.ok) return apiError(-4000, "Invalid parameter");
    const { found, pageNum, pageSize } = selected;
    const page = found.slice((pageNum - 1) * pageSize, pageNum * pageSize);
    return ok({
      messageSearchResultResponse: {
        messages: page.map((r) => alimtalkItem(r, false)),
        totalCount: found.length,
      },
    });
  }

  return {
    url: baseUrl,
    received,
    records,
    attachments,
    posted,
    templates,
    failNext(kind, count = 1) {
      for (let i = 0; i < count; i++) failures.push(kind);
    },
    complete(completion = {}) {
      completeRecords(records, options, { now: new Date(), ...completion });
    },
    async postReports({ delayMs = 0 } = {}) {
      const webhook = options.webhook;
      if (webhook === undefined) throw new Error("the fake NHN has no webhook to post to");
      if (delayMs > 0) await sleep(delayMs);
      const statuses: number[] = [];
      for (const product of ["sms", "alimtalk"] as const) {
        const due = records.filter(
          (r) => r.product === product && r.resultCode !== null && !r.reported,
        );
        if (due.length === 0) continue;
        const envelope: WireHookEnvelope = {
          hooksId: newRequestId(new Date()),
          webhookConfigId: "fake-webhook-config",
          productName: product === "sms" ? "SMS" : "KakaoTalk Bizmessage",
          appKey: credentials[product].appKey,
          event: MESSAGE_RESULT_UPDATE,
          hooks: due.map((r) => hookOf(r, baseUrl)),
        };
        posted.push(envelope);
        const response = await fetch(webhook.url, {
          method: "POST",
          headers: {
            "content-type": JSON_CONTENT_TYPE,
            "x-toast-webhook-signature": webhook.signature,
          },
          body: JSON.stringify(envelope),
        });
        await response.arrayBuffer();
        statuses.push(response.status);
        if (response.ok) for (const r of due) r.reported = true;
      }
      return statuses;
    },
    close: harness.close,
  };
}
