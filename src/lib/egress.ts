// The egress guard: every server-side call to a URL that a tenant can set
// (vendor URL overrides now, customers' webhook endpoints later) goes through
// one of these. Its rules are in egress-rules.ts; this file enforces them
// where it matters, on the connection itself: the address a name resolves to
// is checked in the socket's own DNS lookup, at every connection, so a name
// that pointed somewhere public when it was saved (or a moment ago, DNS
// rebinding) cannot be made to reach a private one. Redirects are never
// followed: a 3xx is the answer.
//
// Node's fetch is undici, but Node does not expose undici's Agent, the only
// way to hook into fetch's connections; the `undici` package (the same major
// version Node 24 bundles) provides it, and fetch takes it as `dispatcher`.
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import { Agent, buildConnector } from "undici";
import {
  type AllowedHost,
  checkUrl,
  classifyAddress,
  type EgressRules,
  refusedName,
  type UrlCheck,
} from "./egress-rules.ts";

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name resolves to. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface EgressPolicy {
  /** Hosts that may be called whatever their address, over http or https. */
  allowedHosts: readonly AllowedHost[];
  /** How a refusal tells the operator to allow a host ("add it to ALIMI_…"). */
  allowHint: string;
  /** Whether http may be called too (to public addresses, as https); default: https only. */
  allowHttp?: boolean;
  /** How names are resolved (default: the system's resolver, as any connection would). */
  resolve?: Resolver;
}

/** A call refused by the guard: nothing was sent. */
export class EgressRefused extends Error {
  readonly code = "EGRESS_REFUSED";
  /** The refusal said of the URL, without naming it ("resolves to a private address…"). */
  readonly reason: string;
  constructor(message: string, reason = message) {
    super(message);
    this.name = "EgressRefused";
    this.reason = reason;
  }
}

export interface Egress {
  /**
   * Whether a URL may be called now: its scheme, its host against the
   * allow-list, and the addresses its name resolves to at this moment. A
   * name that does not resolve is not refused here (the call will fail).
   */
  check(url: string | URL): Promise<{ ok: true } | { ok: false; reason: string }>;
  /**
   * fetch, through the guard: refused URLs and connections reject with an
   * EgressRefused (or a fetch error caused by one), redirects are returned,
   * never followed.
   */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The guard for URLs that a tenant may have written. */
export function createEgress(policy: EgressPolicy): Egress {
  const rules: EgressRules = policy;
  const resolve = policy.resolve ?? systemResolver;

  /** The addresses of a name, refused as a whole if any one of them is not public. */
  async function publicAddresses(hostname: string): Promise<ResolvedAddress[]> {
    const addresses = await resolve(hostname);
    for (const a of addresses) {
      const kind = classifyAddress(a.address);
      if (kind)
        throw new EgressRefused(
          `${hostname} ${refusedName(kind, rules)}`,
          refusedName(kind, rules),
        );
    }
    return addresses;
  }

  // The socket's own lookup (net.connect calls it for names, never for IP
  // literals, which connect() below checks): the check and the connection
  // use the same answer.
  const lookupWith =
    (check: boolean): LookupFunction =>
    (hostname, options, callback) => {
      const found = check ? publicAddresses(hostname) : resolve(hostname);
      found.then(
        (addresses) => {
          const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
          const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
          if (usable.length === 0) {
            const err = Object.assign(new Error(`${hostname} has no address`), {
              code: "ENOTFOUND",
            });
            callback(err, "", 0);
          } else if (options.all) callback(null, usable);
          else callback(null, usable[0]!.address, usable[0]!.family);
        },
        (err: NodeJS.ErrnoException) => callback(err, "", 0),
      );
    };
  const guardedConnector = buildConnector({ lookup: lookupWith(true) });
  const allowedConnector = buildConnector({ lookup: lookupWith(false) });

  // Every connection is checked again, whatever was checked before it: the
  // same rules as checkUrl, on the host and port the connection is for.
  const agent = new Agent({
    connect(options, callback) {
      const host = bracketed(options.hostname);
      const port = options.port || (options.protocol === "https:" ? 443 : 80);
      const checked = checkUrl(`${options.protocol}//${host}:${port}/`, rules);
      if (!checked.ok) {
        queueMicrotask(() => callback(new EgressRefused(`${host} ${checked.reason}`), null));
        return null as never;
      }
      return (checked.allowed ? allowedConnector : guardedConnector)(options, callback);
    },
  });

  return {
    async check(url) {
      const checked = checkUrl(url, rules);
      if (!checked.ok) return checked;
      if (checked.allowed || isIP(checked.hostname.replace(/^\[|\]$/g, ""))) return { ok: true };
      try {
        await publicAddresses(checked.hostname);
      } catch (err) {
        if (err instanceof EgressRefused) return { ok: false, reason: err.reason };
      }
      return { ok: true };
    },
    async fetch(url, init) {
      refuseUnlessOk(checkUrl(url, rules), url);
      // undici's Agent is the dispatcher Node's fetch takes (its types come from a copy of undici).
      const dispatcher = agent as unknown as NonNullable<RequestInit["dispatcher"]>;
      return fetch(url, { ...init, redirect: "manual", dispatcher });
    },
    close: () => agent.close(),
  };
}

/**
 * For URLs this installation made itself (its own public URL, where it serves
 * the sandbox vendor), never for anything a tenant wrote: any http(s) URL,
 * still without following redirects.
 */
export const ownEgress: Egress = {
  async check(url) {
    const parsed = URL.parse(String(url));
    return parsed && (parsed.protocol === "https:" || parsed.protocol === "http:")
      ? { ok: true }
      : { ok: false, reason: "is not an http(s) URL" };
  },
  async fetch(url, init) {
    const verdict = await ownEgress.check(url);
    if (!verdict.ok) throw new EgressRefused(`${describe(url)} ${verdict.reason}`, verdict.reason);
    return fetch(url, { ...init, redirect: "manual" });
  },
  close: async () => {},
};

function refuseUnlessOk(checked: UrlCheck, url: string | URL): void {
  if (!checked.ok) throw new EgressRefused(`${describe(url)} ${checked.reason}`, checked.reason);
}

/** A URL named in a refusal: its origin only (a path may carry a token). */
function describe(url: string | URL): string {
  const parsed = URL.parse(String(url));
  return parsed && parsed.origin !== "null" ? parsed.origin : "the URL";
}

const bracketed = (hostname: string) =>
  isIP(hostname) === 6 && !hostname.startsWith("[") ? `[${hostname}]` : hostname;

/** The guard's refusal behind a failed call, if that is why it failed. */
export function egressRefusalOf(err: unknown): EgressRefused | null {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    if (e instanceof EgressRefused) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}
