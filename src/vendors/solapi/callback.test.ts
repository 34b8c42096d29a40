import { describe, expect, it } from "vitest";
import listAnswer from "../../../test/support/vendors/solapi/fixtures/list-answer.json" with {
  type: "json",
};
import groupReport from "../../../test/support/vendors/solapi/fixtures/report-group.json" with {
  type: "json",
};
import messageReports from "../../../test/support/vendors/solapi/fixtures/report-messages.json" with {
  type: "json",
};
import replacementReports from "../../../test/support/vendors/solapi/fixtures/report-replacements.json" with {
  type: "json",
};
import type { InboundRequest, VendorAccount } from "../vendor.ts";
import { parseSolapiReports, reportsOfStored, solapiWebhookUrl } from "./callback.ts";

const SECRET = "whsec_0123456789abcdefABCDEF-_";
const NOW = new Date("2026-05-01T00:10:00.000Z");

function account(credentials: Record<string, string> = {}) {
  return {
    webhookSecret: SECRET,
    credentials: { apiKey: "K", apiSecret: "S", ...credentials },
  } satisfies Pick<VendorAccount, "webhookSecret" | "credentials">;
}

function request(
  body: unknown,
  options: { token?: string | null; headers?: InboundRequest["headers"] } = {},
): InboundRequest {
  return {
    headers: { "content-type": "application/json", ...options.headers },
    rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    pathToken: options.token === undefined ? SECRET : options.token,
  };
}

describe("verification by path token", () => {
  it.each([
    ["no token", null],
    ["a wrong token", "whsec_wrong"],
    ["a prefix of the token", SECRET.slice(0, -1)],
    ["an empty token", ""],
  ])("refuses %s with 401", (_name, token) => {
    expect(parseSolapiReports(account(), request(messageReports, { token }), NOW)).toEqual({
      ok: false,
      status: 401,
      message: "unknown webhook path token",
    });
  });

  it("refuses everything when the account has no secret", () => {
    const parsed = parseSolapiReports(
      { ...account(), webhookSecret: "" },
      request([], { token: "" }),
      NOW,
    );
    expect(parsed).toMatchObject({ ok: false, status: 401 });
  });

  it("checks X-Solapi-Secret too when the account has the console's webhook key", () => {
    const keyed = account({ webhookSecretKey: "console-key-1" });
    expect(parseSolapiReports(keyed, request([]), NOW)).toEqual({
      ok: false,
      status: 401,
      message: "x-solapi-secret does not match",
    });
    const wrong = request([], { headers: { "x-solapi-secret": "console-key-2" } });
    expect(parseSolapiReports(keyed, wrong, NOW)).toMatchObject({ ok: false, status: 401 });
    const right = request([], { headers: { "x-solapi-secret": "console-key-1" } });
    expect(parseSolapiReports(keyed, right, NOW)).toEqual({ ok: true, reports: [] });
  });

  it("gives the customer the URL with the token", () => {
    expect(
      solapiWebhookUrl({
        webhookUrl: "https://alimi.example/webhooks/vendors/vac_1",
        webhookSecret: SECRET,
      }),
    ).toBe(`https://alimi.example/webhooks/vendors/vac_1/${SECRET}`);
  });
});

describe("message reports (fixtures/report-messages.json)", () => {
  it("reads each message, skips a type we never send, and keeps our id", () => {
    const parsed = parseSolapiReports(account(), request(messageReports), NOW);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const summary = parsed.reports.map((r) => ({
      vendorMessageId: r.vendorMessageId,
      messageId: r.messageId,
      status: r.status,
      type: r.type,
      fallbackOf: r.fallbackOf,
      error: r.error,
      at: r.at.toISOString(),
    }));
    expect(summary).toEqual([
      {
        vendorMessageId: "M4V20260501090000AAAAAAAAAAAAAA1",
        messageId: "msg_sms_1",
        status: "delivered",
        type: "sms",
        fallbackOf: null,
        error: null,
        at: "2026-05-01T00:00:05.000Z",
      },
      {
        vendorMessageId: "M4V20260501090000AAAAAAAAAAAAAA2",
        messageId: "msg_ata_1",
        status: "failed",
        type: "alimtalk",
        fallbackOf: null,
        error: { code: "NOT_KAKAO_USER", rawCode: "3104", message: "카카오톡 미사용자" },
        // No dateReported: the reception time.
        at: "2026-05-01T00:00:03.000Z",
      },
      {
        vendorMessageId: "M4V20260501090000AAAAAAAAAAAAAA3",
        messageId: "msg_lms_1",
        status: "sent",
        type: "lms",
        fallbackOf: null,
        error: null,
        at: "2026-05-01T00:00:02.500Z",
      },
      {
        vendorMessageId: "M4V20260501090000AAAAAAAAAAAAAA5",
        messageId: null,
        status: "failed",
        type: "sms",
        fallbackOf: null,
        error: { code: "SENDER_NOT_REGISTERED", rawCode: "3059", message: "발신번호 변작 의심" },
        at: "2026-05-01T00:00:07.000Z",
      },
    ]);
    expect(parsed.reports[0]!.raw).toEqual(messageReports[0]);
  });

  it("answers a group report with no reports", () => {
    expect(
      parseSolapiReports(
        account(),
        request(groupReport, { headers: { "x-solapi-event-name": "GROUP-REPORT" } }),
        NOW,
      ),
    ).toEqual({ ok: true, reports: [] });
    // Without the header, group objects are recognized by their shape.
    expect(parseSolapiReports(account(), request(groupReport), NOW)).toEqual({
      ok: true,
      reports: [],
    });
  });

  it.each([
    ["not JSON", "{oops", "the body is not JSON"],
    ["an object instead of an array", { messageId: "M" }, "the body must be an array"],
    [
      "an item without messageId",
      [{ statusCode: "4000", type: "SMS" }],
      "[0]: messageId is required",
    ],
    [
      "a numeric statusCode",
      [{ messageId: "M", statusCode: 4000, type: "SMS" }],
      "[0]: statusCode must be a string",
    ],
    ["a non-object item", ["M4V"], "[0]: not an object"],
  ])("refuses %s with 400", (_name, body, message) => {
    expect(parseSolapiReports(account(), request(body), NOW)).toEqual({
      ok: false,
      status: 400,
      message,
    });
  });

  it("uses the time of arrival when SOLAPI gives no date", () => {
    const parsed = parseSolapiReports(
      account(),
      request([{ messageId: "M1", statusCode: "4000", type: "SMS" }]),
      NOW,
    );
    expect(parsed.ok && parsed.reports[0]!.at).toEqual(NOW);
  });
});

describe("native fallback (fixtures/report-replacements.json)", () => {
  it("reports the Alimtalk as failed and the replacement as its own message", () => {
    const parsed = parseSolapiReports(account(), request(replacementReports), NOW);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [lms, sms] = ["M4V20260501090000RRRRRRRRRRRRRR1", "M4V20260501090000RRRRRRRRRRRRRR2"];
    const replaced = {
      code: "UNKNOWN",
      rawCode: "replacement",
      message: "Alimtalk was not delivered; SOLAPI sent the replacement SMS/LMS",
    };
    expect(
      parsed.reports.map(({ raw: _raw, at, ...r }) => ({ ...r, at: at.toISOString() })),
    ).toEqual([
      {
        vendorMessageId: lms,
        messageId: "msg_ata_2",
        status: "failed",
        type: "alimtalk",
        fallbackOf: null,
        error: replaced,
        at: "2026-05-01T00:01:00.000Z",
      },
      {
        vendorMessageId: `${lms}:fallback`,
        messageId: null,
        status: "delivered",
        type: "lms",
        fallbackOf: lms,
        error: null,
        at: "2026-05-01T00:01:00.000Z",
      },
      {
        vendorMessageId: sms,
        messageId: "msg_ata_3",
        status: "failed",
        type: "alimtalk",
        fallbackOf: null,
        error: replaced,
        at: "2026-05-01T00:01:30.000Z",
      },
      {
        vendorMessageId: `${sms}:fallback`,
        messageId: null,
        status: "failed",
        // Still "ATA" on the wire: we call the replacement an SMS.
        type: "sms",
        fallbackOf: sms,
        error: { code: "UNREACHABLE", rawCode: "3041", message: "단말기 전원 꺼짐" },
        at: "2026-05-01T00:01:30.000Z",
      },
    ]);
  });
});

describe("reportsOfStored on a list answer (fixtures/list-answer.json)", () => {
  it("reads the entries of messageList, an object keyed by id", () => {
    const reports = Object.values(listAnswer.messageList).flatMap((item) => {
      const read = reportsOfStored(item, NOW);
      if (typeof read === "string") throw new Error(read);
      return read;
    });
    expect(reports.map((r) => [r.vendorMessageId, r.messageId, r.type, r.status])).toEqual([
      ["M4V20260501090000LLLLLLLLLLLLLL1", "msg_poll_1", "alimtalk", "delivered"],
      ["M4V20260501090000LLLLLLLLLLLLLL2", "msg_poll_2", "sms", "sent"],
    ]);
    expect(reports[0]!.at.toISOString()).toBe("2026-05-01T00:00:09.000Z");
    // Pending, nothing reported yet: its last update.
    expect(reports[1]!.at.toISOString()).toBe("2026-05-01T00:00:00.000Z");
  });

  it("skips the docs' own sample, a null type with status TEST1000", () => {
    expect(
      reportsOfStored(
        { messageId: "M4V20180307110044DTYYJBBYLPQZIB1", type: null, statusCode: "TEST1000" },
        NOW,
      ),
    ).toEqual([]);
    expect(reportsOfStored({ messageId: "M1", type: "SMS", statusCode: "TEST1000" }, NOW)).toEqual(
      [],
    );
  });
});
