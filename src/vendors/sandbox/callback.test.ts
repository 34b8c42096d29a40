import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { InboundRequest } from "../vendor.ts";
import {
  parseSandboxReports,
  polledReportOf,
  SANDBOX_SIGNATURE_TOLERANCE_SECONDS,
  signSandboxReports,
} from "./callback.ts";
import type { WireReport, WireReportBatch } from "./wire.ts";

const SECRET = "whsec_test_1";
const ACCOUNT = { webhookSecret: SECRET };
const NOW = new Date("2026-03-02T03:00:00Z");
const NOW_S = NOW.getTime() / 1000;

const DELIVERED: WireReport = {
  messageId: "sbx_a",
  customId: "msg_a",
  type: "sms",
  status: "DELIVERED",
  errorCode: null,
  errorMessage: null,
  fallbackOf: null,
  occurredAt: "2026-03-02T02:59:59.000Z",
};
const ALIMTALK_FAILED: WireReport = {
  messageId: "sbx_b",
  customId: "msg_b",
  type: "alimtalk",
  status: "FAILED",
  errorCode: "kakao.not_user",
  errorMessage: "The recipient is not a KakaoTalk user.",
  fallbackOf: null,
  occurredAt: "2026-03-02T02:59:59.500Z",
};
const FALLBACK_DELIVERED: WireReport = {
  ...DELIVERED,
  messageId: "sbx_c",
  customId: "msg_b",
  type: "lms",
  fallbackOf: "sbx_b",
};

function signed(
  body: string,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): InboundRequest {
  const headers = signSandboxReports(options.secret ?? SECRET, body, options.timestamp ?? NOW_S);
  return {
    headers: { "content-type": "application/json", ...headers, ...options.headers },
    rawBody: Buffer.from(body),
    pathToken: null,
  };
}

const batch = (reports: unknown[]) =>
  JSON.stringify({ batchId: "sbxb_1", reports } satisfies Omit<WireReportBatch, "reports"> & {
    reports: unknown[];
  });

const parse = (request: InboundRequest, now = NOW) => parseSandboxReports(ACCOUNT, request, now);

describe("signSandboxReports", () => {
  it("signs '<timestamp>.<body>' with HMAC-SHA256, as hex after v1=", () => {
    const body = batch([DELIVERED]);
    const expected = createHmac("sha256", SECRET).update(`1767225600.${body}`).digest("hex");
    expect(signSandboxReports(SECRET, body, 1767225600)).toEqual({
      "x-sandbox-timestamp": "1767225600",
      "x-sandbox-signature": `v1=${expected}`,
    });
  });

  it("truncates a fractional timestamp to seconds and signs bytes and strings alike", () => {
    const body = batch([]);
    expect(signSandboxReports(SECRET, Buffer.from(body), 1767225600.9)).toEqual(
      signSandboxReports(SECRET, body, 1767225600),
    );
  });
});

describe("parseSandboxReports", () => {
  it("round-trips a signed batch into our reports", () => {
    const body = batch([DELIVERED, ALIMTALK_FAILED, FALLBACK_DELIVERED]);
    expect(parse(signed(body))).toEqual({
      ok: true,
      reports: [
        {
          vendorMessageId: "sbx_a",
          messageId: "msg_a",
          status: "delivered",
          type: "sms",
          fallbackOf: null,
          error: null,
          at: new Date("2026-03-02T02:59:59.000Z"),
          raw: DELIVERED,
        },
        {
          vendorMessageId: "sbx_b",
          messageId: "msg_b",
          status: "failed",
          type: "alimtalk",
          fallbackOf: null,
          error: {
            code: "NOT_KAKAO_USER",
            rawCode: "kakao.not_user",
            message: "The recipient is not a KakaoTalk user.",
          },
          at: new Date("2026-03-02T02:59:59.500Z"),
          raw: ALIMTALK_FAILED,
        },
        {
          vendorMessageId: "sbx_c",
          messageId: "msg_b",
          status: "delivered",
          type: "lms",
          fallbackOf: "sbx_b",
          error: null,
          at: new Date("2026-03-02T02:59:59.000Z"),
          raw: FALLBACK_DELIVERED,
        },
      ],
    });
  });

  it("accepts an empty batch", () => {
    expect(parse(signed(batch([])))).toEqual({ ok: true, reports: [] });
  });

  it("gives a failure without a code an UNKNOWN error", () => {
    const body = batch([{ ...ALIMTALK_FAILED, errorCode: null, errorMessage: null }]);
    const parsed = parse(signed(body));
    expect(parsed.ok && parsed.reports[0]?.error?.code).toBe("UNKNOWN");
  });

  it("accepts any of several signatures (secret rotation)", () => {
    const body = batch([DELIVERED]);
    const good = signSandboxReports(SECRET, body, NOW_S)["x-sandbox-signature"];
    const old = signSandboxReports("old-secret", body, NOW_S)["x-sandbox-signature"];
    const request = signed(body, { headers: { "x-sandbox-signature": `${old} ${good}` } });
    expect(parse(request).ok).toBe(true);
  });

  it("reads headers given as arrays", () => {
    const body = batch([DELIVERED]);
    const request = signed(body);
    request.headers["x-sandbox-signature"] = [request.headers["x-sandbox-signature"] as string];
    expect(parse(request).ok).toBe(true);
  });

  it.each([
    [-SANDBOX_SIGNATURE_TOLERANCE_SECONDS, true],
    [SANDBOX_SIGNATURE_TOLERANCE_SECONDS, true],
    [-SANDBOX_SIGNATURE_TOLERANCE_SECONDS - 1, false],
    [SANDBOX_SIGNATURE_TOLERANCE_SECONDS + 1, false],
    [-86_400, false],
  ])("a timestamp %i s away from now is accepted: %s", (offset, ok) => {
    const parsed = parse(signed(batch([DELIVERED]), { timestamp: NOW_S + offset }));
    expect(parsed).toEqual(
      ok
        ? expect.objectContaining({ ok: true })
        : { ok: false, status: 401, message: "timestamp outside the tolerance" },
    );
  });

  const tampered: [string, (body: string) => InboundRequest, string][] = [
    [
      "a tampered body",
      (body) => ({ ...signed(body), rawBody: Buffer.from(body.replace("DELIVERED", "FAILED")) }),
      "signature mismatch",
    ],
    ["the wrong secret", (body) => signed(body, { secret: "someone-else" }), "signature mismatch"],
    [
      "a timestamp changed after signing",
      (body) => signed(body, { headers: { "x-sandbox-timestamp": String(NOW_S + 1) } }),
      "signature mismatch",
    ],
    [
      "no signature",
      (body) => {
        const request = signed(body);
        delete request.headers["x-sandbox-signature"];
        return request;
      },
      "missing signature headers",
    ],
    [
      "no timestamp",
      (body) => {
        const request = signed(body);
        delete request.headers["x-sandbox-timestamp"];
        return request;
      },
      "missing signature headers",
    ],
    [
      "a malformed timestamp",
      (body) => signed(body, { headers: { "x-sandbox-timestamp": "yesterday" } }),
      "malformed timestamp",
    ],
    [
      "an unversioned signature",
      (body) => {
        const request = signed(body);
        const sig = request.headers["x-sandbox-signature"] as string;
        request.headers["x-sandbox-signature"] = sig.slice(3);
        return request;
      },
      "signature mismatch",
    ],
    [
      "a truncated signature",
      (body) => {
        const request = signed(body);
        const sig = request.headers["x-sandbox-signature"] as string;
        request.headers["x-sandbox-signature"] = sig.slice(0, -2);
        return request;
      },
      "signature mismatch",
    ],
    [
      "a signature that is not hex",
      (body) => signed(body, { headers: { "x-sandbox-signature": "v1=zz" } }),
      "signature mismatch",
    ],
  ];

  it.each(tampered)("refuses %s with 401", (_name, build, message) => {
    expect(parse(build(batch([DELIVERED])))).toEqual({ ok: false, status: 401, message });
  });

  it.each<[string, string, string]>([
    ["not JSON", "{reports:", "the body is not JSON"],
    ["a bare array", JSON.stringify([DELIVERED]), "the body must be { batchId, reports: [] }"],
    ["no reports", JSON.stringify({ batchId: "x" }), "the body must be { batchId, reports: [] }"],
    ["a report that is not an object", batch([DELIVERED, 5]), "reports[1]: not an object"],
    ["an unknown status", batch([{ ...DELIVERED, status: "READ" }]), "reports[0]: unknown status"],
    ["an unknown type", batch([{ ...DELIVERED, type: "fax" }]), "reports[0]: unknown type"],
    ["no messageId", batch([{ ...DELIVERED, messageId: "" }]), "reports[0]: messageId is required"],
    [
      "a numeric customId",
      batch([{ ...DELIVERED, customId: 7 }]),
      "reports[0]: customId must be a string or null",
    ],
    [
      "a bad time",
      batch([{ ...DELIVERED, occurredAt: "soon" }]),
      "reports[0]: occurredAt must be an ISO time",
    ],
    [
      "a numeric fallbackOf",
      batch([{ ...DELIVERED, fallbackOf: 1 }]),
      "reports[0]: fallbackOf must be a string or null",
    ],
  ])("refuses a signed body with %s with 400", (_name, body, message) => {
    expect(parse(signed(body))).toEqual({ ok: false, status: 400, message });
  });

  it("checks the signature before looking at the body", () => {
    expect(parse(signed("{reports:", { secret: "wrong" }))).toMatchObject({ status: 401 });
  });
});

describe("polledReportOf", () => {
  it.each([
    ["PENDING", null],
    ["SENT", null],
  ])("has no report for a %s item", (status, expected) => {
    expect(polledReportOf({ ...DELIVERED, status, occurredAt: null, fallback: null })).toBe(
      expected,
    );
  });

  it("reads a final item like a webhook report", () => {
    expect(polledReportOf({ ...ALIMTALK_FAILED, fallback: null })).toMatchObject({
      vendorMessageId: "sbx_b",
      status: "failed",
      error: { code: "NOT_KAKAO_USER" },
    });
  });

  it("says what is wrong with a malformed item", () => {
    expect(polledReportOf("x")).toBe("not an object");
    expect(polledReportOf({ ...DELIVERED, status: "LOST" })).toBe("unknown status");
  });
});
