import { describe, expect, it } from "vitest";
import { createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { approveThroughOperator } from "../../../test/support/templates.ts";
import { MICRO_PER_CREDIT } from "../../domain/money.ts";
import { createOrg } from "../orgs/service.ts";
import { registerSender } from "../senders/service.ts";

const ORDER = {
  code: "ORDER_RECEIVED",
  body: "#{name}님, 주문 #{orderNo}이(가) 접수되었습니다.\n#{name}님, 이용해 주셔서 감사합니다.",
  buttons: [
    {
      type: "WL",
      name: "주문 확인",
      linkMobile: "https://shop.example.com/orders",
      linkPc: "https://shop.example.com/orders?pc=1",
    },
    { type: "DS", name: "배송 조회" },
  ],
  fallback: { text: "#{name}님 주문 #{orderNo} 접수" },
};

describe(`templates on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const { org, apiKey } = await createOrg(db, {
    name: "Shop",
    credits: 1000n * MICRO_PER_CREDIT,
  });
  await registerSender(db, { orgId: org.id, number: "02-1234-5678", verified: true });
  const auth = { authorization: `Bearer ${apiKey}` };
  const other = await createOrg(db, { name: "Other" });
  const otherAuth = { authorization: `Bearer ${other.apiKey}` };

  const post = (payload: object, headers = auth) =>
    app.inject({ method: "POST", url: "/v1/templates", headers, payload });
  const get = (url: string, headers = auth) => app.inject({ method: "GET", url, headers });

  it("POST /v1/templates → 201 draft, variables in order of appearance, buttons echoed", async () => {
    const res = await post(ORDER);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^tpl_/),
      orgId: org.id,
      code: "ORDER_RECEIVED",
      body: ORDER.body,
      buttons: ORDER.buttons,
      variables: ["name", "orderNo"],
      fallback: { text: "#{name}님 주문 #{orderNo} 접수", subject: null },
      status: "draft",
      review: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
  });

  it("GET /v1/templates/{code} → the template", async () => {
    const res = await get("/v1/templates/ORDER_RECEIVED");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      code: "ORDER_RECEIVED",
      body: ORDER.body,
      buttons: ORDER.buttons,
      variables: ["name", "orderNo"],
      status: "draft",
    });
    const missing = await get("/v1/templates/NOPE");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("NOT_FOUND");
  });

  it("a template without buttons or fallback stores empty buttons and a null fallback", async () => {
    const res = await post({ code: "NOTICE", body: "공지사항을 확인해 주세요." });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ buttons: [], variables: [], fallback: null });
  });

  it("GET /v1/templates pages by code with limit and cursor", async () => {
    expect((await post({ code: "A_FIRST", body: "#{x} 첫 번째" })).statusCode).toBe(201);
    const codes: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/templates?limit=1${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { data: { code: string }[]; nextCursor: string | null };
      expect(page.data).toHaveLength(1);
      codes.push(...page.data.map((t) => t.code));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(codes).toEqual(["A_FIRST", "NOTICE", "ORDER_RECEIVED"]);
    expect(pages).toBe(3);

    const all = (await get("/v1/templates")).json();
    expect(all.data.map((t: { code: string }) => t.code)).toEqual(codes);
    expect(all.nextCursor).toBeNull();

    const bad = await get("/v1/templates?cursor=%21%21%21");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      expect.objectContaining({ path: "/querystring/cursor" }),
    ]);
  });

  it("a duplicate code → 409 CONFLICT, and the first template stays", async () => {
    const res = await post({ ...ORDER, body: "다른 본문 #{name}", fallback: undefined });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: "CONFLICT",
      details: [{ path: "/code", code: "DUPLICATE" }],
    });
    expect((await get("/v1/templates/ORDER_RECEIVED")).json().body).toBe(ORDER.body);
  });

  const ds = (i: number) => ({ type: "DS", name: `버튼${i}` });
  const invalid: [string, object, { path: string; code: string }][] = [
    [
      "6 buttons",
      { code: "T_BUTTONS", body: "본문", buttons: [1, 2, 3, 4, 5, 6].map(ds) },
      { path: "/buttons", code: "TOO_MANY_BUTTONS" },
    ],
    [
      "a WL button without linkMobile",
      {
        code: "T_WL",
        body: "본문",
        buttons: [ds(1), { type: "WL", name: "바로가기", linkPc: "https://example.com" }],
      },
      { path: "/buttons/1/linkMobile", code: "REQUIRED" },
    ],
    [
      "a body over 1,000 characters",
      { code: "T_LONG", body: "가".repeat(1001) },
      { path: "/body", code: "TEXT_TOO_LONG" },
    ],
    [
      "a fallback using a variable the body does not have",
      {
        code: "T_FALLBACK",
        body: "#{name}님 안녕하세요",
        fallback: { text: "#{name}님 #{coupon}" },
      },
      { path: "/fallback/text", code: "UNKNOWN_VARIABLE" },
    ],
    [
      "a malformed code",
      { code: "주문 접수", body: "본문" },
      { path: "/code", code: "INVALID_VALUE" },
    ],
    [
      "an unknown button type",
      { code: "T_TYPE", body: "본문", buttons: [{ type: "XX", name: "x" }] },
      { path: "/buttons/0/type", code: "INVALID_VALUE" },
    ],
  ];

  it.each(invalid)("%s → 400 at its path, nothing stored", async (_name, payload, expected) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details).toEqual([expect.objectContaining(expected)]);
    const code = (payload as { code: string }).code;
    expect((await get(`/v1/templates/${encodeURIComponent(code)}`)).statusCode).toBe(404);
  });

  it("exactly 1,000 characters and 5 buttons are allowed", async () => {
    const res = await post({
      code: "T_LIMITS",
      body: "가".repeat(1000),
      buttons: [1, 2, 3, 4, 5].map(ds),
    });
    expect(res.statusCode).toBe(201);
  });

  it("another organization cannot see it (404) and may use the same code", async () => {
    const res = await get("/v1/templates/ORDER_RECEIVED", otherAuth);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("NOT_FOUND");
    expect((await get("/v1/templates", otherAuth)).json()).toEqual({ data: [], nextCursor: null });

    const own = await post({ code: "ORDER_RECEIVED", body: "#{who} 주문" }, otherAuth);
    expect(own.statusCode).toBe(201);
    expect((await get("/v1/templates/ORDER_RECEIVED")).json().body).toBe(ORDER.body);
  });

  it("an estimate renders each recipient's fallback: short SMS, long LMS", async () => {
    await approveThroughOperator(app, db, { auth, orgId: org.id, code: "ORDER_RECEIVED" });
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages/estimate",
      headers: auth,
      payload: {
        template: { code: "ORDER_RECEIVED", variables: { orderNo: "A-1001" } },
        recipients: [
          { to: "010-1234-5678", variables: { name: "홍길동" } },
          // 60 syllables = 120 EUC-KR bytes: the rendered fallback needs an LMS.
          { to: "010-2345-6789", variables: { name: "가".repeat(60) } },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    // alimtalk_first holds max(Alimtalk 8, fallback): SMS 15, then LMS 45.
    expect(res.json()).toEqual({
      accepted: 2,
      rejected: [],
      deferred: [],
      deferredUntil: null,
      cost: {
        held: "60.00",
        byType: { alimtalk: "0.00", sms: "15.00", lms: "45.00", mms: "0.00" },
        worstCase: {
          total: "60.00",
          byType: { alimtalk: "0.00", sms: "15.00", lms: "45.00", mms: "0.00" },
        },
        expected: {
          total: "16.00",
          byType: { alimtalk: "16.00", sms: "0.00", lms: "0.00", mms: "0.00" },
        },
      },
      available: "1000.00",
    });
  });

  it("a send missing one of the template's variables is rejected", async () => {
    const campaigns = async () =>
      (await db.query("select 1 from campaigns where org_id = $1", [org.id])).rows.length;
    const before = await campaigns();
    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: auth,
      payload: {
        template: { code: "ORDER_RECEIVED", variables: { name: "홍길동" } },
        recipients: [{ to: "010-1234-5678" }],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [
        { path: "/recipients", code: "NO_VALID_RECIPIENTS" },
        {
          path: "/recipients/0",
          index: 0,
          to: "010-1234-5678",
          code: "MISSING_VARIABLE",
          message: expect.stringContaining("#{orderNo}"),
        },
      ],
    });
    expect(await campaigns()).toBe(before);

    // With the variable, per recipient or shared, the same send is accepted.
    const ok = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: auth,
      payload: {
        template: { code: "ORDER_RECEIVED", variables: { name: "홍길동" } },
        recipients: [
          { to: "010-1234-5678", variables: { orderNo: "A-1002" } },
          { to: "010-2345-6789" },
        ],
      },
    });
    expect(ok.statusCode, ok.body).toBe(202);
    expect(ok.json()).toMatchObject({
      accepted: 1,
      rejected: [{ index: 1, to: "010-2345-6789", code: "MISSING_VARIABLE" }],
      cost: { held: "15.00" },
    });
  });
});
