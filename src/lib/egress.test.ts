// The egress guard over real HTTP, on loopback only: the resolver is the
// test's, so a name can be made to resolve to 127.0.0.1 (as a hostile DNS
// answer would point at an internal address) without any other network.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createEgress, type Egress, egressRefusalOf, ownEgress, type Resolver } from "./egress.ts";
import { parseAllowedHosts } from "./egress-rules.ts";

/** A server that answers 200 "hello" (or what `handle` says) and counts what it got. */
async function startServer(handle?: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    if (handle) handle(req, res);
    else res.end("hello");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port, received };
}

const hosts = (text: string) => {
  const parsed = parseAllowedHosts(text);
  if (!parsed.ok) throw new Error(parsed.entry);
  return parsed.hosts;
};

/** Names the test's resolver knows; anything else does not resolve. */
function resolverOf(names: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    return (names[hostname] ?? []).map((address) => ({
      address,
      family: address.includes(":") ? 6 : 4,
    }));
  };
  return Object.assign(resolve, { asked });
}

async function refusal(egress: Egress, url: string): Promise<string> {
  try {
    const res = await egress.fetch(url);
    return `answered ${res.status}`;
  } catch (err) {
    return egressRefusalOf(err)?.message ?? `failed otherwise: ${(err as Error).message}`;
  }
}

describe("the egress guard", async () => {
  const target = await startServer();
  const egressWith = (allowed: string, resolve: Resolver) =>
    createEgress({ allowedHosts: hosts(allowed), allowHint: "add it to ALLOWED", resolve });

  it("refuses at the connection a name that resolves to a loopback address, sending nothing", async () => {
    const resolve = resolverOf({ "vendor.test": ["127.0.0.1"] });
    const egress = egressWith("", resolve);
    expect(await refusal(egress, `https://vendor.test:${target.port}/send`)).toBe(
      "vendor.test resolves to a loopback address, which may not be called unless its host is allowed (add it to ALLOWED)",
    );
    // The name was resolved for the connection itself.
    expect(resolve.asked).toEqual(["vendor.test"]);
    expect(target.received).toEqual([]);
  });

  it("refuses a name if any of its addresses is not public", async () => {
    const egress = egressWith(
      "",
      resolverOf({ "mixed.test": ["2606:4700:4700::1111", "::ffff:10.0.0.7"] }),
    );
    expect(await egress.check("https://mixed.test/")).toEqual({
      ok: false,
      reason:
        "resolves to a private address, which may not be called unless its host is allowed (add it to ALLOWED)",
    });
  });

  it("refuses literal addresses and other schemes before any connection", async () => {
    const egress = egressWith("", resolverOf({}));
    expect(await refusal(egress, `https://127.0.0.1:${target.port}/`)).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+ is a loopback address/,
    );
    expect(await refusal(egress, `http://127.0.0.1:${target.port}/`)).toMatch(/uses http/);
    expect(await refusal(egress, "file:///etc/passwd")).toBe(
      "the URL uses file:, and only https may be called (or http, to an allowed host: add it to ALLOWED)",
    );
    expect(target.received).toEqual([]);
  });

  it("lets an allowed host through over http, and its name to any address", async () => {
    const egress = egressWith(
      `127.0.0.1:${target.port},staging.test`,
      resolverOf({ "staging.test": ["127.0.0.1"] }),
    );
    const direct = await egress.fetch(`http://127.0.0.1:${target.port}/a`);
    expect([direct.status, await direct.text()]).toEqual([200, "hello"]);
    const named = await egress.fetch(`http://staging.test:${target.port}/b`);
    expect(named.status).toBe(200);
    await named.text();
    expect(target.received).toEqual(["GET /a", "GET /b"]);
    expect(await egress.check(`http://127.0.0.1:${target.port}/`)).toEqual({ ok: true });
    await egress.close();
  });

  it("checks the name at every connection: one that was public at save is refused now", async () => {
    // DNS rebinding: a public answer when checked, a loopback one when connecting.
    const internal = await startServer();
    let answers = 0;
    const resolve: Resolver = async () => [
      answers++ === 0
        ? { address: "2606:4700:4700::1111", family: 6 }
        : { address: "127.0.0.1", family: 4 },
    ];
    const egress = createEgress({ allowedHosts: [], allowHint: "add it", resolve });
    expect(await egress.check(`https://rebind.test:${internal.port}/`)).toEqual({ ok: true });
    expect(await refusal(egress, `https://rebind.test:${internal.port}/`)).toMatch(
      /^rebind\.test resolves to a loopback address/,
    );
    expect(internal.received).toEqual([]);
  });

  it("never follows a redirect: the 3xx is the answer, its target is not called", async () => {
    const elsewhere = await startServer();
    const redirecting = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://localhost:${elsewhere.port}/internal` }).end();
    });
    // Both egresses: the guard, with only the redirecting host allowed, and the server's own.
    const guarded = egressWith(`127.0.0.1:${redirecting.port}`, resolverOf({}));
    for (const egress of [guarded, ownEgress]) {
      const res = await egress.fetch(`http://127.0.0.1:${redirecting.port}/start`);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe(`http://localhost:${elsewhere.port}/internal`);
    }
    // Nor when the caller asks to follow.
    const asked = await guarded.fetch(`http://127.0.0.1:${redirecting.port}/start`, {
      redirect: "follow",
    });
    expect(asked.status).toBe(302);
    expect(elsewhere.received).toEqual([]);
    expect(redirecting.received).toHaveLength(3);
  });

  it("does not refuse a name that does not resolve: the call fails as unreachable", async () => {
    const egress = egressWith("", resolverOf({}));
    expect(await egress.check("https://nowhere.test/")).toEqual({ ok: true });
    expect(await refusal(egress, "https://nowhere.test/")).toMatch(/^failed otherwise/);
  });
});
