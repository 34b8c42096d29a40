// The shared vendor call: what a call that got no answer becomes, and how an
// answer is read, over real HTTP.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { testTransport as transport } from "../../test/support/vendor-calls.ts";
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
