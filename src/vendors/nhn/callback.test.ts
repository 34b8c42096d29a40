import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { InboundRequest } from "../vendor.ts";
import { expectedSignature, parseNhnReports } from "./callback.ts";

const raw = (name: string) =>
  readFileSync(new URL(`../../../test/support/vendors/nhn/fixtures/${name}`, import.meta.url));
const NOW = new Date("2026-03-02T03:30:00.000Z");
const SECRET = "whsec_generated_by_alimi";
const ACCOUNT = {
  webhookSecret: SECRET,
  credentials: {
    smsAppKey: "smsAppKey0001",
    smsSecretKey: "sms-secret-0001",
    alimtalkAppKey: "alimtalkAppKey01",
    alimtalkSecretKey: "alimtalk-secret-01",
  },
};

function request(
  body: Buffer | string,
  signature: string | string[] | null = SECRET,
): InboundRequest {
  return {
    headers: {
      "content-type": "application/json;charset=UTF-8",
      ...(signature === null ? {} : { "x-toast-webhook-signature": signature }),
    },
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    pathToken: null,
  };
}

describe("verification", () => {
  it("accepts the account's webhook secret as the signature", () => {
    const parsed = parseNhnReports(ACCOUNT, request(raw("sms-webhook.json")), NOW);
    expect(parsed.ok).toBe(true);
  });

  it("accepts the first of repeated signature headers", () => {
    const parsed = parseNhnReports(
      ACCOUNT,
      request(raw("sms-webhook.json"), [SECRET, "other"]),
      NOW,
    );
    expect(parsed.ok).toBe(true);
  });

  it.each([
    [null, "missing signature header"],
    ["", "missing signature header"],
    ["whsec_generated_by_alimi ", "signature mismatch"],
    ["WHSEC_GENERATED_BY_ALIMI", "signature mismatch"],
    ["whsec", "signature mismatch"],
  ])("refuses signature %j with 401 (%s)", (signature, message) => {
    expect(parseNhnReports(ACCOUNT, request(raw("sms-webhook.json"), signature), NOW)).toEqual({
      ok: false,
      status: 401,
      message,
    });
  });

  it("uses the customer's own signature string when credentials have one", () => {
    const account = {
      ...ACCOUNT,
      credentials: { ...ACCOUNT.credentials, webhookSignatureKey: "chosen-in-nhn-console" },
    };
    expect(expectedSignature(account)).toBe("chosen-in-nhn-console");
    expect(parseNhnReports(account, request(raw("sms-webhook.json")), NOW)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(
      parseNhnReports(account, request(raw("sms-webhook.json"), "chosen-in-nhn-console"), NOW).ok,
    ).toBe(true);
  });

  it("never accepts an empty expected signature", () => {
    const account = { ...ACCOUNT, webhookSecret: "" };
    expect(parseNhnReports(account, request(raw("sms-webhook.json"), "x"), NOW)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("checks the signature before reading the body", () => {
    expect(parseNhnReports(ACCOUNT, request("not json", "wrong"), NOW)).toMatchObject({
      status: 401,
    });
  });
});

describe("the envelope", () => {
  it.each([
    ["not json", "the body is not JSON"],
    ["[]", "the body must be { appKey, event, hooks: [] }"],
    ['{"event":"MESSAGE_RESULT_UPDATE"}', "the body must be { appKey, event, hooks: [] }"],
    [
      '{"appKey":"someone-else","event":"MESSAGE_RESULT_UPDATE","hooks":[]}',
      "the appKey is not one of this account's",
    ],
    ['{"event":"MESSAGE_RESULT_UPDATE","hooks":[]}', "the appKey is not one of this account's"],
    [
      '{"appKey":"smsAppKey0001","event":"MESSAGE_RESULT_UPDATE","hooks":[{"recipientGroupingKey":"m"}]}',
      "hooks[0]: requestId and recipientSeq are required",
    ],
    [
      '{"appKey":"alimtalkAppKey01","event":"MESSAGE_RESULT_UPDATE","hooks":["x"]}',
      "hooks[0]: not an object",
    ],
  ])("refuses %s with 400", (body, message) => {
    expect(parseNhnReports(ACCOUNT, request(body), NOW)).toEqual({
      ok: false,
      status: 400,
      message,
    });
  });

  it("acknowledges other events with no reports", () => {
    expect(parseNhnReports(ACCOUNT, request(raw("sms-unsubscribe-webhook.json")), NOW)).toEqual({
      ok: true,
      reports: [],
    });
  });
});

describe("SMS reports", () => {
  it("reads the hooks, with the docs' misspelled keys, and skips messages not ours", () => {
    const parsed = parseNhnReports(ACCOUNT, request(raw("sms-webhook.json")), NOW);
    const hooks = JSON.parse(raw("sms-webhook.json").toString()).hooks;
    expect(parsed).toEqual({
      ok: true,
      reports: [
        {
          vendorMessageId: "sms:20260302120000ReZQ6KZzAH0:1",
          messageId: "msg_a",
          status: "delivered",
          type: "sms",
          fallbackOf: null,
          error: null,
          at: new Date("2026-03-02T03:00:04.000Z"),
          raw: hooks[0],
        },
        {
          vendorMessageId: "sms:20260302120002LmsLmsLms00:3",
          messageId: "msg_c",
          status: "failed",
          type: "mms",
          fallbackOf: null,
          error: {
            code: "INVALID_NUMBER",
            rawCode: "3003",
            message: "Malformed or unassigned recipient number.",
          },
          at: new Date("2026-03-02T03:00:07.000Z"),
          raw: hooks[1],
        },
      ],
    });
  });

  it("takes a hook without a sender grouping key when it has our recipient key", () => {
    const body = JSON.stringify({
      appKey: "smsAppKey0001",
      event: "MESSAGE_RESULT_UPDATE",
      hooks: [
        {
          requestId: "R1",
          recipientSeq: "2",
          messageStatus: "FAILED",
          resultCode: "2000",
          recipientGroupingKey: "msg_z",
        },
        { requestId: "R1", recipientSeq: 3, messageStatus: "COMPLETED", resultCode: "1000" },
      ],
    });
    const parsed = parseNhnReports(ACCOUNT, request(body), NOW);
    expect(parsed.ok && parsed.reports.map((r) => [r.vendorMessageId, r.status, r.at])).toEqual([
      ["sms:R1:2", "failed", NOW],
    ]);
  });
});

describe("Alimtalk reports", () => {
  it("reports the message, infers NHN's fallback from our grouping key, skips Friendtalk", () => {
    const parsed = parseNhnReports(ACCOUNT, request(raw("alimtalk-webhook.json")), NOW);
    if (!parsed.ok) throw new Error(parsed.message);
    const base = "alimtalk:20260302120001AbCdEfGhIj0";
    expect(
      parsed.reports.map((r) => [r.vendorMessageId, r.messageId, r.status, r.type, r.fallbackOf]),
    ).toEqual([
      [`${base}:1`, "msg_d", "delivered", "alimtalk", null],
      [`${base}:3`, "msg_f", "failed", "alimtalk", null],
      [`${base}:3:fallback`, null, "sent", "lms", `${base}:3`],
      ["alimtalk:20260302120003NoFallback0:1", "msg_g", "failed", "alimtalk", null],
    ]);
    expect(parsed.reports[1]!.error).toEqual({
      code: "NOT_KAKAO_USER",
      rawCode: "3019",
      message: "Not a KakaoTalk user.",
    });
    expect(parsed.reports[2]!.error).toBeNull();
    expect(parsed.reports[3]!.error?.code).toBe("BLOCKED");
    expect(parsed.reports[0]!.at).toEqual(new Date("2026-03-02T03:00:03.000Z"));
  });

  it("reads resend fields when a hook carries them", () => {
    const body = JSON.stringify({
      appKey: "alimtalkAppKey01",
      event: "MESSAGE_RESULT_UPDATE",
      hooks: [
        {
          kakaoMessageType: "ALIMTALK_NORMAL",
          requestId: "R2",
          recipientSeq: 1,
          resultCode: "3018",
          resendStatus: "RSC05",
          resendResultCode: "3006",
          senderGroupingKey: "alimi:at:sms",
          recipientGroupingKey: "msg_y",
        },
      ],
    });
    const parsed = parseNhnReports(ACCOUNT, request(body), NOW);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(
      parsed.reports.map((r) => [r.vendorMessageId, r.status, r.type, r.error?.rawCode]),
    ).toEqual([
      ["alimtalk:R2:1", "failed", "alimtalk", "3018"],
      ["alimtalk:R2:1:fallback", "failed", "sms", "3006"],
    ]);
  });
});
