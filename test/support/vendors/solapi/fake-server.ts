// A local SOLAPI for tests: a real HTTP server on a random port that checks
// the HMAC header the way SOLAPI documents it (15-minute skew, no reused
// signature, 403 with the documented codes), speaks the documented shapes of
// send-many/detail, the message list and the balance, enforces the request
// limits (10,000 messages, 15 MB), keeps MMS images uploaded to its storage
// (type MMS: JPEG/PNG/GIF ≤ 200 KB) and refuses an MMS whose imageId it does
// not hold (1023), records what it received, and posts
// message reports to a webhook URL — now, later, or never (then poll).
//
// Recipients (national digits) can be given a behaviour; any other recipient
// is delivered (4000). Kakao Alimtalk templates are registered, inspected and
// decided as fake-templates.ts says.
import { randomBytes } from "node:crypto";
import { type AuthCheck, createAuthVerifier } from "../../../../src/vendors/solapi/auth.ts";
import { EVENT_HEADER, SECRET_HEADER } from "../../../../src/vendors/solapi/callback.ts";
import {
  BALANCE_PATH,
  isObject,
  LIST_PATH,
  SEND_PATH,
  SOLAPI_MAX_MESSAGES,
  SOLAPI_MAX_REQUEST_BYTES,
  SOLAPI_MMS_IMAGE_MAX_BYTES,
  STORAGE_PATH,
  type WireErrorBody,
  type WireFailedMessage,
  type WireListResponse,
  type WireSendResponse,
  type WireStoredMessage,
  type WireUploadResponse,
} from "../../../../src/vendors/solapi/wire.ts";
import {
  type FakeAnswer,
  type RecordedRequest as HarnessRecord,
  HOLD,
  startFakeHarness,
} from "../fake-harness.ts";
import { imageFormatOf } from "../images.ts";
import {
  createFakeTemplates,
  type FakeTemplateOptions,
  type FakeTemplates,
} from "./fake-templates.ts";

export type RecipientBehaviour =
  /** Refused at intake: in failedMessageList with this code. */
  | { kind: "refuse"; statusCode: string; statusMessage?: string; omitCustomFields?: boolean }
  /** Accepted, then a failure report with this code. */
  | { kind: "fail"; statusCode: string }
  /** Accepted and handed to the carrier (3000); no final result ever. */
  | { kind: "pending" }
  /** Alimtalk fails (3104), replaced by SMS/LMS unless disableSms; SMS/LMS/MMS delivered. */
  | { kind: "not-kakao-user" };

export type InjectedFailure = "5xx" | "timeout" | "lost-answer" | "omit-message-list";

export interface FakeSolapiOptions {
  apiKey?: string;
  apiSecret?: string;
  /** The server's clock (auth skew, dates); the real clock by default. */
  now?: () => Date;
  /** The message-report URL configured in SOLAPI's console; null: no webhooks. */
  webhookUrl?: string | null;
  /** The console's webhook security key, sent as X-Solapi-Secret when set. */
  webhookSecretKey?: string;
  /** How long after acceptance the results are reported (and visible to the list API). */
  reportDelayMs?: number;
  recipients?: Record<string, RecipientBehaviour>;
  /** How its template API behaves (fake-templates.ts). */
  templates?: FakeTemplateOptions;
}

/** The harness's record, with the size of the body and the fake's HMAC verdict. */
export interface RecordedRequest extends HarnessRecord {
  bytes: number;
  auth: AuthCheck;
}

export interface ReportPost {
  status: number;
  headers: Record<string, string>;
  body: WireStoredMessage[];
}

export interface FakeSolapi {
  url: string;
  requests: RecordedRequest[];
  /** Messages by SOLAPI id, as the list API shows them now. */
  stored: Map<string, WireStoredMessage>;
  posts: ReportPost[];
  /** Files in the storage, by fileId. */
  uploads: Map<string, { type: string; name: string; data: Buffer }>;
  /** Kakao Alimtalk templates, and Kakao's decisions on them. */
  templates: FakeTemplates;
  failNext(count: number, how: InjectedFailure): void;
  /** Answers the next authenticated request with this, whatever it asked (fixtures). */
  answerNext(status: number, body: unknown): void;
  /** Resolves once every scheduled report is applied and posted. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export const FAKE_API_KEY = "NCSFAKEAPIKEY001";
export const FAKE_API_SECRET = "FAKESECRETFAKESECRETFAKESECRET00";
export const FAKE_BALANCE = { balance: 50_000, point: 1_200, deposit: 0, accountId: "12925149" };

export async function startFakeServer(options: FakeSolapiOptions = {}): Promise<FakeSolapi> {
  const now = options.now ?? (() => new Date());
  const verifier = createAuthVerifier({
    apiKey: options.apiKey ?? FAKE_API_KEY,
    apiSecret: options.apiSecret ?? FAKE_API_SECRET,
  });
  const failures: InjectedFailure[] = [];
  const canned: { status: number; body: unknown }[] = [];
  const pending = new Set<Promise<void>>();
  const fake: FakeSolapi = {
    url: "",
    requests: [],
    stored: new Map(),
    posts: [],
    uploads: new Map(),
    templates: createFakeTemplates(options.templates),
    failNext(count, how) {
      for (let i = 0; i < count; i++) failures.push(how);
    },
    answerNext(status, body) {
      canned.push({ status, body });
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
    close: async () => {},
  };

  const answer = (status: number, body: unknown): FakeAnswer => ({ status, body });

  const handle = (recorded: RecordedRequest): FakeAnswer | typeof HOLD => {
    const failure = failures.shift();
    if (failure === "5xx") return answer(503, error("InternalError", "try again"));
    if (failure === "timeout") return HOLD;
    recorded.auth = verifier.check(recorded.headers.authorization, now());
    if (!recorded.auth.ok) {
      const { errorCode, errorMessage } = recorded.auth;
      return answer(403, error(errorCode, errorMessage));
    }
    const cannedAnswer = canned.shift();
    if (cannedAnswer) return answer(cannedAnswer.status, cannedAnswer.body);
    const route = `${recorded.method} ${recorded.path}`;
    if (route === `GET ${BALANCE_PATH}`) return answer(200, FAKE_BALANCE);
    if (route === `GET ${LIST_PATH}`) return answer(200, list(recorded.query));
    if (route === `POST ${STORAGE_PATH}`) {
      const uploaded = upload(recorded.body);
      if (typeof uploaded === "string") return answer(400, error("ValidationError", uploaded));
      return answer(200, uploaded);
    }
    const template = fake.templates.handle(recorded.method, recorded.path, recorded.body, now());
    if (template !== null) return answer(template.status, template.body);
    if (route !== `POST ${SEND_PATH}`) return answer(404, error("ResourceNotFound", route));
    if (recorded.bytes > SOLAPI_MAX_REQUEST_BYTES) {
      return answer(413, error("ValidationError", "the request is over 15MB"));
    }
    if (recorded.body === undefined) {
      return answer(400, error("ValidationError", "the body is not JSON"));
    }
    const sent = send(recorded.body, failure === "omit-message-list");
    if (typeof sent === "string") return answer(400, error("ValidationError", sent));
    if (failure === "lost-answer") return HOLD;
    return answer(200, sent);
  };

  const harness = await startFakeHarness<RecordedRequest>(handle, (r) => ({
    ...r,
    bytes: r.rawBody.length,
    auth: { ok: true },
  }));
  fake.requests = harness.requests;
  fake.url = harness.url;
  fake.close = async () => {
    await harness.close();
    await fake.settled();
  };

  /** Stores a file as SOLAPI's storage API does, or says why not. */
  function upload(body: unknown): WireUploadResponse | string {
    if (!isObject(body)) return "the body must be an object";
    const { file, type, name } = body;
    if (!["KAKAO", "MMS", "DOCUMENT", "RCS", "FAX", "BMS"].includes(type as string)) {
      return `type must be one of KAKAO, MMS, DOCUMENT, RCS, FAX, BMS; got ${String(type)}`;
    }
    if (typeof file !== "string" || file === "" || !/^[A-Za-z0-9+/]+=*$/.test(file)) {
      return "file must be the file's bytes in base64";
    }
    const data = Buffer.from(file, "base64");
    if (type === "MMS") {
      if (data.length > SOLAPI_MMS_IMAGE_MAX_BYTES) return "MMS images are at most 200KB";
      if (imageFormatOf(data) === null) return "MMS images must be JPEG, PNG or GIF";
    }
    const fileId = `ST01FZ${solapiId("M4V").slice(3)}`;
    const at = now().toISOString();
    const stored = { type: type as string, name: typeof name === "string" ? name : "", data };
    fake.uploads.set(fileId, stored);
    return {
      fileId,
      type: stored.type,
      name: stored.name,
      originalName: stored.name,
      url: `https://fake.solapi.local/${fileId}`,
      accountId: FAKE_BALANCE.accountId,
      dateCreated: at,
      dateUpdated: at,
    };
  }

  /** The intake check, with the storage: an MMS names an MMS image it holds. */
  function imageCode(m: Record<string, unknown>): string | null {
    if (m.type !== "MMS") return null;
    const image = typeof m.imageId === "string" ? fake.uploads.get(m.imageId) : undefined;
    return image?.type === "MMS" ? null : "1023";
  }

  /** Registers a request's messages and schedules their results. */
  function send(body: unknown, omitMessageList: boolean): WireSendResponse | string {
    if (!isObject(body) || !Array.isArray(body.messages)) return "messages must be an array";
    const messages = body.messages;
    if (messages.length === 0) return "messages must not be empty";
    if (messages.length > SOLAPI_MAX_MESSAGES) {
      return `at most ${SOLAPI_MAX_MESSAGES} messages per request, got ${messages.length}`;
    }
    const at = now().toISOString();
    const groupId = solapiId("G4V");
    const failed: WireFailedMessage[] = [];
    const registered: WireStoredMessage[] = [];
    const seenTo = new Set<string>();
    for (const value of messages) {
      const m = isObject(value) ? value : {};
      const to = typeof m.to === "string" ? m.to : "";
      const customFields = isObject(m.customFields)
        ? (m.customFields as Record<string, string>)
        : {};
      const behaviour = options.recipients?.[to];
      let code = intakeCode(m, body.allowDuplicates === true ? null : seenTo) ?? imageCode(m);
      if (code === null && behaviour?.kind === "refuse") code = behaviour.statusCode;
      seenTo.add(to);
      const stored: WireStoredMessage = {
        messageId: solapiId("M4V"),
        groupId,
        type: typeof m.type === "string" ? m.type : "SMS",
        to,
        from: typeof m.from === "string" ? m.from : "",
        statusCode: code ?? "2000",
        statusMessage: code === null ? "정상 접수(이통사로 접수 예정) " : `refused (${code})`,
        customFields,
        replacement: false,
        dateCreated: at,
        dateUpdated: at,
      };
      if (code !== null) {
        const drop = behaviour?.kind === "refuse" && behaviour.omitCustomFields;
        failed.push({
          to,
          from: stored.from,
          type: stored.type,
          country: "82",
          messageId: stored.messageId,
          statusCode: code,
          statusMessage:
            behaviour?.kind === "refuse" && behaviour.statusMessage
              ? behaviour.statusMessage
              : stored.statusMessage!,
          accountId: FAKE_BALANCE.accountId,
          customFields: drop ? {} : customFields,
        });
        continue;
      }
      fake.stored.set(stored.messageId, stored);
      registered.push(stored);
      schedule(stored, m, behaviour);
    }
    const response: WireSendResponse = {
      groupInfo: {
        groupId,
        accountId: FAKE_BALANCE.accountId,
        status: "SENDING",
        count: {
          total: messages.length,
          registeredFailed: failed.length,
          registeredSuccess: registered.length,
          sentTotal: 0,
          sentFailed: 0,
          sentSuccess: 0,
          sentPending: registered.length,
          sentReplacement: 0,
          refund: 0,
        },
      },
      failedMessageList: failed,
    };
    if (body.showMessageList === true && !omitMessageList) {
      response.messageList = registered.map((s) => ({
        messageId: s.messageId,
        statusCode: s.statusCode,
        statusMessage: s.statusMessage ?? "",
        to: s.to,
        customFields: s.customFields ?? {},
      }));
    }
    return response;
  }

  /** Sets the message's result after the delay and posts it to the webhook. */
  function schedule(
    stored: WireStoredMessage,
    message: Record<string, unknown>,
    behaviour: RecipientBehaviour | undefined,
  ) {
    const work = (async () => {
      await new Promise((resolve) => setTimeout(resolve, options.reportDelayMs ?? 0));
      Object.assign(stored, resultOf(stored, message, behaviour), {
        dateUpdated: now().toISOString(),
        dateProcessed: now().toISOString(),
        dateReported: now().toISOString(),
      });
      if (options.webhookUrl) await post(options.webhookUrl, [{ ...stored }]);
    })();
    pending.add(work);
    void work.finally(() => pending.delete(work));
  }

  async function post(url: string, body: WireStoredMessage[]) {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      [EVENT_HEADER]: "SINGLE-REPORT",
      ...(options.webhookSecretKey ? { [SECRET_HEADER]: options.webhookSecretKey } : {}),
    };
    let status = 0;
    try {
      const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = -1;
    }
    fake.posts.push({ status, headers, body });
  }

  function list(query: URLSearchParams): WireListResponse {
    const ids = new Set(query.getAll("messageIds"));
    // The official agent's form: messageIds[in]=["M4V…","M4V…"].
    const inList = parseJson(Buffer.from(query.get("messageIds[in]") ?? ""));
    if (Array.isArray(inList)) for (const id of inList) ids.add(String(id));
    const groupId = query.get("groupId");
    const limit = Math.max(1, Number(query.get("limit") ?? 20) || 20);
    const startKey = query.get("startKey");
    const matching = [...fake.stored.values()]
      .filter(
        (m) => (ids.size === 0 || ids.has(m.messageId)) && (!groupId || m.groupId === groupId),
      )
      .sort((a, b) => (a.messageId < b.messageId ? -1 : 1));
    const from = startKey === null ? 0 : matching.findIndex((m) => m.messageId >= startKey);
    const page = from < 0 ? [] : matching.slice(from, from + limit);
    const next = from < 0 ? undefined : matching[from + limit];
    return {
      startKey,
      nextKey: next?.messageId ?? null,
      limit,
      messageList: Object.fromEntries(page.map((m) => [m.messageId, { ...m }])),
    };
  }

  return fake;
}

/**
 * The intake check SOLAPI makes per message (codes from message-status-codes):
 * null when the message is registered.
 */
function intakeCode(m: Record<string, unknown>, seenTo: Set<string> | null): string | null {
  const { to, from, type, text, subject, kakaoOptions, customFields } = m;
  if (typeof to !== "string" || !/^0\d{8,10}$/.test(to)) return "1011";
  if (seenTo?.has(to)) return "1026";
  if (!["SMS", "LMS", "MMS", "ATA"].includes(type as string)) return "1025";
  if (typeof text !== "string" || text === "") return "1010";
  if (type !== "ATA" && (typeof from !== "string" || from === "")) return "1010";
  if (type === "SMS" && subject !== undefined) return "1013";
  if (isObject(customFields)) {
    for (const [k, v] of Object.entries(customFields)) {
      if (k.length > 30 || typeof v !== "string" || v.length > 100) return "1032";
    }
  }
  if (type === "ATA") {
    if (!isObject(kakaoOptions) || typeof kakaoOptions.pfId !== "string") return "1041";
    if (typeof kakaoOptions.templateId !== "string" || kakaoOptions.templateId === "")
      return "1042";
  } else if (kakaoOptions !== undefined) {
    return "1033";
  }
  return null;
}

/** The final state of an accepted message. */
function resultOf(
  stored: WireStoredMessage,
  message: Record<string, unknown>,
  behaviour: RecipientBehaviour | undefined,
): Partial<WireStoredMessage> {
  if (behaviour?.kind === "pending") return { statusCode: "3000", statusMessage: "이통사 접수" };
  if (behaviour?.kind === "fail") {
    return { statusCode: behaviour.statusCode, statusMessage: `failed (${behaviour.statusCode})` };
  }
  if (behaviour?.kind !== "not-kakao-user" || stored.type !== "ATA") {
    return { statusCode: "4000", statusMessage: "수신 완료" };
  }
  const kakao = message.kakaoOptions as { disableSms?: boolean };
  if (kakao.disableSms !== false) {
    return { statusCode: "3104", statusMessage: "카카오톡 미사용자" };
  }
  // Replaced: SOLAPI keeps the one messageId, flags it and reports the SMS/LMS result.
  const replacement = Array.isArray(message.replacements) ? message.replacements[0] : undefined;
  const type = isObject(replacement) && replacement.type === "LMS" ? "LMS" : "SMS";
  return { statusCode: "4000", statusMessage: "수신 완료", type, replacement: 1 };
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A 32-character SOLAPI id: prefix, 14-digit date, 15 random characters. */
function solapiId(prefix: "M4V" | "G4V"): string {
  const date = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const tail = [...randomBytes(15)].map((b) => ALPHANUMERIC[b % 36]).join("");
  return `${prefix}${date}${tail}`;
}

/** The parsed body; null when there is none, undefined when it is not JSON. */
function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return undefined;
  }
}

const error = (errorCode: string, errorMessage: string): WireErrorBody => ({
  errorCode,
  errorMessage,
});
