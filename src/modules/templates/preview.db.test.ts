// A template's preview through HTTP: a contact's variables under the given
// ones, links filled in, the fallback's type by its bytes, and prices from
// the organization's price chain; nothing stored.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";

describe(`template preview on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000, name: "Preview shop" });
  const other = await createSendingOrg(db, { credits: 1000, name: "Other shop" });
  type Headers = Record<string, string>;
  const call = (headers: Headers, method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
    app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const preview = (code: string, payload?: object, headers: Headers = shop.auth) =>
    call(headers, "POST", `/v1/templates/${code}/preview`, payload);

  const created = await call(shop.auth, "POST", "/v1/templates", {
    code: "POINTS",
    body: "#{name}님, #{shop} 포인트 #{points}점입니다. 주문 #{orderNo}",
    buttons: [
      {
        type: "WL",
        name: "주문 보기",
        linkMobile: "https://shop.example.com/o/#{orderNo}?s=#{shop}",
        linkPc: "https://shop.example.com/pc",
      },
      { type: "DS", name: "배송 조회" },
    ],
  });
  const contact = await call(shop.auth, "POST", "/v1/contacts", {
    phone: "010-2222-3333",
    name: "홍길동",
    attributes: { shop: "강남점", points: 1200, vip: true },
  });
  const otherContact = await call(other.auth, "POST", "/v1/contacts", {
    phone: "010-2222-3333",
    name: "남의 고객",
  });

  it("fills a contact's name and attributes, the given variables winning, links too", async () => {
    expect(created.statusCode).toBe(201);
    expect(created.json().status).toBe("draft");
    const res = await preview("POINTS", {
      contactId: contact.json().id,
      variables: { orderNo: "A-1", shop: "본점" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = "홍길동님, 본점 포인트 1200점입니다. 주문 A-1";
    expect(res.json()).toEqual({
      code: "POINTS",
      status: "draft",
      body,
      buttons: [
        {
          type: "WL",
          name: "주문 보기",
          linkMobile: "https://shop.example.com/o/A-1?s=%EB%B3%B8%EC%A0%90",
          linkPc: "https://shop.example.com/pc",
        },
        { type: "DS", name: "배송 조회" },
      ],
      characters: [...body].length,
      missing: [],
      // No fallback text of its own: the rendered body is the fallback, 44 bytes: an SMS.
      fallback: { text: body, subject: null, type: "sms", bytes: 44 },
      price: { alimtalk: "8.00", fallback: "15.00", worstCase: "15.00" },
      problems: [],
    });
  });

  it("keeps a variable without a value as it is, and says so", async () => {
    const res = await preview("POINTS", { variables: { name: "김철수" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      body: "김철수님, #{shop} 포인트 #{points}점입니다. 주문 #{orderNo}",
      buttons: [{ linkMobile: "https://shop.example.com/o/#{orderNo}?s=#{shop}" }, {}],
      missing: ["shop", "points", "orderNo"],
      problems: [
        { path: "/variables/shop", code: "MISSING_VARIABLE", message: expect.any(String) },
        { path: "/variables/points", code: "MISSING_VARIABLE", message: expect.any(String) },
        { path: "/variables/orderNo", code: "MISSING_VARIABLE", message: expect.any(String) },
      ],
    });
    // No variables at all: the template as written.
    const bare = await preview("POINTS", {});
    expect(bare.statusCode, bare.body).toBe(200);
    expect(bare.json().missing).toEqual(["name", "shop", "points", "orderNo"]);
  });

  it("prices a long fallback as LMS, with its subject", async () => {
    const made = await call(shop.auth, "POST", "/v1/templates", {
      code: "LONG_FALLBACK",
      body: "#{name}님 안내",
      fallback: { text: `#{name}님, ${"가".repeat(50)}`, subject: "#{name}님 안내" },
    });
    expect(made.statusCode).toBe(201);
    const res = await preview("LONG_FALLBACK", { variables: { name: "홍길동" } });
    expect(res.json()).toMatchObject({
      body: "홍길동님 안내",
      fallback: { subject: "홍길동님 안내", type: "lms", bytes: 110 },
      price: { alimtalk: "8.00", fallback: "45.00", worstCase: "45.00" },
      problems: [],
    });
  });

  it("says when the fallback cannot go as SMS at all: the worst case is the Alimtalk", async () => {
    await call(shop.auth, "POST", "/v1/templates", {
      code: "EMOJI",
      body: "#{name}님 🎉 축하합니다",
    });
    const res = await preview("EMOJI", { variables: { name: "홍길동" } });
    expect(res.json()).toMatchObject({
      fallback: { type: null },
      price: { alimtalk: "8.00", fallback: null, worstCase: "8.00" },
      problems: [
        expect.objectContaining({ path: "/fallback/text", code: "UNSUPPORTED_CHARACTER" }),
      ],
    });
  });

  it("prices by the organization's chain: a child's markup", async () => {
    const child = await createSendingOrg(db, { name: "Marked-up branch", parentId: shop.orgId });
    const marked = await call(shop.auth, "PUT", `/v1/orgs/${child.orgId}/pricing`, {
      markupPercent: 10,
    });
    expect(marked.statusCode, marked.body).toBe(200);
    const res = await preview(
      "WELCOME_001",
      { variables: { name: "홍길동", shop: "알리미" } },
      child.auth,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: "approved",
      fallback: { type: "sms" },
      price: { alimtalk: "8.80", fallback: "16.50", worstCase: "16.50" },
    });
  });

  it("refuses a contact that is not the organization's; a read key may preview", async () => {
    for (const contactId of ["ct_nope", otherContact.json().id]) {
      const res = await preview("POINTS", { contactId });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([
        expect.objectContaining({ path: "/contactId", code: "CONTACT_NOT_FOUND" }),
      ]);
    }
    expect((await preview("NOPE", {})).statusCode).toBe(404);
    expect((await preview("POINTS", {}, other.auth)).statusCode).toBe(404);
    const key = await call(shop.auth, "POST", "/v1/api-keys", { name: "viewer", scopes: ["read"] });
    const res = await preview(
      "POINTS",
      { variables: { name: "a" } },
      {
        authorization: `Bearer ${key.json().key}`,
      },
    );
    expect(res.statusCode).toBe(200);
    const stored = await db.query("select 1 from campaigns where org_id = $1", [shop.orgId]);
    expect(stored.rows).toHaveLength(0);
  });
});
