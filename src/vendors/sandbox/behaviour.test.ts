import { describe, expect, it } from "vitest";
import type { MessageType } from "../../domain/message-content.ts";
import {
  decideSandboxMessage,
  finalReportOf,
  magicBehaviourOf,
  type PlannedReport,
  type SandboxDecision,
} from "./behaviour.ts";
import { mapSandboxError } from "./map.ts";

const N1 = "+821000000001";
const N2 = "+821000000002";
const N3 = "+821000000003";
const N4 = "+821000000004";
const N5 = "+821000000005";
const OTHER = "+821012345678";

// Compact notation for the table: "<subject>:<type>:<status>[:<error>][@wave]".
function notation(decision: SandboxDecision): string[] | string {
  if (decision.outcome !== "accepted") return `${decision.outcome}:${decision.error}`;
  return decision.reports.map(
    (r) =>
      `${r.subject === "message" ? "own" : "fb"}:${r.type}:${r.status}` +
      (r.error ? `:${r.error}` : "") +
      (r.wave ? "@1" : ""),
  );
}

const decide = (
  to: string,
  type: MessageType,
  options: { seenBefore?: number; fallback?: "sms" | "lms" | null } = {},
) =>
  notation(
    decideSandboxMessage({
      to,
      type,
      seenBefore: options.seenBefore ?? 0,
      fallback: options.fallback ?? null,
    }),
  );

describe("decideSandboxMessage, plain mode (no native fallback)", () => {
  it.each<[string, MessageType, string[] | string]>([
    [N1, "alimtalk", ["own:alimtalk:FAILED:kakao.not_user"]],
    [N1, "sms", ["own:sms:DELIVERED"]],
    [N1, "lms", ["own:lms:DELIVERED"]],
    [N1, "mms", ["own:mms:DELIVERED"]],
    [N2, "alimtalk", ["own:alimtalk:FAILED:carrier.unreachable"]],
    [N2, "sms", ["own:sms:FAILED:carrier.unreachable"]],
    [N2, "lms", ["own:lms:FAILED:carrier.unreachable"]],
    [N2, "mms", ["own:mms:FAILED:carrier.unreachable"]],
    [N3, "alimtalk", "retry:server.unavailable"],
    [N3, "sms", "retry:server.unavailable"],
    [N4, "alimtalk", ["own:alimtalk:SENT"]],
    [N4, "lms", ["own:lms:SENT"]],
    [
      N5,
      "alimtalk",
      [
        "own:alimtalk:DELIVERED",
        "own:alimtalk:SENT",
        "own:alimtalk:DELIVERED@1",
        "own:alimtalk:SENT@1",
      ],
    ],
    [N5, "sms", ["own:sms:DELIVERED", "own:sms:SENT", "own:sms:DELIVERED@1", "own:sms:SENT@1"]],
    [OTHER, "alimtalk", ["own:alimtalk:DELIVERED"]],
    [OTHER, "sms", ["own:sms:DELIVERED"]],
    [OTHER, "mms", ["own:mms:DELIVERED"]],
    // 010-0000-0000 is not magic.
    ["+821000000000", "sms", ["own:sms:DELIVERED"]],
    ["+14155552671", "sms", ["own:sms:DELIVERED"]],
  ])("%s %s → %j", (to, type, expected) => {
    expect(decide(to, type)).toEqual(expected);
  });
});

describe("decideSandboxMessage, native fallback", () => {
  it.each<[string, "sms" | "lms", string[] | string]>([
    [N1, "sms", ["own:alimtalk:FAILED:kakao.not_user", "fb:sms:DELIVERED"]],
    [N1, "lms", ["own:alimtalk:FAILED:kakao.not_user", "fb:lms:DELIVERED"]],
    [N2, "sms", ["own:alimtalk:FAILED:carrier.unreachable", "fb:sms:FAILED:carrier.unreachable"]],
    [N2, "lms", ["own:alimtalk:FAILED:carrier.unreachable", "fb:lms:FAILED:carrier.unreachable"]],
    [N3, "sms", "retry:server.unavailable"],
    // Alimtalk succeeds (or never says otherwise): the fallback is not used.
    [N4, "sms", ["own:alimtalk:SENT"]],
    [
      N5,
      "sms",
      [
        "own:alimtalk:DELIVERED",
        "own:alimtalk:SENT",
        "own:alimtalk:DELIVERED@1",
        "own:alimtalk:SENT@1",
      ],
    ],
    [OTHER, "lms", ["own:alimtalk:DELIVERED"]],
  ])("alimtalk to %s with a %s fallback → %j", (to, fallback, expected) => {
    expect(decide(to, "alimtalk", { fallback })).toEqual(expected);
  });

  it("ignores a fallback on a message that is not Alimtalk", () => {
    expect(decide(N1, "sms", { fallback: "lms" })).toEqual(["own:sms:DELIVERED"]);
    expect(decide(N2, "lms", { fallback: "sms" })).toEqual(["own:lms:FAILED:carrier.unreachable"]);
  });
});

describe("decideSandboxMessage, attempts", () => {
  it.each<[number, "sms" | null, string[] | string]>([
    [0, null, "retry:server.unavailable"],
    [1, null, ["own:alimtalk:DELIVERED"]],
    [5, null, ["own:alimtalk:DELIVERED"]],
    [0, "sms", "retry:server.unavailable"],
    [1, "sms", ["own:alimtalk:DELIVERED"]],
  ])("010-0000-0003 seen %i times before (fallback %s) → %j", (seenBefore, fallback, expected) => {
    expect(decide(N3, "alimtalk", { seenBefore, fallback })).toEqual(expected);
  });

  it.each([N1, N2, N4, N5, OTHER])("%s does not depend on the attempt", (to) => {
    expect(decide(to, "sms", { seenBefore: 3 })).toEqual(decide(to, "sms"));
  });
});

describe("decideSandboxMessage, malformed recipients", () => {
  it.each(["01000000001", "821012345678", "+0821012345678", "+82", "", "+82-10-1234-5678"])(
    "rejects %j as an invalid number",
    (to) => {
      expect(decide(to, "sms")).toBe("rejected:request.invalid_number");
    },
  );
});

describe("magicBehaviourOf", () => {
  it.each([
    [N1, "not-kakao-user"],
    [N2, "unreachable"],
    [N3, "flaky"],
    [N4, "silent"],
    [N5, "chatty"],
    ["+821000000006", "normal"],
    ["+821000000010", "normal"],
    [OTHER, "normal"],
  ])("%s → %s", (to, behaviour) => {
    expect(magicBehaviourOf(to)).toBe(behaviour);
  });
});

describe("the errors behaviour emits", () => {
  it.each([
    ["kakao.not_user", "NOT_KAKAO_USER", false],
    ["carrier.unreachable", "UNREACHABLE", false],
    ["server.unavailable", "VENDOR_UNAVAILABLE", true],
    ["request.invalid_number", "INVALID_NUMBER", false],
  ] as const)("%s normalizes to %s (retryable %s)", (raw, code, retryable) => {
    const mapped = mapSandboxError(raw);
    expect(mapped.error.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
  });
});

describe("finalReportOf", () => {
  const own = (status: PlannedReport["status"], wave: 0 | 1 = 0): PlannedReport => ({
    subject: "message",
    type: "sms",
    status,
    error: null,
    wave,
  });
  const fallback: PlannedReport = {
    subject: "fallback",
    type: "lms",
    status: "DELIVERED",
    error: null,
    wave: 0,
  };

  it.each<[string, PlannedReport[], PlannedReport["subject"], PlannedReport | null]>([
    ["a delivered message", [own("DELIVERED")], "message", own("DELIVERED")],
    ["a message only sent", [own("SENT")], "message", null],
    ["out of order", [own("SENT"), own("DELIVERED", 1)], "message", own("DELIVERED", 1)],
    ["no fallback", [own("FAILED")], "fallback", null],
    ["the fallback", [own("FAILED"), fallback], "fallback", fallback],
  ])("%s", (_name, reports, subject, expected) => {
    expect(finalReportOf(reports, subject)).toEqual(expected);
  });
});
