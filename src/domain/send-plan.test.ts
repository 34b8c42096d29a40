import { describe, expect, it } from "vitest";
import {
  planSend,
  type SendContext,
  type SenderInfo,
  type SendInput,
  type SendPlan,
  type TemplateInfo,
} from "./send-plan.ts";
import type { FieldError } from "./template.ts";

const A = 8_000_000n; // alimtalk 8.00
const S = 15_000_000n; // sms 15.00
const L = 45_000_000n; // lms 45.00
const M = 120_000_000n; // mms 120.00

const NOW = new Date("2026-03-02T12:00:00+09:00");
const SENDERS: SenderInfo[] = [
  { number: "0212345678", status: "verified", isDefault: true },
  { number: "01099998888", status: "verified", isDefault: false },
  { number: "0311234567", status: "pending", isDefault: false },
];
const TEMPLATE: TemplateInfo = {
  code: "WELCOME_001",
  body: "#{name}님, 가입을 환영합니다.",
  buttons: [],
  fallbackText: null,
  fallbackSubject: null,
  status: "approved",
};
const ONE = [{ to: "010-1234-5678" }];
const ONE_NAMED = [{ to: "010-1234-5678", variables: { name: "홍길동" } }];
const LONG_TEXT = "a".repeat(100); // 100 bytes: LMS
const SHORT_TEXT = "안녕하세요"; // 10 bytes: SMS

function context(overrides: Partial<SendContext> = {}): SendContext {
  return {
    now: NOW,
    prices: { alimtalk: A, sms: S, lms: L, mms: M },
    senders: SENDERS,
    template: TEMPLATE,
    ...overrides,
  };
}

function withTemplate(overrides: Partial<TemplateInfo>): Partial<SendContext> {
  return { template: { ...TEMPLATE, ...overrides } };
}

function accepted(plan: SendPlan) {
  if (!plan.ok) throw new Error(`expected a plan, got ${JSON.stringify(plan.errors)}`);
  return plan;
}

function errorsOf(plan: SendPlan): FieldError[] {
  if (plan.ok) throw new Error("expected errors, got a plan");
  return plan.errors;
}

const summary = (plan: SendPlan) =>
  accepted(plan).messages.map((message) => [message.type, message.fallbackType, message.held]);

describe("planSend: request errors", () => {
  it.each<[string, SendInput, Partial<SendContext>, FieldError[]]>([
    [
      "unknown template",
      { template: { code: "NOPE" }, recipients: ONE },
      { template: null },
      [
        {
          path: "/template/code",
          code: "TEMPLATE_NOT_FOUND",
          message: 'No template with code "NOPE".',
        },
      ],
    ],
    [
      "template under review",
      { template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      withTemplate({ status: "inspecting" }),
      [
        {
          path: "/template/code",
          code: "TEMPLATE_NOT_APPROVED",
          message: 'Template "WELCOME_001" is inspecting; only approved templates can be sent.',
        },
      ],
    ],
    [
      "alimtalk without a template",
      { type: "alimtalk", recipients: ONE },
      { template: null },
      [
        {
          path: "/template",
          code: "TEMPLATE_REQUIRED",
          message: "Alimtalk needs a template: give template.code.",
        },
      ],
    ],
    [
      "alimtalk_only without a template",
      { strategy: "alimtalk_only", text: SHORT_TEXT, recipients: ONE },
      { template: null },
      [
        {
          path: "/template",
          code: "TEMPLATE_REQUIRED",
          message: "Alimtalk needs a template: give template.code.",
        },
      ],
    ],
    [
      "sms with an alimtalk strategy",
      { type: "sms", strategy: "alimtalk_first", text: SHORT_TEXT, recipients: ONE },
      { template: null },
      [
        {
          path: "/strategy",
          code: "INVALID_VALUE",
          message:
            'Strategy "alimtalk_first" sends Alimtalk; it cannot send type "sms". Use "sms_only" or "cost_optimized".',
        },
      ],
    ],
    [
      "lms with alimtalk_only",
      { type: "lms", strategy: "alimtalk_only", text: SHORT_TEXT, recipients: ONE },
      { template: null },
      [
        {
          path: "/strategy",
          code: "INVALID_VALUE",
          message:
            'Strategy "alimtalk_only" sends Alimtalk; it cannot send type "lms". Use "sms_only" or "cost_optimized".',
        },
      ],
    ],
    [
      "alimtalk with sms_only",
      {
        type: "alimtalk",
        strategy: "sms_only",
        template: { code: "WELCOME_001" },
        recipients: ONE_NAMED,
      },
      {},
      [
        {
          path: "/strategy",
          code: "INVALID_VALUE",
          message: 'Strategy "sms_only" cannot send type "alimtalk".',
        },
      ],
    ],
    [
      "sms without any text",
      { recipients: ONE },
      { template: null },
      [
        {
          path: "/text",
          code: "TEXT_REQUIRED",
          message: "Give text, or a template whose body or fallback text can be sent as SMS.",
        },
      ],
    ],
    [
      "blank sms text",
      { text: " \n ", recipients: ONE },
      { template: null },
      [{ path: "/text", code: "TEXT_REQUIRED", message: "Text must not be empty." }],
    ],
    [
      "an explicit sms that is too long",
      { type: "sms", text: LONG_TEXT, recipients: ONE },
      { template: null },
      [
        {
          path: "/text",
          code: "TEXT_TOO_LONG",
          message:
            'Text is 100 bytes; an SMS holds 90 bytes (45 Korean characters). Use type "lms" or "auto" for up to 2000 bytes.',
        },
      ],
    ],
    [
      "a subject on an explicit sms",
      { type: "sms", text: SHORT_TEXT, subject: "제목", recipients: ONE },
      { template: null },
      [
        {
          path: "/subject",
          code: "SUBJECT_NOT_ALLOWED",
          message: 'An SMS has no subject; use type "lms" or "auto" to send one.',
        },
      ],
    ],
    [
      "an emoji in the sms text, even next to a variable",
      { text: "#{name}님 😀", recipients: ONE_NAMED },
      { template: null },
      [
        {
          path: "/text",
          code: "UNSUPPORTED_CHARACTER",
          message:
            'Text contains characters that SMS cannot carry (not in EUC-KR): "😀" (U+1F600) at character 10.',
        },
      ],
    ],
    [
      "a fallback text SMS cannot carry",
      { template: { code: "WELCOME_001" }, fallback: { text: "똠" }, recipients: ONE_NAMED },
      {},
      [
        {
          path: "/fallback/text",
          code: "UNSUPPORTED_CHARACTER",
          message:
            'Text contains characters that SMS cannot carry (not in EUC-KR): "똠" (U+B620) at character 1.',
        },
      ],
    ],
    [
      "a template body SMS cannot carry, used as the fallback",
      { template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      withTemplate({ body: "#{name}님 환영해요 😀" }),
      [
        {
          path: "/template/code",
          code: "UNSUPPORTED_CHARACTER",
          message:
            'The template body is used as the fallback SMS: Text contains characters that SMS cannot carry (not in EUC-KR): "😀" (U+1F600) at character 15. Give fallback.text, or use strategy "alimtalk_only".',
        },
      ],
    ],
    [
      "a template fallback subject that is too long",
      { template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      withTemplate({ fallbackSubject: "가".repeat(21) }),
      [
        {
          path: "/template/code",
          code: "SUBJECT_TOO_LONG",
          message:
            'The template\'s fallback subject is used as the fallback SMS: Subject is 42 bytes; the limit is 40 bytes (20 Korean characters). Give fallback.text, or use strategy "alimtalk_only".',
        },
      ],
    ],
    [
      "a constant template body over 1000 characters",
      { strategy: "alimtalk_only", template: { code: "WELCOME_001" }, recipients: ONE },
      withTemplate({ body: "가".repeat(1001) }),
      [
        {
          path: "/template/code",
          code: "TEXT_TOO_LONG",
          message: "The template body is 1001 characters; Alimtalk allows 1000.",
        },
      ],
    ],
    [
      "a malformed caller number",
      { text: SHORT_TEXT, from: "12", recipients: ONE },
      { template: null },
      [
        {
          path: "/from",
          code: "INVALID_SENDER",
          message:
            '"12" is a special number (like 112, 114 or 119); only 8-digit representative numbers starting with 15, 16 or 18 can be caller numbers.',
        },
      ],
    ],
    [
      "an unregistered caller number",
      { text: SHORT_TEXT, from: "02-9999-9999", recipients: ONE },
      { template: null },
      [
        {
          path: "/from",
          code: "SENDER_NOT_REGISTERED",
          message: "Caller number 0299999999 is not registered for this organization.",
        },
      ],
    ],
    [
      "a caller number still pending",
      { text: SHORT_TEXT, from: "031-123-4567", recipients: ONE },
      { template: null },
      [
        {
          path: "/from",
          code: "SENDER_NOT_VERIFIED",
          message: "Caller number 0311234567 is registered but not verified yet.",
        },
      ],
    ],
    [
      "no caller number and no verified default",
      { text: SHORT_TEXT, recipients: ONE },
      { template: null, senders: [{ number: "0311234567", status: "pending", isDefault: true }] },
      [
        {
          path: "/from",
          code: "NO_DEFAULT_SENDER",
          message:
            "No caller number given and the organization has no verified default caller number; register one or give from.",
        },
      ],
    ],
    [
      "alimtalk_first needs a sender for its fallback",
      { template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      { senders: [] },
      [
        {
          path: "/from",
          code: "NO_DEFAULT_SENDER",
          message:
            "No caller number given and the organization has no verified default caller number; register one or give from.",
        },
      ],
    ],
    [
      "sendAt without an offset",
      { text: SHORT_TEXT, sendAt: "2026-03-03T10:00:00", recipients: ONE },
      { template: null },
      [
        {
          path: "/sendAt",
          code: "INVALID_VALUE",
          message:
            '"2026-03-03T10:00:00" is not a date-time with an offset, like "2026-12-25T10:00:00+09:00".',
        },
      ],
    ],
    [
      "sendAt that is not a date",
      { text: SHORT_TEXT, sendAt: "tomorrow", recipients: ONE },
      { template: null },
      [
        {
          path: "/sendAt",
          code: "INVALID_VALUE",
          message:
            '"tomorrow" is not a date-time with an offset, like "2026-12-25T10:00:00+09:00".',
        },
      ],
    ],
    [
      "sendAt 61 seconds ago",
      { text: SHORT_TEXT, sendAt: "2026-03-02T11:58:59+09:00", recipients: ONE },
      { template: null },
      [
        {
          path: "/sendAt",
          code: "SEND_AT_IN_PAST",
          message: "sendAt 2026-03-02T11:58:59+09:00 is in the past; leave it out to send now.",
        },
      ],
    ],
    [
      "sendAt beyond 180 days",
      { text: SHORT_TEXT, sendAt: "2026-08-30T12:00:01+09:00", recipients: ONE },
      { template: null },
      [
        {
          path: "/sendAt",
          code: "SEND_AT_TOO_FAR",
          message: "sendAt 2026-08-30T12:00:01+09:00 is more than 180 days ahead.",
        },
      ],
    ],
    [
      "sendAt beyond a custom horizon",
      { text: SHORT_TEXT, sendAt: "2026-03-09T12:00:01+09:00", recipients: ONE },
      { template: null, maxScheduleAheadMs: 7 * 86_400_000 },
      [
        {
          path: "/sendAt",
          code: "SEND_AT_TOO_FAR",
          message: "sendAt 2026-03-09T12:00:01+09:00 is more than 7 days ahead.",
        },
      ],
    ],
    [
      "no recipients",
      { text: SHORT_TEXT, recipients: [] },
      { template: null },
      [
        {
          path: "/recipients",
          code: "RECIPIENTS_REQUIRED",
          message: "Give at least one recipient, or groupIds with members.",
        },
      ],
    ],
    [
      "too many recipients",
      { text: SHORT_TEXT, recipients: [...ONE, ...ONE, ...ONE] },
      { template: null, maxRecipients: 2 },
      [
        {
          path: "/recipients",
          code: "TOO_MANY_RECIPIENTS",
          message: "3 recipients given; a request may have at most 2.",
        },
      ],
    ],
    [
      "advertising by alimtalk",
      { template: { code: "WELCOME_001" }, advertising: true, recipients: ONE_NAMED },
      {},
      [
        {
          path: "/advertising",
          code: "INVALID_VALUE",
          message:
            'Alimtalk may carry only informational messages, never advertising; send advertising with strategy "sms_only".',
        },
      ],
    ],
    [
      "advertising by cost_optimized with a template",
      {
        strategy: "cost_optimized",
        template: { code: "WELCOME_001" },
        advertising: true,
        recipients: ONE_NAMED,
      },
      {},
      [
        {
          path: "/advertising",
          code: "INVALID_VALUE",
          message:
            'Alimtalk may carry only informational messages, never advertising; send advertising with strategy "sms_only".',
        },
      ],
    ],
    [
      "advertising sms without its markings",
      { text: "봄 세일 50%", advertising: true, recipients: ONE },
      { template: null },
      [
        {
          path: "/text",
          code: "AD_PREFIX_MISSING",
          message:
            'An advertising message must start with "(광고)" exactly: no leading spaces and no variants such as "(광 고)" or "[광고]".',
        },
        {
          path: "/text",
          code: "AD_OPT_OUT_MISSING",
          message:
            'The last line of an advertising message must offer a free opt-out with an 080 number, such as "무료수신거부 080-123-4567".',
        },
      ],
    ],
    [
      "everything at once",
      {
        template: { code: "NOPE" },
        from: "02-9999-9999",
        sendAt: "2020-01-01T00:00:00Z",
        recipients: [],
      },
      { template: null },
      [
        {
          path: "/template/code",
          code: "TEMPLATE_NOT_FOUND",
          message: 'No template with code "NOPE".',
        },
        {
          path: "/from",
          code: "SENDER_NOT_REGISTERED",
          message: "Caller number 0299999999 is not registered for this organization.",
        },
        {
          path: "/sendAt",
          code: "SEND_AT_IN_PAST",
          message: "sendAt 2020-01-01T00:00:00Z is in the past; leave it out to send now.",
        },
        {
          path: "/recipients",
          code: "RECIPIENTS_REQUIRED",
          message: "Give at least one recipient, or groupIds with members.",
        },
      ],
    ],
  ])("%s", (_, input, overrides, errors) => {
    expect(planSend(input, context(overrides))).toEqual({ ok: false, errors, rejected: [] });
  });
});

describe("planSend: defaults, sender and schedule", () => {
  it("defaults to alimtalk_first with a template and to sms_only without", () => {
    const alimtalk = accepted(
      planSend({ template: { code: "WELCOME_001" }, recipients: ONE_NAMED }, context()),
    );
    expect([alimtalk.type, alimtalk.strategy]).toEqual(["alimtalk", "alimtalk_first"]);
    const sms = accepted(
      planSend({ text: SHORT_TEXT, recipients: ONE }, context({ template: null })),
    );
    expect([sms.type, sms.strategy]).toEqual(["auto", "sms_only"]);
    const lms = accepted(planSend({ type: "lms", text: SHORT_TEXT, recipients: ONE }, context()));
    expect([lms.type, lms.strategy]).toEqual(["lms", "sms_only"]);
  });

  it.each<[string, Partial<SendInput>, Partial<SendContext>, string]>([
    ["the default sender", {}, {}, "0212345678"],
    ["a verified sender in any format", { from: "010-9999-8888" }, {}, "01099998888"],
    ["a blank from as the default", { from: " " }, {}, "0212345678"],
    ["alimtalk_only without any sender", { strategy: "alimtalk_only" }, { senders: [] }, ""],
    ["alimtalk_only with the default sender", { strategy: "alimtalk_only" }, {}, "0212345678"],
  ])("uses %s", (_, extra, overrides, from) => {
    const input: SendInput = { template: { code: "WELCOME_001" }, recipients: ONE_NAMED, ...extra };
    expect(accepted(planSend(input, context(overrides))).from).toBe(from);
  });

  it.each<[string | undefined, Date | null]>([
    [undefined, null],
    ["2026-03-02T12:00:00+09:00", null],
    ["2026-03-02T11:59:00+09:00", null],
    ["2026-03-02T03:00:00.001Z", new Date("2026-03-02T03:00:00.001Z")],
    ["2026-06-25T10:00:00+09:00", new Date("2026-06-25T01:00:00Z")],
    ["2026-08-29T12:00:00+09:00", new Date("2026-08-29T03:00:00Z")],
  ])("plans sendAt %s as %s", (sendAt, expected) => {
    const input: SendInput = { text: SHORT_TEXT, recipients: ONE, ...(sendAt ? { sendAt } : {}) };
    expect(accepted(planSend(input, context({ template: null }))).sendAt).toEqual(expected);
  });
});

describe("planSend: channels and held credits", () => {
  it.each<[string, SendInput, Partial<SendContext>, [string, string | null, bigint][]]>([
    [
      "alimtalk_first, short fallback: the dearer SMS is held",
      { template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      {},
      [["alimtalk", "sms", S]],
    ],
    [
      "alimtalk_first, long fallback",
      { template: { code: "WELCOME_001" }, text: LONG_TEXT, recipients: ONE_NAMED },
      {},
      [["alimtalk", "lms", L]],
    ],
    [
      "alimtalk_first, a subject alone does not make a short fallback LMS",
      { template: { code: "WELCOME_001" }, subject: "환영", recipients: ONE_NAMED },
      {},
      [["alimtalk", "sms", S]],
    ],
    [
      "alimtalk_first, fallback.type lms forces LMS",
      { template: { code: "WELCOME_001" }, fallback: { type: "lms" }, recipients: ONE_NAMED },
      {},
      [["alimtalk", "lms", L]],
    ],
    [
      "alimtalk_first when Alimtalk is dearer than SMS",
      { template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      { prices: { alimtalk: 20_000_000n, sms: S, lms: L, mms: M } },
      [["alimtalk", "sms", 20_000_000n]],
    ],
    [
      "alimtalk_only",
      { strategy: "alimtalk_only", template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      {},
      [["alimtalk", null, A]],
    ],
    [
      "sms_only, short text",
      { text: SHORT_TEXT, recipients: ONE },
      { template: null },
      [["sms", null, S]],
    ],
    [
      "sms_only, long text",
      { text: LONG_TEXT, recipients: ONE },
      { template: null },
      [["lms", null, L]],
    ],
    [
      "sms_only, explicit lms for a short text",
      { type: "lms", text: SHORT_TEXT, recipients: ONE },
      { template: null },
      [["lms", null, L]],
    ],
    [
      "sms_only, explicit mms",
      { type: "mms", text: SHORT_TEXT, subject: "사진", recipients: ONE },
      { template: null },
      [["mms", null, M]],
    ],
    [
      "sms_only with a template: its body is the text",
      { type: "auto", template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      {},
      [["sms", null, S]],
    ],
    [
      "cost_optimized with a template: Alimtalk is cheapest and keeps its SMS fallback",
      { strategy: "cost_optimized", template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      {},
      [["alimtalk", "sms", S]],
    ],
    [
      "cost_optimized: Alimtalk keeps an LMS fallback for a long text",
      {
        strategy: "cost_optimized",
        template: { code: "WELCOME_001" },
        text: LONG_TEXT,
        recipients: ONE_NAMED,
      },
      {},
      [["alimtalk", "lms", L]],
    ],
    [
      "cost_optimized: a subject alone does not make the fallback LMS",
      {
        strategy: "cost_optimized",
        template: { code: "WELCOME_001" },
        subject: "환영",
        recipients: ONE_NAMED,
      },
      {},
      [["alimtalk", "sms", S]],
    ],
    [
      "cost_optimized without a template",
      { strategy: "cost_optimized", text: LONG_TEXT, recipients: ONE },
      { template: null },
      [["lms", null, L]],
    ],
    [
      "cost_optimized when SMS is cheaper than Alimtalk",
      { strategy: "cost_optimized", template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      { prices: { alimtalk: 20_000_000n, sms: S, lms: L, mms: M } },
      [["sms", null, S]],
    ],
    [
      "cost_optimized when a long text makes Alimtalk cheaper again",
      {
        strategy: "cost_optimized",
        template: { code: "WELCOME_001" },
        text: LONG_TEXT,
        recipients: ONE_NAMED,
      },
      { prices: { alimtalk: 20_000_000n, sms: S, lms: L, mms: M } },
      [["alimtalk", "lms", L]],
    ],
    [
      "cost_optimized ties go to Alimtalk",
      { strategy: "cost_optimized", template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      { prices: { alimtalk: S, sms: S, lms: L, mms: M } },
      [["alimtalk", "sms", S]],
    ],
    [
      "cost_optimized, a template text SMS cannot carry leaves Alimtalk",
      { strategy: "cost_optimized", template: { code: "WELCOME_001" }, recipients: ONE_NAMED },
      {
        ...withTemplate({ body: "#{name}님 😀" }),
        prices: { alimtalk: 20_000_000n, sms: S, lms: L, mms: M },
      },
      [["alimtalk", null, 20_000_000n]],
    ],
  ])("%s", (_, input, overrides, expected) => {
    expect(summary(planSend(input, context(overrides)))).toEqual(expected);
  });

  it("sums held credits in total and by type", () => {
    const plan = accepted(
      planSend(
        {
          text: "#{greeting}",
          recipients: [
            { to: "010-1000-0001", variables: { greeting: "hi" } },
            { to: "010-1000-0002", variables: { greeting: LONG_TEXT } },
            { to: "010-1000-0003", variables: { greeting: "안녕" } },
          ],
        },
        context({ template: null }),
      ),
    );
    expect(plan.messages.map((message) => message.type)).toEqual(["sms", "lms", "sms"]);
    expect(plan.cost).toEqual({
      held: S + L + S,
      byType: { alimtalk: 0n, sms: S + S, lms: L, mms: 0n },
      expected: { total: S + L + S, byType: { alimtalk: 0n, sms: S + S, lms: L, mms: 0n } },
    });
  });

  it("books an alimtalk_first hold under its dearer fallback, and expects Alimtalk", () => {
    const plan = accepted(
      planSend(
        {
          template: { code: "WELCOME_001" },
          recipients: [
            { to: "010-1000-0001", variables: { name: "김" } },
            { to: "010-1000-0002", variables: { name: "가".repeat(40) } },
          ],
        },
        context(),
      ),
    );
    expect(summary(plan)).toEqual([
      ["alimtalk", "sms", S],
      ["alimtalk", "lms", L],
    ]);
    expect(plan.cost).toEqual({
      held: S + L,
      byType: { alimtalk: 0n, sms: S, lms: L, mms: 0n },
      expected: { total: A + A, byType: { alimtalk: A + A, sms: 0n, lms: 0n, mms: 0n } },
    });
  });

  it.each<[string, Partial<SendContext>, Record<string, bigint>, bigint]>([
    ["the fallback is dearer", {}, { alimtalk: 0n, sms: S }, A],
    [
      "Alimtalk is dearer than its fallback",
      { prices: { alimtalk: 20_000_000n, sms: S, lms: L, mms: M } },
      { alimtalk: 20_000_000n, sms: 0n },
      20_000_000n,
    ],
  ])("books the worst case under the type that costs it when %s", (_, ctx, worst, expected) => {
    const plan = accepted(
      planSend({ template: { code: "WELCOME_001" }, recipients: ONE_NAMED }, context(ctx)),
    );
    expect(plan.cost.byType).toMatchObject(worst);
    expect(plan.cost.held).toBe((worst.alimtalk ?? 0n) + (worst.sms ?? 0n));
    expect(plan.cost.expected.total).toBe(expected);
  });
});

describe("planSend: fallback text precedence", () => {
  const body = "#{name}님, 가입을 환영합니다."; // short: SMS
  it.each<[string, Partial<SendInput>, Partial<TemplateInfo>, string]>([
    ["fallback.text over text", { fallback: { text: SHORT_TEXT }, text: LONG_TEXT }, {}, "sms"],
    ["text over the template's fallback", { text: LONG_TEXT }, { fallbackText: SHORT_TEXT }, "lms"],
    [
      "text over the template's fallback, short",
      { text: SHORT_TEXT },
      { fallbackText: LONG_TEXT },
      "sms",
    ],
    ["the template's fallback over the body", {}, { fallbackText: LONG_TEXT }, "lms"],
    ["the body when nothing else", {}, {}, "sms"],
    ["a long body when nothing else", {}, { body: `#{name} ${LONG_TEXT}` }, "lms"],
    ["an empty fallback.text is no fallback text", { fallback: { text: "" } }, {}, "sms"],
    ["fallback.subject alone keeps a short text sms", { fallback: { subject: "제목" } }, {}, "sms"],
    ["subject alone keeps a short text sms", { subject: "제목" }, {}, "sms"],
    ["the template's subject alone keeps sms", {}, { fallbackSubject: "제목" }, "sms"],
    [
      "a subject rides along when the text needs lms",
      { text: LONG_TEXT, subject: "제목" },
      {},
      "lms",
    ],
    ["fallback.type lms forces lms", { fallback: { type: "lms" } }, {}, "lms"],
    [
      "fallback.type sms drops the template's subject",
      { fallback: { type: "sms" } },
      { fallbackSubject: "제목" },
      "sms",
    ],
  ])("%s", (_, extra, template, fallbackType) => {
    const input: SendInput = { template: { code: "WELCOME_001" }, recipients: ONE_NAMED, ...extra };
    const plan = accepted(planSend(input, context(withTemplate({ body, ...template }))));
    expect(plan.messages[0]?.fallbackType).toBe(fallbackType);
  });

  it.each<[string, Partial<SendInput>, Partial<TemplateInfo>, string | null]>([
    // which source is used shows in where a broken one is reported
    [
      "fallback.text is used, so a broken text is ignored",
      { fallback: { text: "ok" }, text: "😀" },
      {},
      null,
    ],
    [
      "a broken fallback.text is reported",
      { fallback: { text: "😀" }, text: "ok" },
      {},
      "/fallback/text",
    ],
    [
      "fallback.subject wins over subject",
      { fallback: { subject: "ok" }, subject: "😀" },
      {},
      null,
    ],
    ["subject wins over the template's", { subject: "ok" }, { fallbackSubject: "😀" }, null],
    ["a broken subject is reported", { subject: "😀" }, { fallbackSubject: "ok" }, "/subject"],
    ["text wins over the template's fallback", { text: "ok" }, { fallbackText: "😀" }, null],
    ["the template's fallback wins over the body", {}, { fallbackText: "😀" }, "/template/code"],
  ])("%s", (_, extra, template, errorPath) => {
    const input: SendInput = { template: { code: "WELCOME_001" }, recipients: ONE_NAMED, ...extra };
    const plan = planSend(input, context(withTemplate(template)));
    expect(
      plan.ok
        ? null
        : errorsOf(plan)
            .map((error) => error.path)
            .join(),
    ).toBe(errorPath);
  });

  it.each<[string, Partial<SendInput>, string | null]>([
    ["sms_only: text wins over fallback.text", { text: "ok", fallback: { text: "😀" } }, null],
    ["sms_only: a broken text is reported", { text: "😀", fallback: { text: "ok" } }, "/text"],
    [
      "sms_only: subject wins over fallback.subject",
      { text: "ok", subject: "s", fallback: { subject: "😀" } },
      null,
    ],
  ])("%s", (_, extra, errorPath) => {
    const plan = planSend({ recipients: ONE, ...extra }, context({ template: null }));
    expect(
      plan.ok
        ? null
        : errorsOf(plan)
            .map((error) => error.path)
            .join(),
    ).toBe(errorPath);
  });
});

describe("planSend: recipients", () => {
  it("rejects bad numbers and duplicates, keeps order and indexes", () => {
    const plan = accepted(
      planSend(
        {
          text: SHORT_TEXT,
          recipients: [
            { to: "010-1234-5678", name: "홍길동" },
            { to: "010-12" },
            { to: "+82 10 1234 5678" },
            { to: "02-1234-5678" },
            { to: "010-0000-0001" },
            { to: "01012345678" },
          ],
        },
        context({ template: null }),
      ),
    );
    expect(plan.messages).toEqual([
      {
        index: 0,
        to: "+821012345678",
        name: "홍길동",
        variables: null,
        type: "sms",
        fallbackType: null,
        held: S,
      },
      {
        index: 4,
        to: "+821000000001",
        name: null,
        variables: null,
        type: "sms",
        fallbackType: null,
        held: S,
      },
    ]);
    expect(plan.rejected).toEqual([
      {
        index: 1,
        to: "010-12",
        code: "INVALID_PHONE",
        message: '"010-12" is not a valid phone number.',
      },
      {
        index: 2,
        to: "+82 10 1234 5678",
        code: "DUPLICATE_RECIPIENT",
        message: "+821012345678 appears earlier in recipients.",
      },
      {
        index: 3,
        to: "02-1234-5678",
        code: "INVALID_PHONE",
        message:
          '"02-1234-5678" is a Korean landline number; recipients must be mobile numbers (010, 011, 016–019).',
      },
      {
        index: 5,
        to: "01012345678",
        code: "DUPLICATE_RECIPIENT",
        message: "+821012345678 appears earlier in recipients.",
      },
    ]);
    expect(plan.cost.held).toBe(S + S);
  });

  it("keeps a later copy of a number whose first occurrence was rejected", () => {
    const plan = accepted(
      planSend(
        {
          template: { code: "WELCOME_001" },
          recipients: [{ to: "010-1234-5678" }, { to: "010-1234-5678", variables: { name: "김" } }],
        },
        context(),
      ),
    );
    expect(plan.messages.map((message) => message.index)).toEqual([1]);
    expect(plan.rejected.map((rejection) => [rejection.index, rejection.code])).toEqual([
      [0, "MISSING_VARIABLE"],
    ]);
  });

  it("merges variables: the recipient's win over the template's", () => {
    const plan = accepted(
      planSend(
        {
          template: { code: "WELCOME_001", variables: { name: "고객", shop: "알리미" } },
          recipients: [
            { to: "010-1000-0001" },
            { to: "010-1000-0002", variables: { name: "홍길동" } },
          ],
        },
        context(withTemplate({ body: "#{shop}: #{name}님" })),
      ),
    );
    expect(plan.messages.map((message) => message.variables)).toEqual([
      { name: "고객", shop: "알리미" },
      { name: "홍길동", shop: "알리미" },
    ]);
  });

  it.each<[string, SendInput, Partial<SendContext>, { code: string; message: string }]>([
    [
      "missing template variables",
      {
        template: { code: "WELCOME_001", variables: { shop: "알리미" } },
        recipients: [{ to: "010-1000-0001", variables: { other: "x" } }],
      },
      withTemplate({ body: "#{shop} #{name} #{order}" }),
      {
        code: "MISSING_VARIABLE",
        message:
          "No value for #{name}, #{order}; give it in template.variables or the recipient's variables.",
      },
    ],
    [
      "a missing variable of the SMS text",
      { text: "#{name}님 안녕하세요", recipients: [{ to: "010-1000-0001" }] },
      { template: null },
      {
        code: "MISSING_VARIABLE",
        message:
          "No value for #{name}; give it in template.variables or the recipient's variables.",
      },
    ],
    [
      "a missing variable of the fallback subject",
      {
        template: { code: "WELCOME_001" },
        fallback: { subject: "#{title}" },
        recipients: [{ to: "010-1000-0001", variables: { name: "김" } }],
      },
      {},
      {
        code: "MISSING_VARIABLE",
        message:
          "No value for #{title}; give it in template.variables or the recipient's variables.",
      },
    ],
    [
      "a rendered Alimtalk over 1000 characters",
      {
        strategy: "alimtalk_only",
        template: { code: "WELCOME_001" },
        recipients: [{ to: "010-1000-0001", variables: { name: "😀".repeat(990) } }],
      },
      {},
      {
        code: "TEXT_TOO_LONG",
        message: "Alimtalk text for this recipient is 1003 characters; the limit is 1000.",
      },
    ],
    [
      "a personalised SMS too long for an explicit sms",
      {
        type: "sms",
        text: "#{name}님 안녕하세요",
        recipients: [{ to: "010-1000-0001", variables: { name: "가".repeat(40) } }],
      },
      { template: null },
      {
        code: "TEXT_TOO_LONG",
        message:
          'Text for this recipient: Text is 93 bytes; an SMS holds 90 bytes (45 Korean characters). Use type "lms" or "auto" for up to 2000 bytes.',
      },
    ],
    [
      "a personalised LMS over 2000 bytes",
      {
        text: "#{name}",
        recipients: [{ to: "010-1000-0001", variables: { name: "a".repeat(2001) } }],
      },
      { template: null },
      {
        code: "TEXT_TOO_LONG",
        message:
          "Text for this recipient: Text is 2001 bytes; an LMS holds 2000 bytes (1,000 Korean characters).",
      },
    ],
    [
      "a variable value SMS cannot carry",
      { text: "#{name}님", recipients: [{ to: "010-1000-0001", variables: { name: "김똠" } }] },
      { template: null },
      {
        code: "UNSUPPORTED_CHARACTER",
        message:
          'Text for this recipient: Text contains characters that SMS cannot carry (not in EUC-KR): "똠" (U+B620) at character 2.',
      },
    ],
    [
      "an emoji in the body's fallback rendering",
      {
        template: { code: "WELCOME_001" },
        recipients: [{ to: "010-1000-0001", variables: { name: "😀" } }],
      },
      {},
      {
        code: "UNSUPPORTED_CHARACTER",
        message:
          'The template body for this recipient: Text contains characters that SMS cannot carry (not in EUC-KR): "😀" (U+1F600) at character 1.',
      },
    ],
    [
      "cost_optimized when neither channel can carry it",
      {
        strategy: "cost_optimized",
        template: { code: "WELCOME_001" },
        recipients: [{ to: "010-1000-0001", variables: { name: "가".repeat(1000) } }],
      },
      {},
      {
        code: "TEXT_TOO_LONG",
        message:
          "Alimtalk text for this recipient is 1013 characters; the limit is 1000. The template body for this recipient: Text is 2022 bytes; an LMS holds 2000 bytes (1,000 Korean characters).",
      },
    ],
  ])("rejects %s", (_, input, overrides, rejection) => {
    const plan = planSend(
      {
        ...input,
        recipients: [
          ...input.recipients,
          { to: "010-9999-0000", variables: { name: "김", shop: "s", order: "1", title: "t" } },
        ],
      },
      context(overrides),
    );
    const { rejected } = accepted(plan);
    expect(rejected).toEqual([{ index: 0, to: "010-1000-0001", ...rejection }]);
  });

  it("falls back to SMS in cost_optimized when this recipient's Alimtalk is too long", () => {
    const plan = planSend(
      {
        strategy: "cost_optimized",
        template: { code: "WELCOME_001" },
        text: SHORT_TEXT,
        recipients: [
          { to: "010-1000-0001", variables: { name: "가".repeat(1000) } },
          { to: "010-1000-0002", variables: { name: "김" } },
        ],
      },
      context(),
    );
    expect(summary(plan)).toEqual([
      ["sms", null, S],
      ["alimtalk", "sms", S],
    ]);
  });

  it("plans a draft's content without recipients, and still checks that content", () => {
    const draft = context({ template: null, draft: true });
    const plan = planSend({ text: SHORT_TEXT, recipients: [] }, draft);
    expect(plan).toMatchObject({ ok: true, messages: [], rejected: [], cost: { held: 0n } });
    expect(planSend({ recipients: [] }, draft)).toMatchObject({
      ok: false,
      errors: [{ path: "/text", code: "TEXT_REQUIRED" }],
    });
    // A part of a draft with nobody valid in it is refused like a send.
    expect(planSend({ text: SHORT_TEXT, recipients: [{ to: "nope" }] }, draft)).toMatchObject({
      ok: false,
      errors: [{ code: "NO_VALID_RECIPIENTS" }],
    });
  });

  it("answers NO_VALID_RECIPIENTS when nobody is left", () => {
    expect(
      planSend(
        { text: SHORT_TEXT, recipients: [{ to: "nope" }, { to: "02-1234-5678" }] },
        context({ template: null }),
      ),
    ).toEqual({
      ok: false,
      errors: [
        {
          path: "/recipients",
          code: "NO_VALID_RECIPIENTS",
          message: "None of the 2 recipients can be sent to; see rejected.",
        },
      ],
      rejected: [
        {
          index: 0,
          to: "nope",
          code: "INVALID_PHONE",
          message: '"nope" is not a valid phone number.',
        },
        {
          index: 1,
          to: "02-1234-5678",
          code: "INVALID_PHONE",
          message:
            '"02-1234-5678" is a Korean landline number; recipients must be mobile numbers (010, 011, 016–019).',
        },
      ],
    });
  });

  it("accepts a valid advertising SMS", () => {
    const text = "(광고) 알리미 봄 세일\n무료수신거부 080-123-4567";
    expect(
      summary(planSend({ text, advertising: true, recipients: ONE }, context({ template: null }))),
    ).toEqual([["sms", null, S]]);
  });
});

describe("planSend: 100,000 recipients", () => {
  const recipients = Array.from({ length: 100_000 }, (_, i) => ({
    to: `010-${String(1000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, "0")}`,
    variables: { name: `고객${i}` },
  }));

  it("plans every one of them, in order", () => {
    const plan = accepted(planSend({ template: { code: "WELCOME_001" }, recipients }, context()));
    expect(plan.messages).toHaveLength(100_000);
    expect(plan.rejected).toEqual([]);
    expect(plan.messages[99_999]).toEqual({
      index: 99_999,
      to: "+821010099999",
      name: null,
      variables: { name: "고객99999" },
      type: "alimtalk",
      fallbackType: "sms",
      held: S,
    });
    expect(plan.cost).toEqual({
      held: 100_000n * S,
      byType: { alimtalk: 0n, sms: 100_000n * S, lms: 0n, mms: 0n },
      expected: {
        total: 100_000n * A,
        byType: { alimtalk: 100_000n * A, sms: 0n, lms: 0n, mms: 0n },
      },
    });
  });

  it("plans a plain SMS to all of them", () => {
    const plan = accepted(planSend({ text: SHORT_TEXT, recipients }, context({ template: null })));
    expect(plan.messages).toHaveLength(100_000);
    expect(plan.cost.held).toBe(100_000n * S);
  });
});

describe("planSend: the content resolved for dispatch", () => {
  const tpl = { code: "WELCOME_001" };
  it.each([
    [
      "alimtalk_first: the explicit fallback wins",
      {
        template: tpl,
        text: "본문 #{name}",
        fallback: { text: "대체 #{name}" },
        recipients: ONE_NAMED,
      },
      {},
      { alimtalk: TEMPLATE.body, text: "대체 #{name}", subject: null, imageIds: [] },
    ],
    [
      "alimtalk_first: the template's fallback before its body",
      { template: tpl, recipients: ONE_NAMED },
      withTemplate({ fallbackText: "#{name}님 환영", fallbackSubject: "환영" }),
      { alimtalk: TEMPLATE.body, text: "#{name}님 환영", subject: "환영", imageIds: [] },
    ],
    [
      "alimtalk_first: the body itself without any fallback",
      { template: tpl, recipients: ONE_NAMED },
      {},
      { alimtalk: TEMPLATE.body, text: TEMPLATE.body, subject: null, imageIds: [] },
    ],
    [
      "alimtalk_only: no text path",
      { template: tpl, strategy: "alimtalk_only", recipients: ONE_NAMED },
      {},
      { alimtalk: TEMPLATE.body, text: null, subject: null, imageIds: [] },
    ],
    [
      "sms_only: the text itself",
      { type: "lms", text: "공지", subject: "제목", recipients: ONE },
      { template: null },
      { alimtalk: null, text: "공지", subject: "제목", imageIds: [] },
    ],
  ] as [string, SendInput, Partial<SendContext>, unknown][])(
    "%s",
    (_name, input, ctx, expected) => {
      expect(accepted(planSend(input, context(ctx))).content).toEqual({
        buttons: expect.any(Array),
        links: null,
        ...(expected as object),
      });
    },
  );
});

it("refuses an MMS by cost_optimized: its Alimtalk's fallback would be SMS or LMS", () => {
  const plan = planSend(
    { strategy: "cost_optimized", type: "mms", text: SHORT_TEXT, recipients: ONE },
    context({ template: null }),
  );
  expect(errorsOf(plan).map((error) => [error.path, error.code])).toEqual([
    ["/strategy", "INVALID_VALUE"],
  ]);
});

describe("planSend: MMS images", () => {
  const JPEG = { id: "fil_a", mime: "image/jpeg", size: 100_000 };
  const images = [
    JPEG,
    { id: "fil_b", mime: "image/jpeg", size: 50_000 },
    { id: "fil_c", mime: "image/jpeg", size: 300 * 1024 },
    { id: "fil_d", mime: "image/jpeg", size: 1_000 },
    { id: "fil_png", mime: "image/png", size: 1_000 },
    { id: "fil_big", mime: "image/jpeg", size: 300 * 1024 + 1 },
  ];
  const ctx = context({ template: null, images });

  it.each<[string, Partial<SendInput>, string]>([
    ["auto with an image picks mms", { imageIds: ["fil_a"] }, "mms"],
    ["auto with a long text and images picks mms", { text: LONG_TEXT, imageIds: ["fil_a"] }, "mms"],
    ["three images of at most 300 KB", { imageIds: ["fil_a", "fil_b", "fil_c"] }, "mms"],
    ["mms without images is a text-only MMS", { type: "mms" }, "mms"],
    ["auto without images stays sms", {}, "sms"],
  ])("%s", (_, extra, type) => {
    const plan = accepted(planSend({ text: SHORT_TEXT, recipients: ONE, ...extra }, ctx));
    expect(plan.messages.map((message) => message.type)).toEqual([type]);
    expect(plan.content.imageIds).toEqual(extra.imageIds ?? []);
  });

  it.each<[string, Partial<SendInput>, [string, string][]]>([
    ["an unknown file", { imageIds: ["fil_a", "fil_nope"] }, [["/imageIds/1", "FILE_NOT_FOUND"]]],
    ["a PNG", { imageIds: ["fil_png"] }, [["/imageIds/0", "UNSUPPORTED_IMAGE"]]],
    [
      "a JPEG over 300 KB",
      { imageIds: ["fil_a", "fil_big"] },
      [["/imageIds/1", "IMAGE_TOO_LARGE"]],
    ],
    [
      "the same image twice",
      { imageIds: ["fil_a", "fil_a"] },
      [["/imageIds/1", "DUPLICATE_IMAGE"]],
    ],
    [
      "four images",
      { imageIds: ["fil_a", "fil_b", "fil_c", "fil_d"] },
      [["/imageIds", "TOO_MANY_IMAGES"]],
    ],
    [
      "images on an lms",
      { type: "lms", imageIds: ["fil_a"] },
      [["/imageIds", "IMAGES_NOT_ALLOWED"]],
    ],
    [
      "images on an sms",
      { type: "sms", imageIds: ["fil_a"] },
      [["/imageIds", "IMAGES_NOT_ALLOWED"]],
    ],
  ])("refuses %s", (_, extra, expected) => {
    const errors = errorsOf(planSend({ text: SHORT_TEXT, recipients: ONE, ...extra }, ctx));
    expect(errors.map((error) => [error.path, error.code])).toEqual(expected);
  });

  it("refuses images on an Alimtalk send (its fallback is SMS or LMS)", () => {
    const errors = errorsOf(
      planSend(
        { template: { code: "WELCOME_001" }, imageIds: ["fil_a"], recipients: ONE_NAMED },
        context({ images }),
      ),
    );
    expect(errors.map((error) => [error.path, error.code])).toEqual([
      ["/imageIds", "IMAGES_NOT_ALLOWED"],
    ]);
  });
});
