// Every kind of malformed send gets 400 with a code and the path of the field,
// and leaves no trace: no campaign, no message, no credit movement.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { registerSender } from "../senders/service.ts";

const sms = (extra: Record<string, unknown> = {}) => ({
  type: "sms",
  text: "배송이 시작되었습니다.",
  recipients: [{ to: "010-1234-5678" }],
  ...extra,
});

const welcome = (extra: Record<string, unknown> = {}) => ({
  template: { code: "WELCOME_001", variables: { shop: "Alimi" } },
  recipients: [{ to: "010-1234-5678", variables: { name: "홍길동" } }],
  ...extra,
});

const HOUR = 3_600_000;

describe(`bad send input on ${engine}`, async () => {
  const { app, db, clock } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000 });
  await registerSender(db, { orgId: shop.orgId, number: "031-555-1234", verified: false });

  const cases: [string, unknown, { path: string; code: string }][] = [
    [
      "bad phone",
      sms({ recipients: [{ to: "010-12" }] }),
      { path: "/recipients/0", code: "INVALID_PHONE" },
    ],
    ["91-byte SMS", sms({ text: "a".repeat(91) }), { path: "/text", code: "TEXT_TOO_LONG" }],
    [
      "2,001-byte LMS",
      sms({ type: "lms", text: "가".repeat(1001) }),
      { path: "/text", code: "TEXT_TOO_LONG" },
    ],
    ["emoji", sms({ text: "감사합니다 😀" }), { path: "/text", code: "UNSUPPORTED_CHARACTER" }],
    [
      "CP949-only syllable",
      sms({ text: "똠양꿍 할인" }),
      { path: "/text", code: "UNSUPPORTED_CHARACTER" },
    ],
    [
      "41-byte subject",
      sms({ type: "lms", subject: "가".repeat(21) }),
      { path: "/subject", code: "SUBJECT_TOO_LONG" },
    ],
    ["empty text", sms({ text: "  " }), { path: "/text", code: "TEXT_REQUIRED" }],
    [
      "unknown template",
      welcome({ template: { code: "NOPE_404" } }),
      { path: "/template/code", code: "TEMPLATE_NOT_FOUND" },
    ],
    [
      "missing variable",
      welcome({ recipients: [{ to: "01012345678" }] }),
      { path: "/recipients/0", code: "MISSING_VARIABLE" },
    ],
    [
      "alimtalk without template",
      { type: "alimtalk", recipients: [{ to: "01012345678" }] },
      { path: "/template", code: "TEMPLATE_REQUIRED" },
    ],
    [
      "sms with an Alimtalk strategy",
      sms({ strategy: "alimtalk_first" }),
      { path: "/strategy", code: "INVALID_VALUE" },
    ],
    [
      "unregistered sender",
      sms({ from: "02-9999-8888" }),
      { path: "/from", code: "SENDER_NOT_REGISTERED" },
    ],
    [
      "unverified sender",
      sms({ from: "031-555-1234" }),
      { path: "/from", code: "SENDER_NOT_VERIFIED" },
    ],
    ["malformed sender", sms({ from: "12" }), { path: "/from", code: "INVALID_SENDER" }],
    [
      "sendAt in the past",
      sms({ sendAt: new Date(Date.now() - HOUR).toISOString() }),
      { path: "/sendAt", code: "SEND_AT_IN_PAST" },
    ],
    ["sendAt not a time", sms({ sendAt: "tomorrow" }), { path: "/sendAt", code: "INVALID_VALUE" }],
    [
      "sendAt a year ahead",
      sms({ sendAt: new Date(Date.now() + 400 * 24 * HOUR).toISOString() }),
      { path: "/sendAt", code: "SEND_AT_TOO_FAR" },
    ],
    [
      "advertising without (광고)",
      sms({ advertising: true, text: "세일 무료수신거부 080-123-4567" }),
      { path: "/text", code: "AD_PREFIX_MISSING" },
    ],
    [
      "advertising without 080 opt-out",
      sms({ advertising: true, text: "(광고) 세일" }),
      { path: "/text", code: "AD_OPT_OUT_MISSING" },
    ],
    [
      "recipients not an array",
      sms({ recipients: "01012345678" }),
      { path: "/recipients", code: "INVALID_TYPE" },
    ],
    [
      "advertising not a boolean",
      sms({ advertising: "yes" }),
      { path: "/advertising", code: "INVALID_TYPE" },
    ],
    [
      "variable not a string",
      welcome({ recipients: [{ to: "01012345678", variables: { name: 7 } }] }),
      { path: "/recipients/0/variables/name", code: "INVALID_TYPE" },
    ],
    ["unknown type", sms({ type: "fax" }), { path: "/type", code: "INVALID_VALUE" }],
    ["unknown field", sms({ priority: "high" }), { path: "/priority", code: "UNKNOWN_FIELD" }],
    [
      "unknown recipient field",
      sms({ recipients: [{ to: "01012345678", email: "a@b.c" }] }),
      { path: "/recipients/0/email", code: "UNKNOWN_FIELD" },
    ],
    [
      "no recipients field, no groups",
      { type: "sms", text: "x" },
      { path: "/recipients", code: "RECIPIENTS_REQUIRED" },
    ],
    [
      "empty recipients",
      sms({ recipients: [] }),
      { path: "/recipients", code: "RECIPIENTS_REQUIRED" },
    ],
    [
      "100,001 recipients",
      sms({ recipients: Array.from({ length: 100_001 }, () => ({ to: "01012345678" })) }),
      { path: "/recipients", code: "TOO_MANY_ITEMS" },
    ],
  ];

  async function snapshot() {
    const r = await db.query<{
      campaigns: number;
      messages: number;
      ledger: number;
      held: bigint;
      balance: bigint;
    }>(
      `select (select count(*)::int from campaigns) as campaigns,
              (select count(*)::int from messages) as messages,
              (select count(*)::int from ledger_entries) as ledger,
              (select held from wallets where org_id = $1) as held,
              (select balance from wallets where org_id = $1) as balance`,
      [shop.orgId],
    );
    return r.rows[0];
  }

  it.each(cases)("%s → 400 at the field, nothing stored", async (_name, body, expected) => {
    clock.now = new Date();
    const before = await snapshot();
    for (const url of ["/v1/messages", "/v1/messages/estimate"]) {
      const res = await app.inject({
        method: "POST",
        url,
        headers: shop.auth,
        payload: body as object,
      });
      expect(res.statusCode).toBe(400);
      const error = res.json().error;
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.message).toEqual(expect.any(String));
      expect(error.requestId).toEqual(expect.any(String));
      expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining(expected)]));
    }
    expect(await snapshot()).toEqual(before);
  });

  it("malformed JSON → 400 INVALID_JSON", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: { ...shop.auth, "content-type": "application/json" },
      payload: '{"type": "sms", ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      expect.objectContaining({ path: "/", code: "INVALID_JSON" }),
    ]);
  });

  it("an over-long Idempotency-Key → 400 at the header", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: { ...shop.auth, "idempotency-key": "k".repeat(201) },
      payload: sms(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      expect.objectContaining({ path: "/headers/idempotency-key" }),
    ]);
  });

  it("duplicates and bad numbers are rejected one by one while the rest is accepted", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: sms({
        recipients: [
          { to: "010-1234-5678" },
          { to: "01012345678" },
          { to: "+82 10-1234-5678" },
          { to: "abc" },
          { to: "010-8765-4321" },
        ],
      }),
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      accepted: 2,
      rejected: [
        { index: 1, code: "DUPLICATE_RECIPIENT" },
        { index: 2, code: "DUPLICATE_RECIPIENT" },
        { index: 3, code: "INVALID_PHONE" },
      ],
      cost: { held: "30.00" },
    });
  });
});
