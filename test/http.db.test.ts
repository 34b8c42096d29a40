// The HTTP shell every route shares: health, metrics, the OpenAPI document,
// request ids (headers, error bodies, log lines), the error envelope, auth and
// scopes, and body limits.
import { Writable } from "node:stream";
import type { InjectOptions } from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { issueApiKey } from "../src/modules/orgs/service.ts";
import { createSendingOrg, createTestApp, TEST_METRICS_TOKEN } from "./app.ts";
import { engine } from "./db.ts";

const metricsAuth = { authorization: `Bearer ${TEST_METRICS_TOKEN}` };
const sms = { type: "sms", text: "배송이 시작되었습니다.", recipients: [{ to: "010-1234-5678" }] };

/** The value of one sample line in Prometheus text, e.g. `name 3` → 3. */
function sample(text: string, name: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
}

describe(`the HTTP shell on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000 });

  it("GET /health → 200 ok", async () => {
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok", scheduler: { lastTickAt: null, lagSeconds: 0 } });
  });

  it("GET /metrics is Prometheus text, and counts accepted messages", async () => {
    const before = await app.inject({ method: "GET", url: "/metrics", headers: metricsAuth });
    expect(before.statusCode).toBe(200);
    expect(before.headers["content-type"]).toMatch(/^text\/plain/);
    expect(before.body).toContain("# TYPE alimi_http_request_duration_seconds histogram");
    expect(before.body).toContain("# TYPE alimi_messages_accepted_total counter");
    expect(sample(before.body, "alimi_messages_accepted_total")).toBe(0);

    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: { ...sms, recipients: [{ to: "010-1234-5678" }, { to: "010-2345-6789" }] },
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.json().accepted).toBe(2);

    const after = await app.inject({ method: "GET", url: "/metrics", headers: metricsAuth });
    expect(sample(after.body, "alimi_messages_accepted_total")).toBe(2);
    expect(after.body).toMatch(
      /^alimi_http_request_duration_seconds_count\{method="POST",route="\/v1\/messages",status="202"\} 1$/m,
    );
  });

  it("GET /docs/json is an OpenAPI 3.1 document of the API", async () => {
    const res = await app.inject({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: "Alimi API", version: "1" });
    expect(doc.servers).toEqual([{ url: "/", description: "this Alimi server" }]);
    const paths = Object.keys(doc.paths);
    for (const path of [
      "/v1/messages",
      "/v1/messages/estimate",
      "/v1/campaigns/{id}",
      "/v1/credits",
      "/v1/templates",
      "/v1/senders",
    ]) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(doc.paths["/v1/messages"])).toContain("post");
    // Every operation has its own stable operationId (the SDK's method names).
    const ids = Object.values(
      doc.paths as Record<string, Record<string, { operationId?: string }>>,
    ).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths["/v1/campaigns/{id}/launch"].post.operationId).toBe("launchCampaign");
    expect(Object.keys(doc.paths["/v1/campaigns/{id}"])).toContain("get");
    // Hidden infrastructure routes stay out of the contract.
    expect(paths).not.toContain("/health");
    expect(paths).not.toContain("/metrics");
    expect(paths).not.toContain("/_admin/cli");
  });

  it("every response carries an x-request-id, a new one per request", async () => {
    const responses = await Promise.all([
      app.inject({ method: "GET", url: "/health" }),
      app.inject({ method: "GET", url: "/metrics", headers: metricsAuth }),
      app.inject({ method: "GET", url: "/v1/credits", headers: shop.auth }),
      app.inject({ method: "GET", url: "/v1/credits" }),
      app.inject({ method: "GET", url: "/v1/nowhere", headers: shop.auth }),
      app.inject({ method: "GET", url: "/nowhere" }),
    ]);
    // (The unknown routes' status is checked below.)
    expect(responses.slice(0, 4).map((r) => r.statusCode)).toEqual([200, 200, 200, 401]);
    const ids = responses.map((r) => r.headers["x-request-id"]);
    for (const id of ids) expect(id).toMatch(/^req_\w+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("echoes a given x-request-id in the header and the error body", async () => {
    const res = await app.inject({
      method: "GET",
      url: "/v1/credits",
      headers: { "x-request-id": "abc-123" },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers["x-request-id"]).toBe("abc-123");
    expect(res.json().error.requestId).toBe("abc-123");

    const ok = await app.inject({
      method: "GET",
      url: "/v1/credits",
      headers: { ...shop.auth, "x-request-id": "abc-123" },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["x-request-id"]).toBe("abc-123");
  });

  it("replaces an x-request-id that is not a plain token", async () => {
    const res = await app.inject({
      method: "GET",
      url: "/v1/credits",
      headers: { "x-request-id": "<script>alert(1)</script>" },
    });
    expect(res.headers["x-request-id"]).toMatch(/^req_\w+$/);
    expect(res.json().error.requestId).toBe(res.headers["x-request-id"]);
  });

  it("an unknown route (under /v1 with a valid key, or outside it) → 404 in the error envelope", async () => {
    for (const url of ["/v1/nowhere", "/nowhere"]) {
      const res = await app.inject({ method: "GET", url, headers: shop.auth });
      expect({ url, status: res.statusCode, body: res.json() }).toEqual({
        url,
        status: 404,
        body: {
          error: {
            code: "NOT_FOUND",
            message: expect.any(String),
            requestId: res.headers["x-request-id"],
          },
        },
      });
    }
  });

  it("an unknown route under /v1 without a key → 401 (nothing is revealed)", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/nowhere" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: {
        code: "UNAUTHORIZED",
        message: expect.any(String),
        requestId: res.headers["x-request-id"],
      },
    });
  });

  it("a /v1 route without a key → 401, with an unknown key → 401", async () => {
    for (const headers of [
      {},
      { authorization: "Bearer ak_unknown" },
      { authorization: "Basic x" },
    ]) {
      const res = await app.inject({ method: "POST", url: "/v1/messages", headers, payload: sms });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("UNAUTHORIZED");
    }
  });

  it("a key lacking the route's scope → 403 FORBIDDEN, and nothing is stored", async () => {
    const readOnly = await db.tx((q) =>
      issueApiKey(q, { orgId: shop.orgId, name: "dashboard", scopes: ["read"] }),
    );
    const auth = { authorization: `Bearer ${readOnly}` };
    const campaigns = async () =>
      (await db.query("select 1 from campaigns where org_id = $1", [shop.orgId])).rows.length;
    const before = await campaigns();

    const res = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: auth,
      payload: sms,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: {
        code: "FORBIDDEN",
        message: "this API key lacks the 'send' scope",
        requestId: res.headers["x-request-id"],
      },
    });
    expect(await campaigns()).toBe(before);

    // The same key may read.
    const read = await app.inject({ method: "GET", url: "/v1/credits", headers: auth });
    expect(read.statusCode).toBe(200);
  });

  it("a body over the route's limit → 413 PAYLOAD_TOO_LARGE", async () => {
    // POST /v1/senders keeps Fastify's default 1 MB limit; send 2 MB.
    const payload = JSON.stringify({ number: "0".repeat(2 * 1024 * 1024) });
    const res = await app.inject({
      method: "POST",
      url: "/v1/senders",
      headers: { ...shop.auth, "content-type": "application/json" },
      payload,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: {
        code: "PAYLOAD_TOO_LARGE",
        message: "the request body is too large",
        requestId: res.headers["x-request-id"],
      },
    });
    const senders = await db.query("select 1 from senders where org_id = $1", [shop.orgId]);
    expect(senders.rows).toHaveLength(1);
  });
});

describe(`request logs on ${engine}`, async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const { app, db } = await createTestApp({ logger: pino({ level: "trace" }, sink) });
  const shop = await createSendingOrg(db, { credits: 1000 });
  await app.ready();

  const requestLines = async (request: InjectOptions) => {
    lines.length = 0;
    const res = await app.inject(request);
    // pino writes asynchronously through the stream; let it drain.
    await new Promise((resolve) => setImmediate(resolve));
    return { res, logged: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };

  it("every log line of a request carries its requestId", async () => {
    const { res, logged } = await requestLines({
      method: "POST",
      url: "/v1/messages",
      headers: shop.auth,
      payload: sms,
    });
    expect(res.statusCode).toBe(202);
    const id = res.headers["x-request-id"];
    expect(id).toMatch(/^req_\w+$/);
    expect(logged.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["incoming request", "request completed"]),
    );
    for (const line of logged) {
      expect(line.requestId).toBe(id);
      expect(line).not.toHaveProperty("reqId");
    }
  });

  it("so do the lines of a failed request, with the id it was given", async () => {
    const { res, logged } = await requestLines({
      method: "GET",
      url: "/v1/credits",
      headers: { "x-request-id": "abc-123" },
    });
    expect(res.statusCode).toBe(401);
    expect(logged.length).toBeGreaterThanOrEqual(2);
    for (const line of logged) expect(line.requestId).toBe("abc-123");
  });
});
