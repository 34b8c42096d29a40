// The one HTTP server under every vendor fake and recording server in the
// tests: a real node:http server on a free port of 127.0.0.1 that records
// every request one way (method, path, query, headers, raw body, parsed
// body), can be told to fail the next requests, and hands the rest to the
// fake's handler.
//
// It also answers requests sent in proxy form (an absolute URI as the
// request target, as a client configured with an HTTP proxy sends them), so
// a vendor SDK whose host is fixed can be pointed at it by its proxy option:
// the request still travels over a real socket to this server.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedFile {
  name: string;
  type: string;
  data: Buffer;
}

export interface RecordedRequest {
  method: string;
  /** The path without the query; for a proxy-form request, the target URL's path. */
  path: string;
  query: URLSearchParams;
  /** The host the client meant (the Host header, or the proxy-form target's host). */
  host: string;
  headers: IncomingHttpHeaders;
  contentType: string;
  rawBody: Buffer;
  /**
   * The body parsed by its content type: JSON (undefined when it is not
   * JSON), a form's fields (urlencoded or multipart), or null when empty.
   */
  body: unknown;
  /** A form body's fields (urlencoded or multipart); empty for any other body. */
  form: Record<string, string>;
  /** A multipart body's file parts by field name; empty otherwise. */
  files: Record<string, RecordedFile>;
  /** The status answered; 0 while (or when never) answered. */
  status: number;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * `5xx`: HTTP 503 without reaching the handler; `timeout`: never answered;
 * `garbage`: a 200 that is not JSON; `lose-answer`: the handler does its work
 * and the answer is never sent.
 */
export type InjectedFailure = "5xx" | "timeout" | "garbage" | "lose-answer";

export interface FakeHarness<R extends RecordedRequest = RecordedRequest> {
  url: string;
  requests: R[];
  /** The requests to a path (or all), in order. */
  received(path?: string): R[];
  failNext(count: number, failure: InjectedFailure): void;
  close(): Promise<void>;
}

/** A handler's answer meaning "never answer" (a timeout, or an answer lost after the work). */
export const HOLD = Symbol("hold");

export type FakeHandler<R extends RecordedRequest = RecordedRequest> = (
  request: R,
) => FakeAnswer | typeof HOLD | Promise<FakeAnswer | typeof HOLD>;

export async function startFakeHarness<R extends RecordedRequest = RecordedRequest>(
  handler: FakeHandler<R>,
  /** Adds a fake's own views of a request (its auth check, its byte count) to the record. */
  extend: (request: RecordedRequest) => R = (request) => request as R,
): Promise<FakeHarness<R>> {
  const requests: R[] = [];
  const failures: InjectedFailure[] = [];
  const held = new Set<ServerResponse>();
  const hold = (res: ServerResponse) => {
    held.add(res);
    res.on("close", () => held.delete(res));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      try {
        const target = new URL(req.url ?? "/", `http://${req.headers.host ?? "fake.invalid"}`);
        const rawBody = Buffer.concat(chunks);
        const contentType = String(req.headers["content-type"] ?? "");
        const { body, files } = await parseBody(rawBody, contentType);
        const isForm = /^(multipart\/form-data|application\/x-www-form-urlencoded)/.test(
          contentType,
        );
        const recorded = extend({
          method: req.method ?? "GET",
          path: target.pathname,
          query: target.searchParams,
          host: target.host,
          headers: req.headers,
          contentType,
          rawBody,
          body,
          form: isForm && body !== null ? (body as Record<string, string>) : {},
          files,
          status: 0,
        });
        requests.push(recorded);
        const failure = failures.shift();
        if (failure === "timeout") return hold(res);
        if (failure === "5xx")
          return answer(res, recorded, { status: 503, body: "Service Unavailable" });
        if (failure === "garbage") {
          recorded.status = 200;
          return res.writeHead(200, { "content-type": "text/html" }).end("<html>점검중</html>");
        }
        const answered = await handler(recorded);
        if (failure === "lose-answer" || answered === HOLD) return hold(res);
        answer(res, recorded, answered);
      } catch (err) {
        answer(res, null, { status: 500, body: `fake server error: ${String(err)}` });
      }
    });
  });
  server.on("connection", (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    received: (path) =>
      path === undefined ? [...requests] : requests.filter((r) => r.path === path),
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, recorded: RecordedRequest | null, answered: FakeAnswer): void {
  if (recorded !== null) recorded.status = answered.status;
  const text = typeof answered.body === "string" ? answered.body : JSON.stringify(answered.body);
  const type = typeof answered.body === "string" ? "text/plain" : "application/json;charset=UTF-8";
  res.writeHead(answered.status, { "content-type": type, ...answered.headers }).end(text);
}

async function parseBody(
  raw: Buffer,
  contentType: string,
): Promise<{ body: unknown; files: Record<string, RecordedFile> }> {
  if (raw.length === 0) return { body: null, files: {} };
  if (contentType.startsWith("multipart/form-data")) {
    const parsed = await new Response(raw, { headers: { "content-type": contentType } }).formData();
    const fields: Record<string, string> = {};
    const files: Record<string, RecordedFile> = {};
    for (const [key, value] of parsed) {
      if (typeof value === "string") fields[key] = value;
      else {
        files[key] = {
          name: value.name,
          type: value.type,
          data: Buffer.from(await value.arrayBuffer()),
        };
      }
    }
    return { body: fields, files };
  }
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    return { body: Object.fromEntries(new URLSearchParams(raw.toString("utf8"))), files: {} };
  }
  try {
    return { body: JSON.parse(raw.toString("utf8")), files: {} };
  } catch {
    return { body: undefined, files: {} };
  }
}
