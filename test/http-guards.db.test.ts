// What guards every route: the per-IP limit on failed unauthenticated
// requests, the envelope on errors raised before any route runs (415, 414,
// 431, 408), security headers, who may read /metrics, and input that no
// route can store (NUL, lone surrogates, deep nesting, oversized metadata).
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp, TEST_METRICS_TOKEN } from "./app.ts";
import { engine } from "./db.ts";

const sms = { type: "sms", text: "배송이 시작되었습니다.", recipients: [{ to: "010-1234-5678" }] };

/** Sends raw bytes to a listening server; resolves with all it answered once it closes. */
function rawExchange(url: string, chunks: string[], options: { timeoutMs: number }) {
  const { hostname, port } = new URL(url);
  return new Promise<{ text: string; closed: boolean; ms: number }>((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let text = "";
    const done = (closed: boolean) => {
      socket.destroy();
      resolve({ text, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false), options.timeoutMs);
    socket.on("data", (d) => {
      text += d.toString();
    });
    socket.on("close", () => {
      clearTimeout(timer);
      done(true);
    });
    socket.on("error", () => {});
    socket.on("connect", () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));

describe(`the per-IP limit on ${engine}`, async () => {
  const { app, db } = await createTestApp({ limits: { rateLimitPerIp: 5 } });
  const shop = await createSendingOrg(db, { credits: 1000 });
  const flood = "203.0.113.7";

  it("a flood of bad keys from one address gets 429 after 5; a client elsewhere is unaffected", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await app.inject({
        method: "GET",
        url: "/v1/credits",
        remoteAddress: flood,
        headers: { authorization: `Bearer ak_wrong_${i}` },
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
        expect(Number(res.headers["retry-after"])).toBeLessThanOrEqual(60);
        expect(res.json()).toEqual({
          error: {
            code: "RATE_LIMITED",
            message: expect.stringMatching(/^too many failed requests from this address/),
            details: [{ code: "IP_RATE_LIMITED", retryAfterSeconds: expect.any(Number) }],
            requestId: res.headers["x-request-id"],
          },
        });
      }
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);

    // Another address with a valid key, many times over the budget: never limited.
    for (let i = 0; i < 12; i++) {
      const ok = await app.inject({
        method: "GET",
        url: "/v1/credits",
        remoteAddress: "198.51.100.20",
        headers: shop.auth,
      });
      expect(ok.statusCode).toBe(200);
    }
    // The flooding address is refused even with a valid key until its window ends.
    const same = await app.inject({
      method: "GET",
      url: "/v1/credits",
      remoteAddress: flood,
      headers: shop.auth,
    });
    expect(same.statusCode).toBe(429);
  });

  it("forged webhooks and scans count; authenticated requests that fail do not", async () => {
    const scanner = "203.0.113.8";
    const forged = [];
    for (let i = 0; i < 6; i++) {
      const res = await app.inject({
        method: "POST",
        url: i % 2 === 0 ? "/webhooks/vendors/vac_nope/token" : `/scan-${i}`,
        remoteAddress: scanner,
        headers: { "content-type": "application/json" },
        payload: "[]",
      });
      forged.push(res.statusCode);
    }
    expect(forged).toEqual([404, 404, 404, 404, 404, 429]);

    const client = "198.51.100.21";
    for (let i = 0; i < 8; i++) {
      const res = await app.inject({
        method: "GET",
        url: `/v1/messages/msg_missing_${i}`,
        remoteAddress: client,
        headers: shop.auth,
      });
      expect(res.statusCode).toBe(404);
    }
  });
});

describe(`the per-IP limit behind a trusted proxy, on ${engine}`, async () => {
  const { app } = await createTestApp({ limits: { rateLimitPerIp: 2, trustProxy: ["127.0.0.1"] } });
  const from = (client: string) =>
    app.inject({
      method: "GET",
      url: "/v1/credits",
      remoteAddress: "127.0.0.1",
      headers: { "x-forwarded-for": client, authorization: "Bearer ak_wrong" },
    });

  it("counts each client the proxy names, not the proxy", async () => {
    const flood = [];
    for (let i = 0; i < 3; i++) flood.push((await from("203.0.113.50")).statusCode);
    expect(flood).toEqual([401, 401, 429]);
    expect((await from("203.0.113.51")).statusCode).toBe(401);
  });
});

describe(`errors before any route, on ${engine}`, async () => {
  const { app, db } = await createTestApp({ limits: { requestTimeoutMs: 300 } });
  const shop = await createSendingOrg(db, { credits: 1000 });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });

  it("a wrong content type → 415 UNSUPPORTED_MEDIA_TYPE in the envelope", async () => {
    for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded"]) {
      const res = await app.inject({
        method: "POST",
        url: "/v1/senders",
        headers: { ...shop.auth, "content-type": type },
        payload: "0212345678",
      });
      expect({ type, status: res.statusCode }).toEqual({ type, status: 415 });
      expect(res.json().error).toMatchObject({
        code: "UNSUPPORTED_MEDIA_TYPE",
        details: [{ path: "/", code: "INVALID_CONTENT_TYPE" }],
        requestId: res.headers["x-request-id"],
      });
    }
  });

  it("a URL past 8 KB → 414, a path parameter past its length → 414, in the envelope", async () => {
    const long = await app.inject({
      method: "GET",
      url: `/v1/credits?x=${"a".repeat(9000)}`,
      headers: shop.auth,
    });
    expect(long.statusCode).toBe(414);
    expect(long.json().error.code).toBe("URI_TOO_LONG");

    const param = await app.inject({
      method: "GET",
      url: `/v1/messages/${"m".repeat(200)}`,
      headers: shop.auth,
    });
    expect(param.statusCode).toBe(414);
    expect(param.json().error).toMatchObject({
      code: "URI_TOO_LONG",
      requestId: expect.any(String),
    });
  });

  it("malformed percent-encoding in the path → 400 in the envelope", async () => {
    const res = await app.inject({
      method: "GET",
      url: "/v1/messages/%E0%A4%A",
      headers: shop.auth,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ path: "/", code: "INVALID_URL" }],
      requestId: res.headers["x-request-id"],
    });
  });

  it("headers past Node's limit → 431 in the envelope", async () => {
    const r = await rawExchange(
      url,
      [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`],
      { timeoutMs: 5_000 },
    );
    expect(r.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(r.text).error).toEqual({
      code: "HEADERS_TOO_LARGE",
      message: "the request's headers are too large",
      requestId: expect.stringMatching(/^req_/),
    });
  });

  it("a client that sends its headers and stalls is answered 408 and cut off", async () => {
    const r = await rawExchange(
      url,
      [
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
          `Authorization: ${shop.auth.authorization}\r\nContent-Length: 500\r\n\r\n{"type":`,
      ],
      { timeoutMs: 10_000 },
    );
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(5_000);
    expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(r.text).error.code).toBe("REQUEST_TIMEOUT");
  });

  it("answers carry security headers; the docs page has a policy of its own", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/credits", headers: shop.auth });
    expect(res.headers).toMatchObject({
      "content-security-policy": "default-src 'none';frame-ancestors 'none';base-uri 'none'",
      "x-content-type-options": "nosniff",
      "x-frame-options": "SAMEORIGIN",
      "strict-transport-security": expect.stringMatching(/^max-age=\d+/),
      "cross-origin-resource-policy": "same-origin",
      "referrer-policy": "no-referrer",
    });
    expect(res.headers).not.toHaveProperty("x-powered-by");
    const docs = await app.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-security-policy"]).toMatch(/script-src 'self'/);
  });
});

describe(`who may read /metrics, on ${engine}`, async () => {
  const withToken = await createTestApp();
  const withAdmin = await createTestApp({
    metrics: { metricsToken: null, adminToken: "admin-token-0001" },
  });
  const closed = await createTestApp({ metrics: { metricsToken: null } });

  it("with ALIMI_METRICS_TOKEN set, that bearer token and nothing else", async () => {
    const ok = await withToken.app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    for (const headers of [{}, { authorization: "Bearer wrong" }]) {
      const res = await withToken.app.inject({ method: "GET", url: "/metrics", headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("UNAUTHORIZED");
    }
  });

  it("without it, the embedded admin token from loopback, or not at all", async () => {
    const admin = { authorization: "Bearer admin-token-0001" };
    const local = await withAdmin.app.inject({ method: "GET", url: "/metrics", headers: admin });
    expect(local.statusCode).toBe(200);
    const remote = await withAdmin.app.inject({
      method: "GET",
      url: "/metrics",
      headers: admin,
      remoteAddress: "203.0.113.9",
    });
    expect(remote.statusCode).toBe(404);
    const none = await closed.app.inject({ method: "GET", url: "/metrics", headers: admin });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.message).toMatch(/ALIMI_METRICS_TOKEN/);
  });
});

describe(`input no route can store, on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000 });
  const raw = (method: "POST" | "GET", url: string, payload?: string) =>
    app.inject({
      method,
      url,
      headers: { ...shop.auth, ...(payload ? { "content-type": "application/json" } : {}) },
      payload,
    });
  const campaigns = async () =>
    (await db.query("select 1 from campaigns where org_id = $1", [shop.orgId])).rows.length;

  // JSON text, so that a lone surrogate arrives as the escape a client would send.
  const cases: [string, "POST" | "GET", string, string | undefined, string][] = [
    [
      "NUL in a send's text",
      "POST",
      "/v1/messages",
      '{"type":"sms","text":"a\\u0000b","recipients":[{"to":"01012345678"}]}',
      "/text",
    ],
    [
      "NUL in an estimate's text",
      "POST",
      "/v1/messages/estimate",
      '{"type":"sms","text":"a\\u0000b","recipients":[{"to":"01012345678"}]}',
      "/text",
    ],
    [
      "lone surrogate in a recipient's name",
      "POST",
      "/v1/messages",
      '{"type":"sms","text":"안녕","recipients":[{"to":"01012345678","name":"\\ud800"}]}',
      "/recipients/0/name",
    ],
    [
      "lone surrogate in an estimate",
      "POST",
      "/v1/messages/estimate",
      '{"type":"sms","text":"안녕","recipients":[{"to":"01012345678","name":"\\udc00x"}]}',
      "/recipients/0/name",
    ],
    [
      "NUL in a variable's name",
      "POST",
      "/v1/messages",
      '{"template":{"code":"WELCOME_001","variables":{"a\\u0000":"x"}},"recipients":[{"to":"01012345678"}]}',
      "/template/variables/a\uFFFD",
    ],
    [
      "NUL in metadata",
      "POST",
      "/v1/messages",
      '{"type":"sms","text":"안녕","recipients":[{"to":"01012345678"}],"metadata":{"k":"\\u0000"}}',
      "/metadata/k",
    ],
    ["NUL in a template body", "POST", "/v1/templates", '{"code":"T1","body":"x\\u0000"}', "/body"],
    ["NUL in a template code", "POST", "/v1/templates", '{"code":"T\\u0000","body":"x"}', "/code"],
    ["NUL in a caller number", "POST", "/v1/senders", '{"number":"02\\u00001234"}', "/number"],
    [
      "NUL in a channel name",
      "POST",
      "/v1/kakao-channels",
      '{"name":"\\u0000","pfId":"KA01"}',
      "/name",
    ],
    [
      "lone surrogate in vendor credentials",
      "POST",
      "/v1/vendor-accounts",
      '{"vendor":"sandbox","name":"S","credentials":{"apiKey":"\\ud83d"}}',
      "/credentials/apiKey",
    ],
    [
      "NUL in vendor settings",
      "POST",
      "/v1/vendor-accounts",
      '{"vendor":"sandbox","name":"S","credentials":{"apiKey":"k"},"settings":{"x":["\\u0000"]}}',
      "/settings/x/0",
    ],
    [
      "NUL in a query parameter",
      "GET",
      "/v1/templates?cursor=%00",
      undefined,
      "/querystring/cursor",
    ],
    ["NUL in a path parameter", "GET", "/v1/messages/msg_%00", undefined, "/params/id"],
    ["NUL in a campaign id", "GET", "/v1/campaigns/cmp_%00", undefined, "/params/id"],
    ["NUL in a template code path", "GET", "/v1/templates/T%00", undefined, "/params/code"],
  ];

  it.each(cases)(
    "%s → 400 INVALID_CHARACTER at its path",
    async (_name, method, url, payload, path) => {
      const res = await raw(method, url, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: "VALIDATION_FAILED",
        details: [{ path, code: "INVALID_CHARACTER" }],
      });
    },
  );

  it("nothing was stored by any of them", async () => {
    expect(await campaigns()).toBe(0);
  });

  it("JSON nested 100,000 deep → 400 TOO_DEEP, not a stack overflow", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    for (const url of ["/v1/messages", "/v1/vendor-accounts"]) {
      const res = await raw("POST", url, `{"settings":{"x":${deep}},"metadata":{"x":${deep}}}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ code: "TOO_DEEP" });
    }
  });

  it("metadata nested more than 8 levels or over 16 KB → 400 at /metadata, alike for the estimate", async () => {
    let nested: unknown = "x";
    for (let i = 0; i < 9; i++) nested = { a: nested };
    const tooDeep = { ...sms, metadata: nested as Record<string, unknown> };
    const tooLarge = { ...sms, metadata: { note: "가".repeat(6_000) } };
    const fits = { ...sms, metadata: { note: "가".repeat(5_000), a: { b: { c: 1 } } } };
    for (const url of ["/v1/messages/estimate", "/v1/messages"]) {
      const deep = await app.inject({ method: "POST", url, headers: shop.auth, payload: tooDeep });
      expect(deep.statusCode).toBe(400);
      expect(deep.json().error.details).toEqual([
        expect.objectContaining({ path: `/metadata${"/a".repeat(8)}`, code: "TOO_DEEP" }),
      ]);
      const large = await app.inject({
        method: "POST",
        url,
        headers: shop.auth,
        payload: tooLarge,
      });
      expect(large.statusCode).toBe(400);
      expect(large.json().error.details).toEqual([
        expect.objectContaining({ path: "/metadata", code: "TOO_LARGE" }),
      ]);
    }
    expect(await campaigns()).toBe(0);
    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: fits,
    });
    expect(sent.statusCode).toBe(202);
  });
});

describe(`a server that is shutting down, on ${engine}`, async () => {
  const { app } = await createTestApp();
  const url = await app.listen({ port: 0, host: "127.0.0.1" });

  it("answers a request that arrives while it drains 503 in the envelope", async () => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    let text = "";
    socket.on("data", (d) => {
      text += d.toString();
    });
    // Half a request keeps the connection busy, so the close waits for it.
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write("\r\n");
    await new Promise((resolve) => socket.once("close", resolve));
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(bodyOf(text).error).toEqual({
      code: "UNAVAILABLE",
      message: "the server is shutting down: send it again shortly",
      requestId: expect.stringMatching(/^req_/),
    });
  });
});

describe(`the per-caller limit on ${engine}`, async () => {
  const { app, db } = await createTestApp({ limits: { rateLimitPerCaller: 5 } });
  const a = await createSendingOrg(db, { name: "Busy" });
  const b = await createSendingOrg(db, { name: "Calm" });

  it("answers a key over its budget 429 with Retry-After, and leaves other keys alone", async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof app.inject>> | null = null;
    for (let i = 0; i < 12; i++) {
      last = await app.inject({ method: "GET", url: "/v1/credits", headers: a.auth });
      statuses.push(last.statusCode);
    }
    // 5 a second in bursts of 10.
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(last!.json().error.code).toBe("RATE_LIMITED");
    expect(Number(last!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(
      (await app.inject({ method: "GET", url: "/v1/credits", headers: b.auth })).statusCode,
    ).toBe(200);
  });
});

describe(`an organization's own rate limit on ${engine}`, async () => {
  const { app, db } = await createTestApp({ limits: { rateLimitPerCaller: 5 } });
  const parent = await createSendingOrg(db, { name: "Parent" });
  const child = await createSendingOrg(db, { name: "Child", parentId: parent.orgId });
  const burst = async (auth: Record<string, string>, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      statuses.push(
        (await app.inject({ method: "GET", url: "/v1/credits", headers: auth })).statusCode,
      );
    }
    return statuses.filter((s) => s === 200).length;
  };

  it("is set by the parent and bounds the child's keys; the child cannot set its own", async () => {
    const own = await app.inject({
      method: "PATCH",
      url: `/v1/orgs/${child.orgId}`,
      headers: child.auth,
      payload: { rateLimit: 1000 },
    });
    expect(own.statusCode).toBe(403);
    const set = await app.inject({
      method: "PATCH",
      url: `/v1/orgs/${child.orgId}`,
      headers: parent.auth,
      payload: { rateLimit: 2 },
    });
    expect(set.json().rateLimit).toBe(2);
    // 2 a second in bursts of 4, the refused PATCH above being one of them.
    expect(await burst(child.auth, 8)).toBe(3);
  });
});

describe(`CORS (ALIMI_CORS_ORIGINS) on ${engine}`, async () => {
  const { app } = await createTestApp({
    limits: { corsOrigins: ["https://console.example.com"] },
  });
  const preflight = (origin: string) =>
    app.inject({
      method: "OPTIONS",
      url: "/v1/messages",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-alimi-csrf",
      },
    });

  it("lets a listed origin call with credentials, and nobody else", async () => {
    const listed = await preflight("https://console.example.com");
    expect(listed.statusCode).toBe(204);
    expect(listed.headers["access-control-allow-origin"]).toBe("https://console.example.com");
    expect(listed.headers["access-control-allow-credentials"]).toBe("true");
    expect(String(listed.headers["access-control-allow-headers"])).toContain("x-alimi-csrf");
    const other = await preflight("https://evil.example");
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
