import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import helmet from "@fastify/helmet";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { consoleRoutes } from "./console.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The API's strict policy, as src/http/server.ts sets it, and the console beside it. */
async function serverWith(root: string) {
  const app = Fastify();
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"] } },
  });
  await app.register(consoleRoutes, { root });
  app.get("/v1/ping", async () => ({ ok: true }));
  return app;
}

function builtConsole(): string {
  const root = mkdtempSync(path.join(tmpdir(), "alimi-console-dist-"));
  dirs.push(root);
  mkdirSync(path.join(root, "assets"));
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>Alimi</title>");
  writeFileSync(path.join(root, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(path.join(root, "favicon.svg"), "<svg/>");
  return root;
}

describe("consoleRoutes", () => {
  it("serves index.html for /console and for every client route under it", async () => {
    const app = await serverWith(builtConsole());
    for (const url of ["/console", "/console/", "/console/campaigns/cmp_1", "/console/orgs"]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.body).toContain("<title>Alimi</title>");
      expect(res.headers["cache-control"]).toBe("no-cache");
    }
  });

  it("serves the built files, hashed assets as immutable, and 404 for a missing one", async () => {
    const app = await serverWith(builtConsole());
    const asset = await app.inject({ url: "/console/assets/index-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect((await app.inject({ url: "/console/favicon.svg" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/console/assets/gone.js" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/console/../package.json" })).statusCode).not.toBe(200);
  });

  it("gives the console's pages their own policy and leaves the API's alone", async () => {
    const app = await serverWith(builtConsole());
    const page = (await app.inject({ url: "/console/send" })).headers["content-security-policy"];
    expect(page).toContain("script-src 'self'");
    expect(page).toContain("style-src 'self'");
    expect(page).toContain("connect-src 'self'");
    expect(page).toContain("img-src 'self' data:");
    expect(page).not.toContain("unsafe-inline");
    const api = (await app.inject({ url: "/v1/ping" })).headers["content-security-policy"];
    expect(api).toBe("default-src 'none'");
  });

  it("answers 503 with the command to build it while web/dist is absent", async () => {
    const root = path.join(tmpdir(), "alimi-console-never-built");
    const app = await serverWith(root);
    const browser = await app.inject({ url: "/console/orgs", headers: { accept: "text/html" } });
    expect(browser.statusCode).toBe(503);
    expect(browser.headers["content-type"]).toMatch(/^text\/html/);
    expect(browser.body).toContain("npm run web:build");
    const client = await app.inject({ url: "/console" });
    expect(client.statusCode).toBe(503);
    expect(client.json().message).toContain("npm run web:build");
  });
});
