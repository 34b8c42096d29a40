// The rules of the egress guard (egress.ts), pure: which addresses are
// public, which hosts the operator allows, and whether a URL may be called at
// all before anything is resolved. A server-side call to a URL that a tenant
// supplied must go to a public address over https, unless the operator named
// its host; everything else — loopback, private networks, link-local (the
// cloud metadata service at 169.254.169.254), unique-local, multicast,
// reserved space, and the IPv6 forms that embed such an IPv4 address — is
// refused.
import { isIP } from "node:net";

/** One entry of an allow-list: a host name or an IP address, and a port or any port. */
export interface AllowedHost {
  /** As URL.hostname writes it: lower case, IPv6 in brackets, no trailing dot. */
  hostname: string;
  /** Null: any port. */
  port: number | null;
}

export interface EgressRules {
  /** Hosts that may be called whatever their address, over http or https. */
  allowedHosts: readonly AllowedHost[];
  /** How a refusal tells the operator to allow a host ("add it to ALIMI_…"). */
  allowHint: string;
  /** Whether http may be called too (to public addresses, as https); default: https only. */
  allowHttp?: boolean;
}

/** Why an address is not public, or null when it is. */
export type AddressClass =
  | "loopback"
  | "private"
  | "shared (CGNAT)"
  | "link-local"
  | "unique-local"
  | "multicast"
  | "unspecified"
  | "reserved";

type Range = readonly [bytes: readonly number[], bits: number, kind: AddressClass];

// The IANA special-purpose registries, folded into the kinds a message names.
const IPV4_RANGES: readonly Range[] = [
  [[0, 0, 0, 0], 8, "unspecified"],
  [[10, 0, 0, 0], 8, "private"],
  [[100, 64, 0, 0], 10, "shared (CGNAT)"],
  [[127, 0, 0, 0], 8, "loopback"],
  [[169, 254, 0, 0], 16, "link-local"],
  [[172, 16, 0, 0], 12, "private"],
  [[192, 0, 0, 0], 24, "reserved"],
  [[192, 0, 2, 0], 24, "reserved"],
  [[192, 88, 99, 0], 24, "reserved"],
  [[192, 168, 0, 0], 16, "private"],
  [[198, 18, 0, 0], 15, "reserved"],
  [[198, 51, 100, 0], 24, "reserved"],
  [[203, 0, 113, 0], 24, "reserved"],
  [[224, 0, 0, 0], 4, "multicast"],
  [[240, 0, 0, 0], 4, "reserved"],
];

const v6 = (...groups: number[]): number[] => {
  const bytes = new Array<number>(16).fill(0);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
};

// Checked after the forms that embed an IPv4 address; anything outside
// global unicast (2000::/3) is not public either.
const IPV6_RANGES: readonly Range[] = [
  [v6(0, 0, 0, 0, 0, 0, 0, 0), 128, "unspecified"],
  [v6(0, 0, 0, 0, 0, 0, 0, 1), 128, "loopback"],
  [v6(0x64, 0xff9b, 1), 48, "private"],
  [v6(0x100), 64, "reserved"],
  [v6(0x2001), 23, "reserved"],
  [v6(0x2001, 0xdb8), 32, "reserved"],
  [v6(0xfc00), 7, "unique-local"],
  [v6(0xfe80), 10, "link-local"],
  [v6(0xfec0), 10, "private"],
  [v6(0xff00), 8, "multicast"],
];

function inRange(bytes: readonly number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Why an IP address (v4 or v6, as text) is not public, or null when it is.
 * Text that is not an IP address is "reserved": never called.
 */
export function classifyAddress(address: string): AddressClass | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return classifyV4(bare.split(".").map(Number));
  if (family === 6) {
    const bytes = ipv6Bytes(bare);
    return bytes ? classifyV6(bytes) : "reserved";
  }
  return "reserved";
}

function classifyV4(bytes: readonly number[]): AddressClass | null {
  return IPV4_RANGES.find((r) => inRange(bytes, r))?.[2] ?? null;
}

function classifyV6(bytes: readonly number[]): AddressClass | null {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  // IPv4-mapped (::ffff:a.b.c.d): connects to that IPv4 address.
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return classifyV4(bytes.slice(12));
  // NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::) reach the IPv4 address they carry.
  if (inRange(bytes, [v6(0x64, 0xff9b), 96, "reserved"])) return classifyV4(bytes.slice(12));
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return classifyV4(bytes.slice(2, 6));
  // IPv4-compatible (::a.b.c.d, deprecated) and the rest of ::/8 but :: and ::1.
  const listed = IPV6_RANGES.find((r) => inRange(bytes, r))?.[2];
  if (listed) return listed;
  return ((bytes[0] ?? 0) & 0xe0) === 0x20 ? null : "reserved";
}

/** The 16 bytes of an IPv6 address (with `::` and a trailing dotted quad), or null. */
export function ipv6Bytes(text: string): number[] | null {
  const zone = text.indexOf("%");
  let rest = zone >= 0 ? text.slice(0, zone) : text;
  let tail: number[] = [];
  const lastColon = rest.lastIndexOf(":");
  if (rest.slice(lastColon + 1).includes(".")) {
    const quad = rest.slice(lastColon + 1);
    if (isIP(quad) !== 4) return null;
    tail = quad.split(".").map(Number);
    rest = `${rest.slice(0, lastColon + 1)}0:0`;
  }
  const halves = rest.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0] ?? "");
  const back = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const missing = 8 - head.length - back.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...back];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const n = Number.parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * Reads an allow-list: entries separated by commas, each a host name or an
 * IP address, optionally with a port (`host:8443`, `[::1]:8080`). Returns
 * the entries, or the first one that is not a host.
 */
export function parseAllowedHosts(
  text: string,
): { ok: true; hosts: AllowedHost[] } | { ok: false; entry: string } {
  const hosts: AllowedHost[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const parsed = parseEntry(entry);
    if (!parsed) return { ok: false, entry };
    hosts.push(parsed);
  }
  return { ok: true, hosts };
}

function parseEntry(entry: string): AllowedHost | null {
  let host = entry;
  let port: string | null = null;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    host = `[${bracketed[1]}]`;
    port = bracketed[2] ?? null;
  } else if (isIP(entry) === 6) {
    host = `[${entry}]`;
  } else {
    const withPort = /^([^:]+):(\d+)$/.exec(entry);
    if (withPort) {
      host = withPort[1]!;
      port = withPort[2]!;
    }
  }
  const url = URL.parse(`http://${host}/`);
  if (url === null || url.username !== "" || url.port !== "" || url.pathname !== "/") return null;
  const number = port === null ? null : Number(port);
  if (number !== null && (number < 1 || number > 65535)) return null;
  return { hostname: normalizeHostname(url.hostname), port: number };
}

const normalizeHostname = (hostname: string) => hostname.toLowerCase().replace(/\.$/, "");

const defaultPort = (protocol: string) => (protocol === "https:" ? 443 : 80);

/** Whether the operator allows this host (and port), as the URL writes it. */
export function isAllowedHost(
  rules: Pick<EgressRules, "allowedHosts">,
  target: { hostname: string; port: number },
): boolean {
  const hostname = normalizeHostname(target.hostname);
  return rules.allowedHosts.some(
    (h) => h.hostname === hostname && (h.port === null || h.port === target.port),
  );
}

export type UrlCheck =
  | { ok: true; url: URL; hostname: string; port: number; allowed: boolean }
  /** `reason` is said of the URL: "uses http, and only https…". */
  | { ok: false; reason: string };

/**
 * What can be said of a URL before any name is resolved: an http(s) URL,
 * https unless its host is allowed, and an IP address written in it must be
 * public unless allowed. A host name that passes must still resolve to
 * public addresses only, at every connection.
 */
export function checkUrl(text: string | URL, rules: EgressRules): UrlCheck {
  const url = URL.parse(String(text));
  if (url === null) return { ok: false, reason: "is not a URL" };
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return {
      ok: false,
      reason: `uses ${url.protocol}, and only https may be called (or http, to an allowed host: ${rules.allowHint})`,
    };
  }
  const hostname = normalizeHostname(url.hostname);
  const port = url.port === "" ? defaultPort(url.protocol) : Number(url.port);
  if (isAllowedHost(rules, { hostname, port })) {
    return { ok: true, url, hostname, port, allowed: true };
  }
  if (url.protocol !== "https:" && !rules.allowHttp) {
    return {
      ok: false,
      reason: `uses http, and only https may be called unless its host is allowed (${rules.allowHint})`,
    };
  }
  const kind = isIP(hostname.replace(/^\[|\]$/g, "")) ? classifyAddress(hostname) : null;
  if (kind) return { ok: false, reason: refusedAddress(kind, rules) };
  return { ok: true, url, hostname, port, allowed: false };
}

/** Why an IP address that is not public is refused (said of the URL or host). */
export function refusedAddress(kind: AddressClass, rules: EgressRules): string {
  return `is ${anAddress(kind)}, which may not be called unless its host is allowed (${rules.allowHint})`;
}

/** Why a host name that resolves to an address that is not public is refused. */
export function refusedName(kind: AddressClass, rules: EgressRules): string {
  return `resolves to ${anAddress(kind)}, which may not be called unless its host is allowed (${rules.allowHint})`;
}

const anAddress = (kind: AddressClass) => `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} address`;
