// The adapter against the fake SOLAPI over real HTTP: what the fake received,
// how answers become outcomes, reports through a real webhook receiver, and
// polling.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import {
  FAKE_API_KEY,
  FAKE_API_SECRET,
  type FakeSolapi,
  type FakeSolapiOptions,
  startFakeServer,
} from "../../../test/support/vendors/solapi/fake-server.ts";
import sendAnswer from "../../../test/support/vendors/solapi/fixtures/send-answer.json" with {
  type: "json",
};
import { AppError } from "../../lib/errors.ts";
import type { DeliveryReport, OutboundMessage, SendOutcome, VendorAccount } from "../vendor.ts";
import { authorizationHeader, parseAuthorization, signatureOf } from "./auth.ts";
import { solapiWebhookUrl } from "./callback.ts";
import { solapiAdapter } from "./client.ts";
import type { WireSendRequest } from "./wire.ts";

const SECRET = "whsec_solapi_test_0123456789";
const PF_ID = "KA01PF190227072057634pRBhbpAw1w1";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: FakeSolapiOptions = {}): Promise<FakeSolapi> {
  const server = await startFakeServer(options);
  cleanups.push(server.close);
  return server;
}

function account(
  server: { url: string } | null,
  options: { settings?: Record<string, unknown>; credentials?: Record<string, string> } = {},
): VendorAccount {
  return {
    id: "vac_solapi",
    vendor: "solapi",
    settings: {
      ...(server ? { baseUrl: server.url } : {}),
      pfId: PF_ID,
      templateIds: { WELCOME_001: "KA01TP2301260109382045fWJtLZUIab" },
      ...options.settings,
    },
    credentials: { apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET, ...options.credentials },
    webhookSecret: SECRET,
    webhookUrl: "http://127.0.0.1:1/webhooks/vendors/vac_solapi",
    transport: testTransport,
  };
}

let sequence = 0;
function sms(to: string, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: `msg_${++sequence}`,
    to,
    from: "0212345678",
    type: "sms",
    text: "주문이 접수되었습니다.",
    subject: null,
    alimtalk: null,
    nativeFallback: null,
    images: [],
    attempt: 1,
    ...overrides,
  };
}

function alimtalk(to: string, fallback: OutboundMessage["nativeFallback"] = null): OutboundMessage {
  return sms(to, {
    type: "alimtalk",
    text: "홍길동님, 가입을 환영합니다.",
    alimtalk: { templateCode: "WELCOME_001", buttons: [] },
    nativeFallback: fallback,
    images: [],
  });
}

const summary = (outcomes: SendOutcome[]) =>
  outcomes.map((o) =>
    o.outcome === "accepted" ? "accepted" : `${o.outcome}:${o.error.code}:${o.error.rawCode}`,
  );

const sendRequests = (server: FakeSolapi) =>
  server.requests.filter((r) => r.path === "/messages/v4/send-many/detail");

/** SOLAPI's id for each of our ids, from the fake's store. */
function storedIdsByOurId(server: FakeSolapi): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  for (const m of server.stored.values()) {
    const ours = m.customFields?.alimiMessageId ?? "";
    ids.set(ours, [...(ids.get(ours) ?? []), m.messageId]);
  }
  return ids;
}

interface Receiver {
  url: string;
  reports: DeliveryReport[];
  statuses: number[];
}

/** Our webhook route in miniature: the path token from the URL, parseReports on the raw body. */
async function receiver(vendorAccount: VendorAccount): Promise<Receiver> {
  const got: Receiver = { url: "", reports: [], statuses: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const match = /^\/webhooks\/vendors\/[^/]+(?:\/([^/]+))?$/.exec(req.url ?? "");
      const parsed = solapiAdapter.parseReports(vendorAccount, {
        headers: req.headers,
        rawBody: Buffer.concat(chunks),
        pathToken: match?.[1] ? decodeURIComponent(match[1]) : null,
      });
      if (parsed.ok) got.reports.push(...parsed.reports);
      const status = parsed.ok ? 200 : parsed.status;
      got.statuses.push(status);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  got.url = solapiWebhookUrl({
    webhookUrl: `${base}/webhooks/vendors/vac_solapi`,
    webhookSecret: vendorAccount.webhookSecret,
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return got;
}

describe("send: authentication and the request SOLAPI receives", () => {
  it("signs with HMAC-SHA256 over date + salt and posts send-many/detail", async () => {
    const server = await fake();
    const messages = [
      sms("+821012345678"),
      sms("+821012345679", { type: "lms", subject: "안내", text: "긴 안내 문구" }),
      alimtalk("+821012345670"),
    ];
    const outcomes = await solapiAdapter.send(account(server), messages);
    expect(summary(outcomes)).toEqual(["accepted", "accepted", "accepted"]);

    const [request] = sendRequests(server);
    expect(server.requests).toHaveLength(1);
    expect(request!.method).toBe("POST");
    expect(request!.auth).toEqual({ ok: true });
    expect(request!.headers["content-type"]).toBe("application/json");
    const header = request!.headers.authorization!;
    expect(header).toMatch(
      /^HMAC-SHA256 apiKey=NCSFAKEAPIKEY001, date=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, salt=[0-9a-f]{32}, signature=[0-9a-f]{64}$/,
    );
    const auth = parseAuthorization(header)!;
    expect(auth.signature).toBe(signatureOf(FAKE_API_SECRET, auth.date, auth.salt));
    expect(Math.abs(Date.parse(auth.date) - Date.now())).toBeLessThan(5_000);

    expect(request!.body).toEqual({
      messages: [
        {
          to: "01012345678",
          from: "0212345678",
          type: "SMS",
          text: "주문이 접수되었습니다.",
          customFields: { alimiMessageId: messages[0]!.id },
        },
        {
          to: "01012345679",
          from: "0212345678",
          type: "LMS",
          text: "긴 안내 문구",
          subject: "안내",
          customFields: { alimiMessageId: messages[1]!.id },
        },
        {
          to: "01012345670",
          from: "0212345678",
          type: "ATA",
          text: "홍길동님, 가입을 환영합니다.",
          customFields: { alimiMessageId: messages[2]!.id },
          kakaoOptions: {
            pfId: PF_ID,
            templateId: "KA01TP2301260109382045fWJtLZUIab",
            disableSms: true,
          },
        },
      ],
      allowDuplicates: true,
      showMessageList: true,
    } satisfies WireSendRequest);

    // Each accepted message carries the id SOLAPI stored it under.
    const stored = storedIdsByOurId(server);
    outcomes.forEach((o, i) => {
      expect(o).toEqual({
        id: messages[i]!.id,
        outcome: "accepted",
        vendorMessageId: stored.get(messages[i]!.id)![0],
      });
      expect(o.outcome === "accepted" && o.vendorMessageId).toMatch(/^M4V\d{14}[A-Z0-9]{15}$/);
    });
  });

  it("allowDuplicates false is passed on, and SOLAPI then refuses a repeated number (1026)", async () => {
    const server = await fake();
    const outcomes = await solapiAdapter.send(
      account(server, { settings: { allowDuplicates: false } }),
      [sms("+821012345678"), sms("+821012345678")],
    );
    expect((sendRequests(server)[0]!.body as WireSendRequest).allowDuplicates).toBe(false);
    expect(summary(outcomes)).toEqual(["accepted", "rejected:CONTENT_REJECTED:1026"]);
  });

  it("a wrong secret is SignatureDoesNotMatch: every message rejected, AUTH_FAILED", async () => {
    const server = await fake();
    const outcomes = await solapiAdapter.send(
      account(server, { credentials: { apiSecret: "not-the-secret" } }),
      [sms("+821012345678"), sms("+821012345679")],
    );
    expect(summary(outcomes)).toEqual([
      "rejected:AUTH_FAILED:SignatureDoesNotMatch",
      "rejected:AUTH_FAILED:SignatureDoesNotMatch",
    ]);
    expect(server.requests[0]!.status).toBe(403);
    expect(server.stored.size).toBe(0);
  });

  it("an unknown key is InvalidAPIKey", async () => {
    const server = await fake();
    const outcomes = await solapiAdapter.send(
      account(server, { credentials: { apiKey: "NCSUNKNOWN" } }),
      [sms("+821012345678")],
    );
    expect(summary(outcomes)).toEqual(["rejected:AUTH_FAILED:InvalidAPIKey"]);
  });

  it("a clock 16 minutes off is RequestTimeTooSkewed: retried, not failed", async () => {
    const server = await fake({ now: () => new Date(Date.now() + 16 * 60_000) });
    const outcomes = await solapiAdapter.send(account(server), [sms("+821012345678")]);
    expect(summary(outcomes)).toEqual(["retry:AUTH_FAILED:RequestTimeTooSkewed"]);
    expect(server.requests[0]!.auth).toMatchObject({
      ok: false,
      errorCode: "RequestTimeTooSkewed",
    });
  });

  it("the fake refuses a replayed signature with 403 DuplicatedSignature", async () => {
    const server = await fake();
    const authorization = authorizationHeader({ apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET });
    const get = () => fetch(`${server.url}/cash/v1/balance`, { headers: { authorization } });
    const first = await get();
    expect(first.status).toBe(200);
    const second = await get();
    expect(second.status).toBe(403);
    expect(await second.json()).toEqual({
      errorCode: "DuplicatedSignature",
      errorMessage: "signature already used within 15 minutes",
    });
  });

  it("missing credentials: rejected without a request", async () => {
    const server = await fake();
    const outcomes = await solapiAdapter.send(account(server, { credentials: { apiSecret: "" } }), [
      sms("+821012345678"),
    ]);
    expect(summary(outcomes)).toEqual(["rejected:AUTH_FAILED:credentials"]);
    expect(server.requests).toHaveLength(0);
  });
});

describe("send: splitting into requests", () => {
  it("10,001 messages go as 10,000 + 1, answered in input order", async () => {
    const server = await fake();
    const messages = Array.from({ length: 10_001 }, (_, i) =>
      sms(`+8210${String(10_000_000 + i).padStart(8, "0")}`),
    );
    const outcomes = await solapiAdapter.send(account(server), messages);
    expect(sendRequests(server).map((r) => (r.body as WireSendRequest).messages.length)).toEqual([
      10_000, 1,
    ]);
    expect(outcomes.map((o) => o.id)).toEqual(messages.map((m) => m.id));
    expect(outcomes.every((o) => o.outcome === "accepted")).toBe(true);
    const stored = storedIdsByOurId(server);
    expect(
      outcomes.every((o) => o.outcome === "accepted" && stored.get(o.id)![0] === o.vendorMessageId),
    ).toBe(true);
  });

  it("6,000 long LMS (about 18 MB) go as two requests under 15 MB each", async () => {
    const server = await fake();
    const text = "가나다라마바사아자차".repeat(100); // 1,000 Hangul: 2,000 EUC-KR bytes, 3,000 UTF-8
    const messages = Array.from({ length: 6_000 }, (_, i) =>
      sms(`+8210${String(20_000_000 + i).padStart(8, "0")}`, {
        type: "lms",
        subject: "안내",
        text,
      }),
    );
    const outcomes = await solapiAdapter.send(account(server), messages);
    const requests = sendRequests(server);
    expect(requests).toHaveLength(2);
    for (const r of requests) expect(r.bytes).toBeLessThanOrEqual(15_000_000);
    expect(requests.reduce((n, r) => n + (r.body as WireSendRequest).messages.length, 0)).toBe(
      6_000,
    );
    expect(requests.every((r) => r.status === 200)).toBe(true);
    expect(outcomes.filter((o) => o.outcome === "accepted")).toHaveLength(6_000);
  });
});

describe("send: partial failures in a 200 answer", () => {
  it("exactly the messages in failedMessageList fail, by their codes; the rest are accepted", async () => {
    const server = await fake({
      recipients: {
        "01011110001": { kind: "refuse", statusCode: "1062", statusMessage: "발신번호 미등록" },
        "01011110002": { kind: "refuse", statusCode: "1030" },
        // SOLAPI left customFields out: matched by the (unique) recipient.
        "01011110003": { kind: "refuse", statusCode: "1061", omitCustomFields: true },
      },
    });
    const messages = [
      sms("+821011110000"),
      sms("+821011110001"),
      sms("+821011110002"),
      sms("+821011110003"),
      sms("+14155550123"),
      sms("+821011110004", { type: "sms", subject: "SMS에는 제목이 없다" }),
    ];
    const outcomes = await solapiAdapter.send(account(server), messages);
    expect(summary(outcomes)).toEqual([
      "accepted",
      "rejected:SENDER_NOT_REGISTERED:1062",
      "retry:INSUFFICIENT_VENDOR_BALANCE:1030",
      "rejected:BLOCKED:1061",
      "rejected:INVALID_NUMBER:to",
      "accepted",
    ]);
    expect(outcomes[1]).toMatchObject({ error: { message: "발신번호 미등록" } });
    // The foreign number never went to SOLAPI.
    const sent = (sendRequests(server)[0]!.body as WireSendRequest).messages;
    expect(sent.map((m) => m.to)).toEqual([
      "01011110000",
      "01011110001",
      "01011110002",
      "01011110003",
      "01011110004",
    ]);
    const stored = storedIdsByOurId(server);
    expect(outcomes[0]).toMatchObject({ vendorMessageId: stored.get(messages[0]!.id)![0] });
    expect(outcomes[5]).toMatchObject({ vendorMessageId: stored.get(messages[5]!.id)![0] });
  });

  it("reads the documented answer shape (fixtures/send-answer.json)", async () => {
    const server = await fake();
    server.answerNext(200, sendAnswer);
    const outcomes = await solapiAdapter.send(account(server), [
      sms("+821012345678", { id: "msg_send_1" }),
      sms("+821055556666", { id: "msg_send_2", from: "0299999999" }),
    ]);
    expect(outcomes).toEqual([
      {
        id: "msg_send_1",
        outcome: "accepted",
        vendorMessageId: "M4V20260501090000SSSSSSSSSSSSSS1",
      },
      {
        id: "msg_send_2",
        outcome: "rejected",
        error: { code: "SENDER_NOT_REGISTERED", rawCode: "1062", message: "발신번호 미등록" },
      },
    ]);
  });

  it("without messageList in the answer, the ids are read from the group's list, page by page", async () => {
    const server = await fake();
    server.failNext(1, "omit-message-list");
    const messages = Array.from({ length: 5 }, (_, i) => sms(`+82101234000${i}`));
    const outcomes = await solapiAdapter.send(
      account(server, { settings: { pollPageSize: 2 } }),
      messages,
    );
    const stored = storedIdsByOurId(server);
    expect(outcomes).toEqual(
      messages.map((m) => ({
        id: m.id,
        outcome: "accepted",
        vendorMessageId: stored.get(m.id)![0],
      })),
    );
    const lists = server.requests.filter((r) => r.path === "/messages/v4/list");
    expect(lists).toHaveLength(3);
    expect(lists.map((r) => r.query.get("startKey"))).toEqual([
      null,
      expect.stringMatching(/^M4V/),
      expect.stringMatching(/^M4V/),
    ]);
    expect(new Set(lists.map((r) => r.query.get("groupId"))).size).toBe(1);
    // Nothing was sent twice.
    expect(server.stored.size).toBe(5);
  });

  it("a message the answer does not mention, and the group list cannot find, is retried", async () => {
    const server = await fake();
    server.answerNext(200, { ...sendAnswer, failedMessageList: [], messageList: [] });
    const outcomes = await solapiAdapter.send(account(server), [sms("+821012345678")]);
    expect(summary(outcomes)).toEqual(["retry:VENDOR_UNAVAILABLE:missing_result"]);
  });
});

describe("send: SOLAPI unavailable", () => {
  it("5xx: every message retried", async () => {
    const server = await fake();
    server.failNext(1, "5xx");
    const outcomes = await solapiAdapter.send(account(server), [
      sms("+821012345678"),
      sms("+821012345679"),
    ]);
    expect(summary(outcomes)).toEqual([
      "retry:VENDOR_UNAVAILABLE:InternalError",
      "retry:VENDOR_UNAVAILABLE:InternalError",
    ]);
  });

  it("a balance too low for the request: retried", async () => {
    const server = await fake();
    server.answerNext(400, { errorCode: "NotEnoughBalance", errorMessage: "잔액 부족" });
    const outcomes = await solapiAdapter.send(account(server), [sms("+821012345678")]);
    expect(summary(outcomes)).toEqual(["retry:INSUFFICIENT_VENDOR_BALANCE:NotEnoughBalance"]);
  });

  it("no answer within timeoutMs: retried as TIMEOUT", async () => {
    const server = await fake();
    server.failNext(1, "timeout");
    const started = Date.now();
    const outcomes = await solapiAdapter.send(account(server, { settings: { timeoutMs: 200 } }), [
      sms("+821012345678"),
    ]);
    expect(summary(outcomes)).toEqual(["retry:TIMEOUT:timeout"]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("connection refused: retried as VENDOR_UNAVAILABLE", async () => {
    const server = await fake();
    const url = server.url;
    await server.close();
    const outcomes = await solapiAdapter.send(account({ url }), [sms("+821012345678")]);
    expect(summary(outcomes)).toEqual(["retry:VENDOR_UNAVAILABLE:ECONNREFUSED"]);
  });

  it("a lost answer is retried, and SOLAPI (no idempotency key) then has the message twice", async () => {
    const server = await fake();
    server.failNext(1, "lost-answer");
    const m = sms("+821012345678");
    const first = await solapiAdapter.send(account(server, { settings: { timeoutMs: 300 } }), [m]);
    expect(summary(first)).toEqual(["retry:TIMEOUT:timeout"]);
    const second = await solapiAdapter.send(account(server), [{ ...m, attempt: 2 }]);
    expect(summary(second)).toEqual(["accepted"]);
    expect(storedIdsByOurId(server).get(m.id)).toHaveLength(2);
  });
});

describe("Alimtalk and native fallback", () => {
  const NOT_KAKAO = "01000000001";

  it("without a fallback: disableSms true, and SOLAPI reports the Alimtalk failure", async () => {
    const hook = await receiver(account(null));
    const server = await fake({
      webhookUrl: hook.url,
      recipients: { [NOT_KAKAO]: { kind: "not-kakao-user" } },
    });
    const m = alimtalk("+821000000001");
    const [outcome] = await solapiAdapter.send(account(server), [m]);
    await server.settled();
    expect(hook.statuses).toEqual([200]);
    expect(hook.reports.map((r) => [r.vendorMessageId, r.messageId, r.type, r.status])).toEqual([
      [(outcome as { vendorMessageId: string }).vendorMessageId, m.id, "alimtalk", "failed"],
    ]);
    expect(hook.reports[0]!.error).toEqual({
      code: "NOT_KAKAO_USER",
      rawCode: "3104",
      message: "카카오톡 미사용자",
    });
  });

  it("native fallback: disableSms false; the replacement is its own report, fallbackOf the Alimtalk", async () => {
    const hook = await receiver(account(null));
    const server = await fake({
      webhookUrl: hook.url,
      recipients: { [NOT_KAKAO]: { kind: "not-kakao-user" } },
    });
    const vendorAccount = account(server, { settings: { nativeFallback: true } });
    const same = alimtalk("+821000000001", {
      type: "sms",
      text: "홍길동님, 가입을 환영합니다.",
      subject: null,
    });
    const own = alimtalk("+821000000001", {
      type: "lms",
      text: "가입 안내입니다.",
      subject: "환영",
    });
    const delivered = alimtalk("+821012345678", { type: "sms", text: "다른 문구", subject: null });
    const outcomes = await solapiAdapter.send(vendorAccount, [same, own, delivered]);
    expect(summary(outcomes)).toEqual(["accepted", "accepted", "accepted"]);
    const [wireSame, wireOwn] = (sendRequests(server)[0]!.body as WireSendRequest).messages;
    expect(wireSame!.kakaoOptions!.disableSms).toBe(false);
    expect(wireSame!.replacements).toBeUndefined();
    expect(wireOwn!.kakaoOptions!.disableSms).toBe(false);
    expect(wireOwn!.replacements).toEqual([
      { to: NOT_KAKAO, from: "0212345678", type: "LMS", text: "가입 안내입니다.", subject: "환영" },
    ]);

    await server.settled();
    expect(hook.statuses).toEqual([200, 200, 200]);
    const vid = (i: number) => (outcomes[i] as { vendorMessageId: string }).vendorMessageId;
    const seen = hook.reports
      .map((r) => `${r.vendorMessageId}|${r.type}|${r.status}|${r.fallbackOf ?? "-"}`)
      .sort();
    expect(seen).toEqual(
      [
        `${vid(0)}|alimtalk|failed|-`,
        `${vid(0)}:fallback|sms|delivered|${vid(0)}`,
        `${vid(1)}|alimtalk|failed|-`,
        `${vid(1)}:fallback|lms|delivered|${vid(1)}`,
        `${vid(2)}|alimtalk|delivered|-`,
      ].sort(),
    );
  });

  it("an Alimtalk without pfId is refused before SOLAPI sees it", async () => {
    const server = await fake();
    const outcomes = await solapiAdapter.send(account(server, { settings: { pfId: "" } }), [
      alimtalk("+821012345678"),
      sms("+821012345679"),
    ]);
    expect(summary(outcomes)).toEqual(["rejected:SENDER_NOT_REGISTERED:settings.pfId", "accepted"]);
    expect((sendRequests(server)[0]!.body as WireSendRequest).messages).toHaveLength(1);
  });
});

describe("webhook reports", () => {
  it("arrive at the path-token URL with the ids send answered; the console key is checked", async () => {
    const vendorAccount = account(null, { credentials: { webhookSecretKey: "console-key" } });
    const hook = await receiver(vendorAccount);
    const server = await fake({
      webhookUrl: hook.url,
      webhookSecretKey: "console-key",
      reportDelayMs: 30,
      recipients: { "01011112222": { kind: "fail", statusCode: "3043" } },
    });
    const messages = [sms("+821012345678"), sms("+821011112222")];
    const outcomes = await solapiAdapter.send(
      { ...vendorAccount, settings: { baseUrl: server.url } },
      messages,
    );
    // Not reported yet: the list API shows them accepted.
    expect([...server.stored.values()].map((m) => m.statusCode)).toEqual(["2000", "2000"]);
    await server.settled();
    expect(server.posts.map((p) => p.headers["x-solapi-event-name"])).toEqual([
      "SINGLE-REPORT",
      "SINGLE-REPORT",
    ]);
    expect(hook.statuses).toEqual([200, 200]);
    const byVid = new Map(hook.reports.map((r) => [r.vendorMessageId, r]));
    expect(byVid.get((outcomes[0] as { vendorMessageId: string }).vendorMessageId)).toMatchObject({
      messageId: messages[0]!.id,
      status: "delivered",
      type: "sms",
      error: null,
    });
    expect(byVid.get((outcomes[1] as { vendorMessageId: string }).vendorMessageId)).toMatchObject({
      messageId: messages[1]!.id,
      status: "failed",
      error: { code: "UNREACHABLE", rawCode: "3043" },
    });
  });

  it("a POST to the URL without the token is refused with 401", async () => {
    const hook = await receiver(account(null));
    const server = await fake({ webhookUrl: hook.url.replace(/\/[^/]+$/, "") });
    await solapiAdapter.send(account(server), [sms("+821012345678")]);
    await server.settled();
    expect(hook.statuses).toEqual([401]);
    expect(hook.reports).toEqual([]);
  });
});

describe("poll", () => {
  it("asks the list API by id and reports only final results", async () => {
    const server = await fake({
      recipients: {
        "01011110001": { kind: "fail", statusCode: "3104" },
        "01011110002": { kind: "pending" },
      },
    });
    const messages = [sms("+821011110000"), sms("+821011110001"), sms("+821011110002")];
    const outcomes = await solapiAdapter.send(account(server), messages);
    await server.settled();
    const asked = outcomes.map((o) => ({
      id: o.id,
      vendorMessageId: (o as { vendorMessageId: string }).vendorMessageId,
    }));
    const { reports } = await solapiAdapter.poll(account(server), asked);
    expect(
      reports.map((r) => [r.vendorMessageId, r.messageId, r.status, r.error?.code ?? null]).sort(),
    ).toEqual(
      [
        [asked[0]!.vendorMessageId, messages[0]!.id, "delivered", null],
        [asked[1]!.vendorMessageId, messages[1]!.id, "failed", "NOT_KAKAO_USER"],
      ].sort(),
    );
    const [list] = server.requests.filter((r) => r.path === "/messages/v4/list");
    expect(list!.auth).toEqual({ ok: true });
    expect(list!.query.getAll("messageIds")).toEqual(asked.map((a) => a.vendorMessageId));
    expect(list!.query.get("limit")).toBe("100");
  });

  it("pages through nextKey and asks pollPageSize ids at a time", async () => {
    const server = await fake();
    const messages = Array.from({ length: 5 }, (_, i) => sms(`+82101234500${i}`));
    const outcomes = await solapiAdapter.send(account(server), messages);
    await server.settled();
    const asked = outcomes.map((o) => ({
      id: o.id,
      vendorMessageId: (o as { vendorMessageId: string }).vendorMessageId,
    }));
    const { reports } = await solapiAdapter.poll(
      account(server, { settings: { pollPageSize: 2 } }),
      asked,
    );
    expect(reports.map((r) => r.vendorMessageId).sort()).toEqual(
      asked.map((a) => a.vendorMessageId).sort(),
    );
    const lists = server.requests.filter((r) => r.path === "/messages/v4/list");
    expect(lists.map((r) => r.query.getAll("messageIds").length)).toEqual([2, 2, 1]);
  });

  it("a native fallback is polled by its Alimtalk's id", async () => {
    const server = await fake({ recipients: { "01000000001": { kind: "not-kakao-user" } } });
    const m = alimtalk("+821000000001", {
      type: "sms",
      text: "홍길동님, 가입을 환영합니다.",
      subject: null,
    });
    const [outcome] = await solapiAdapter.send(account(server), [m]);
    await server.settled();
    const vid = (outcome as { vendorMessageId: string }).vendorMessageId;
    const { reports } = await solapiAdapter.poll(account(server), [
      { id: "msg_fallback_child", vendorMessageId: `${vid}:fallback` },
    ]);
    expect(reports.map((r) => [r.vendorMessageId, r.type, r.status, r.fallbackOf])).toEqual([
      [vid, "alimtalk", "failed", null],
      [`${vid}:fallback`, "sms", "delivered", vid],
    ]);
    expect(server.requests.at(-1)!.query.getAll("messageIds")).toEqual([vid]);
  });

  it("throws AppError UNAVAILABLE when SOLAPI cannot be asked", async () => {
    const server = await fake();
    server.failNext(1, "5xx");
    const error = await solapiAdapter
      .poll(account(server), [{ id: "msg_1", vendorMessageId: "M4V1" }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "UNAVAILABLE", retryable: true });

    server.answerNext(200, { startKey: null, nextKey: null, limit: 100, messageList: [] });
    await expect(
      solapiAdapter.poll(account(server), [{ id: "msg_1", vendorMessageId: "M4V1" }]),
    ).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});

describe("checkCredentials", () => {
  it("reads the balance, and says so in its own words", async () => {
    const server = await fake();
    expect(await solapiAdapter.checkCredentials(account(server))).toEqual({
      ok: true,
      message: "connected to SOLAPI (HTTP 200, a balance answer)",
    });
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "GET /cash/v1/balance 200",
    ]);
  });

  it("names SOLAPI's refusal by its status, without the secret or SOLAPI's own text", async () => {
    const server = await fake();
    const result = await solapiAdapter.checkCredentials(
      account(server, { credentials: { apiSecret: "wrong-secret-value" } }),
    );
    expect(result).toEqual({ ok: false, message: "SOLAPI refused the credentials (HTTP 403)" });
    expect(result.message).not.toContain("wrong-secret-value");
    expect(result.message).not.toContain("signature does not match");
  });

  it("says when SOLAPI cannot be reached", async () => {
    const server = await fake();
    server.failNext(1, "timeout");
    expect(
      await solapiAdapter.checkCredentials(account(server, { settings: { timeoutMs: 200 } })),
    ).toEqual({ ok: false, message: "SOLAPI did not answer in time" });
  });
});

it("the adapter's limits", () => {
  expect(solapiAdapter).toMatchObject({ vendor: "solapi", batchSize: 10_000, canPoll: true });
});
