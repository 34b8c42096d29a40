// The shared vendor call: what a call that got no answer becomes, and how an
// answer is read, over real HTTP.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { testTransport as transport } from "../../test/support/vendor-calls.ts";
import { createEgress } from "../lib/egress.ts";
import { callVendor, transportFailure } from "./http.ts";

describe("transportFailure", () => {
  it("maps an aborted-by-timeout request to a retryable TIMEOUT", () => {
    const err = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(transportFailure(err, "the sandbox")).toEqual({
      error: { code: "TIMEOUT", rawCode: "timeout", message: "the sandbox did not answer in time" },
      retryable: true,
    });
  });

  it("maps a refused connection to a retryable VENDOR_UNAVAILABLE with the system code", () => {
    const err = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    });
    const mapped = transportFailure(err, "NHN");
    expect(mapped.retryable).toBe(true);
    expect(mapped.error).toMatchObject({ code: "VENDOR_UNAVAILABLE", rawCode: "ECONNREFUSED" });
    expect(mapped.error.message).toContain("ECONNREFUSED");
  });

  it("maps anything else thrown to VENDOR_UNAVAILABLE", () => {
    expect(transportFailure(new Error("socket hang up"), "Aligo").error).toEqual({
      code: "VENDOR_UNAVAILABLE",
      rawCode: "network",
      message: "cannot reach Aligo: socket hang up",
    });
  });
});

describe("callVendor", () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });
  const serve = async (answer: (res: import("node:http").ServerResponse) => void) => {
    const server = createServer((_req, res) => answer(res));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it("reads any status with its JSON body, and null for a body that is not JSON", async () => {
    const json = await serve((res) => res.writeHead(503).end('{"errorCode":"x"}'));
    expect(
      await callVendor({ vendor: "V", method: "GET", url: json, timeoutMs: 2_000, transport }),
    ).toEqual({
      ok: true,
      status: 503,
      body: { errorCode: "x" },
    });
    const html = await serve((res) => res.writeHead(200).end("<html>"));
    expect(
      await callVendor({ vendor: "V", method: "GET", url: html, timeoutMs: 2_000, transport }),
    ).toEqual({
      ok: true,
      status: 200,
      body: null,
    });
  });

  it("caps the account's timeout at the transport's maximum", async () => {
    const silent = await serve(() => {});
    const started = Date.now();
    const answer = await callVendor({
      vendor: "V",
      method: "GET",
      url: silent,
      // What a tenant could store before the cap: ten minutes.
      timeoutMs: 600_000,
      transport: { ...transport, maxTimeoutMs: 150 },
    });
    expect(answer).toMatchObject({ ok: false, failure: { error: { code: "TIMEOUT" } } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("does not follow a redirect: it is a failure that names it, and its target is not called", async () => {
    let followed = 0;
    const target = await serve((res) => {
      followed++;
      res.end("{}");
    });
    const redirecting = await serve((res) => res.writeHead(307, { location: target }).end());
    expect(
      await callVendor({
        vendor: "V",
        method: "POST",
        url: redirecting,
        timeoutMs: 2_000,
        transport,
      }),
    ).toEqual({
      ok: false,
      failure: {
        error: {
          code: "VENDOR_UNAVAILABLE",
          rawCode: "http_307",
          message:
            "V answered with a redirect (HTTP 307), which is not followed: check the account's URL settings",
        },
        retryable: true,
      },
    });
    expect(followed).toBe(0);
  });

  it("a URL the egress guard refuses is an outage that says why, and nothing is sent", async () => {
    let called = 0;
    const server = await serve((res) => {
      called++;
      res.end("{}");
    });
    // A server's guard: no host allowed, so the fake's loopback address is refused.
    const strict = {
      egress: createEgress({ allowedHosts: [], allowHint: "allow it" }),
      maxTimeoutMs: 2_000,
    };
    const answer = await callVendor({
      vendor: "V",
      method: "GET",
      url: server.replace("http:", "https:"),
      timeoutMs: 2_000,
      transport: strict,
    });
    expect(answer).toMatchObject({
      ok: false,
      failure: {
        error: { code: "VENDOR_UNAVAILABLE", rawCode: "EGRESS_REFUSED" },
        retryable: true,
      },
    });
    expect(!answer.ok && answer.failure.error.message).toMatch(
      /^V was not called: https:\/\/127\.0\.0\.1:\d+ is a loopback address/,
    );
    expect(called).toBe(0);
  });

  it("a server that never answers is a TIMEOUT after timeoutMs", async () => {
    const silent = await serve(() => {});
    const answer = await callVendor({
      vendor: "V",
      method: "GET",
      url: silent,
      timeoutMs: 100,
      transport,
    });
    expect(answer).toMatchObject({
      ok: false,
      failure: { error: { code: "TIMEOUT" }, retryable: true },
    });
  });
});
