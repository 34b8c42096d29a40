// The request as the log sees it: method, a URL without its secrets, where it
// came from. A vendor that cannot sign its reports is given a webhook URL
// ending in a secret token (SOLAPI), and a careless client may put a key in
// the query string: neither may be written to a log.
import type { FastifyRequest } from "fastify";
import { SECRET_NAME } from "../lib/log-redaction.ts";

const CENSOR = "[redacted]";

/**
 * The URL with the values of secret path parameters (a route's `:token`) and
 * secret query parameters (`?token=`, `?api_key=`, `?signature=`…) replaced.
 * A webhook path that matched no route keeps only its first segments, since
 * what follows may be a token sent to the wrong place.
 */
export function loggableUrl(request: FastifyRequest): string {
  const url = request.url;
  const mark = url.indexOf("?");
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? "" : url.slice(mark + 1);
  return cleanPath(request, path) + cleanQuery(query);
}

function cleanPath(request: FastifyRequest, path: string): string {
  const matched = request.routeOptions?.url !== undefined && request.is404 !== true;
  if (!matched) {
    if (!path.startsWith("/webhooks/")) return path;
    const segments = path.split("/");
    return segments.length > 4 ? [...segments.slice(0, 4), CENSOR].join("/") : path;
  }
  const params = (request.params ?? {}) as Record<string, unknown>;
  const secrets = Object.entries(params)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === "string" && value !== "")
    .map(([, value]) => value as string);
  if (secrets.length === 0) return path;
  return path
    .split("/")
    .map((segment) => (secrets.includes(decode(segment)) ? CENSOR : segment))
    .join("/");
}

function cleanQuery(query: string): string {
  if (query === "") return "";
  const parts = query.split("&").map((part) => {
    const eq = part.indexOf("=");
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    return eq !== -1 && SECRET_NAME.test(name) ? `${part.slice(0, eq)}=${CENSOR}` : part;
  });
  return `?${parts.join("&")}`;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Fastify's request serializer, with the URL cleaned. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggableUrl(request),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
