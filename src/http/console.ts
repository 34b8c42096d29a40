// The console: the React app of web/, built into web/dist (`npm install`
// builds it; `npm run web:build` again), served at /console. Paths with a
// file extension are its files; any other path under /console is one of its
// screens and gets index.html. Its pages carry their own Content-Security-
// Policy (its own scripts, styles and API calls only), leaving the API's.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../lib/errors.ts";
import type { App } from "./types.ts";

export const CONSOLE_DIST = fileURLToPath(new URL("../../web/dist/", import.meta.url));

export const CONSOLE_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    manifestSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

const BUILD_COMMAND = "npm run web:build";
const FILE = /\.[a-z0-9]+$/i;
/** Vite names what it builds by content hash: those files never change. */
const HASHED = /^assets\//;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alimi console not built</title></head>
<body><h1>The Alimi console is not built</h1>
<p>Build it with <code>${BUILD_COMMAND}</code> (<code>npm install</code> builds it too), then reload this page.</p>
<p>The API is running: see <a href="/docs">/docs</a>.</p></body></html>
`;

export interface ConsoleOptions {
  /** Where the built console is (default: web/dist of this checkout). */
  root?: string;
}

export async function consoleRoutes(app: App, options: ConsoleOptions) {
  const root = options.root ?? CONSOLE_DIST;
  await app.register(fastifyStatic, { root, serve: false, suppressWarning: true });
  const route = { schema: { hide: true }, helmet: { contentSecurityPolicy: CONSOLE_CSP } };

  const page = (request: FastifyRequest, reply: FastifyReply) => {
    if (!existsSync(path.join(root, "index.html"))) return notBuilt(request, reply);
    return reply
      .header("cache-control", "no-cache")
      .sendFile("index.html", { cacheControl: false });
  };

  app.get("/console", route, page);
  app.get<{ Params: { "*": string } }>("/console/*", route, (request, reply) => {
    const file = request.params["*"];
    if (!FILE.test(file)) return page(request, reply);
    if (!existsSync(path.join(root, "index.html"))) return notBuilt(request, reply);
    return HASHED.test(file)
      ? reply.sendFile(file, { maxAge: "365d", immutable: true })
      : reply.sendFile(file, { maxAge: 0 });
  });
}

/** 503 until web/dist exists: a page for a browser, the error envelope for anything else. */
function notBuilt(request: FastifyRequest, reply: FastifyReply) {
  if (request.headers.accept?.includes("text/html")) {
    return reply.status(503).type("text/html; charset=utf-8").send(NOT_BUILT_PAGE);
  }
  throw new AppError("UNAVAILABLE", `the console is not built: run \`${BUILD_COMMAND}\``, {
    retryable: false,
  });
}
