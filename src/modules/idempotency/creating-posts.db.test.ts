// Every creating POST honours Idempotency-Key: the same key and request give
// the first answer again and create nothing more; the same body with its
// keys in another order is the same request; another body, or the same key
// on another route, is a conflict.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { canonicalJson, hashRequest } from "./index.ts";

describe("request fingerprints", () => {
  it("are the same for the same JSON with its keys in another order, at every level", () => {
    const a = {
      code: "T1",
      body: "x",
      fallback: { text: "t", subject: "s" },
      list: [{ b: 1, a: 2 }],
    };
    const b = {
      list: [{ a: 2, b: 1 }],
      fallback: { subject: "s", text: "t" },
      body: "x",
      code: "T1",
    };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(hashRequest("POST /v1/templates", a)).toBe(hashRequest("POST /v1/templates", b));
    // Array order is meaning, and so is the operation.
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(hashRequest("POST /v1/templates", a)).not.toBe(hashRequest("POST /v1/senders", a));
  });
});

describe(`Idempotency-Key on creating POSTs, on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000 });
  const post = (url: string, payload: string, key?: string) =>
    app.inject({
      method: "POST",
      url,
      headers: {
        ...shop.auth,
        "content-type": "application/json",
        ...(key ? { "idempotency-key": key } : {}),
      },
      payload,
    });
  const count = async (table: string) =>
    (
      await db.query<{ n: number }>(`select count(*)::int as n from ${table} where org_id = $1`, [
        shop.orgId,
      ])
    ).rows[0]?.n;

  const cases: { route: string; table: string; body: string; reordered: string; other: string }[] =
    [
      {
        route: "/v1/templates",
        table: "templates",
        body: '{"code":"IDEM_1","body":"#{name}님","fallback":{"text":"a","subject":"b"}}',
        reordered: '{"fallback":{"subject":"b","text":"a"},"body":"#{name}님","code":"IDEM_1"}',
        other: '{"code":"IDEM_2","body":"x"}',
      },
      {
        route: "/v1/kakao-channels",
        table: "kakao_channels",
        body: '{"name":"Shop","pfId":"KA01PF-IDEM","senderKey":"sk-idem"}',
        reordered: '{"senderKey":"sk-idem","pfId":"KA01PF-IDEM","name":"Shop"}',
        other: '{"name":"Other","pfId":"KA01PF-OTHER"}',
      },
      {
        route: "/v1/senders",
        table: "senders",
        body: '{"number":"031-555-0101"}',
        reordered: '{"number":"031-555-0101"}',
        other: '{"number":"031-555-0202"}',
      },
    ];

  it.each(cases)("$route: a retry is answered as the first, a reordered body too", async (c) => {
    const before = await count(c.table);
    const first = await post(c.route, c.body, `k-${c.route}`);
    expect(first.statusCode).toBe(201);
    const again = await post(c.route, c.body, `k-${c.route}`);
    const reordered = await post(c.route, c.reordered, `k-${c.route}`);
    for (const res of [again, reordered]) {
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual(first.json());
    }
    expect(await count(c.table)).toBe((before ?? 0) + 1);

    const conflict = await post(c.route, c.other, `k-${c.route}`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error).toMatchObject({
      code: "CONFLICT",
      details: [{ path: "/headers/idempotency-key", code: "IDEMPOTENCY_KEY_REUSED" }],
    });
    expect(await count(c.table)).toBe((before ?? 0) + 1);
  });

  it("a key used on one route is a conflict on another", async () => {
    const first = await post("/v1/kakao-channels", '{"name":"X","pfId":"KA01PF-X"}', "shared");
    expect(first.statusCode).toBe(201);
    const other = await post("/v1/templates", '{"code":"SHARED_1","body":"x"}', "shared");
    expect(other.statusCode).toBe(409);
  });

  it("a request that failed stores nothing: the same key may be used again", async () => {
    const duplicate = await post("/v1/templates", '{"code":"WELCOME_001","body":"x"}', "retry-me");
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.details).toEqual([expect.objectContaining({ path: "/code" })]);
    const fixed = await post("/v1/templates", '{"code":"FIXED_1","body":"x"}', "retry-me");
    expect(fixed.statusCode).toBe(201);
  });

  it("without a key, each request creates", async () => {
    const before = await count("campaigns");
    for (let i = 0; i < 2; i++) {
      const res = await post(
        "/v1/messages",
        '{"type":"sms","text":"두 번","recipients":[{"to":"010-1234-5678"}]}',
      );
      expect(res.statusCode).toBe(202);
    }
    expect(await count("campaigns")).toBe((before ?? 0) + 2);
  });
});
