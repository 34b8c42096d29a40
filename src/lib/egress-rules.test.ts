// The egress guard's rules, pure: which addresses are public, the operator's
// allow-list, and what a URL must be before anything is resolved.
import { describe, expect, it } from "vitest";
import {
  checkUrl,
  classifyAddress,
  type EgressRules,
  ipv6Bytes,
  parseAllowedHosts,
} from "./egress-rules.ts";

const hosts = (text: string) => {
  const parsed = parseAllowedHosts(text);
  if (!parsed.ok) throw new Error(parsed.entry);
  return parsed.hosts;
};
const rules = (allowed = ""): EgressRules => ({
  allowedHosts: hosts(allowed),
  allowHint: "allow it in ALLOWED",
});

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared (CGNAT)"],
    ["100.127.255.255", "shared (CGNAT)"],
    ["169.254.169.254", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["febf::1", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    // IPv4 carried in IPv6 connects to the IPv4 address.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:10.1.2.3", "private"],
    ["64:ff9b::10.0.0.1", "private"],
    ["2002:a00:1::", "private"],
    ["::10.0.0.1", "reserved"],
    ["fe80::1%eth0", "link-local"],
    ["[::1]", "loopback"],
    ["not an address", "reserved"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "172.15.255.255",
    "172.32.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "169.253.1.1",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2a00:1450:4001::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])("%s is public", (address) => {
    expect(classifyAddress(address)).toBeNull();
  });
});

describe("ipv6Bytes", () => {
  it("reads the compressed and dotted forms", () => {
    expect(ipv6Bytes("::1")).toEqual([...new Array(15).fill(0), 1]);
    expect(ipv6Bytes("::ffff:1.2.3.4")?.slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(ipv6Bytes("2001:db8::ff00:42:8329")).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29,
    ]);
  });

  it("refuses what is not IPv6", () => {
    for (const text of ["1::2::3", "1:2:3", "12345::", "::g", "1:2:3:4:5:6:7:8:9"]) {
      expect(ipv6Bytes(text)).toBeNull();
    }
  });
});

describe("parseAllowedHosts", () => {
  it("reads names and addresses, each with a port or for any port", () => {
    expect(
      parseAllowedHosts(" staging.vendor.example , 127.0.0.1:8080,[::1]:9000, ::1,LOCALHOST."),
    ).toEqual({
      ok: true,
      hosts: [
        { hostname: "staging.vendor.example", port: null },
        { hostname: "127.0.0.1", port: 8080 },
        { hostname: "[::1]", port: 9000 },
        { hostname: "[::1]", port: null },
        { hostname: "localhost", port: null },
      ],
    });
    expect(parseAllowedHosts("")).toEqual({ ok: true, hosts: [] });
  });

  it("names the first entry that is not a host", () => {
    expect(parseAllowedHosts("a.example, http://b.example")).toEqual({
      ok: false,
      entry: "http://b.example",
    });
    expect(parseAllowedHosts("a.example:99999")).toEqual({ ok: false, entry: "a.example:99999" });
    expect(parseAllowedHosts("a.example/path")).toEqual({ ok: false, entry: "a.example/path" });
    expect(parseAllowedHosts("user@a.example")).toEqual({ ok: false, entry: "user@a.example" });
  });
});

describe("checkUrl", () => {
  it("lets https to a name or a public address through, to be checked again on connecting", () => {
    expect(checkUrl("https://api.solapi.com/messages", rules())).toMatchObject({
      ok: true,
      hostname: "api.solapi.com",
      port: 443,
      allowed: false,
    });
    expect(checkUrl("https://8.8.8.8:8443/", rules())).toMatchObject({ ok: true, port: 8443 });
  });

  it.each([
    ["http://api.solapi.com/", /^uses http, and only https may be called .*ALLOWED/],
    ["http://169.254.169.254/latest/meta-data/", /^uses http/],
    ["https://169.254.169.254/latest/meta-data/", /^is a link-local address, .*ALLOWED/],
    ["https://10.0.0.1/", /^is a private address/],
    ["https://127.0.0.1:3000/", /^is a loopback address/],
    ["https://[::1]/", /^is a loopback address/],
    ["https://[::ffff:a9fe:a9fe]/", /^is a link-local address/],
    // WHATWG URLs read these as 127.0.0.1.
    ["https://2130706433/", /^is a loopback address/],
    ["https://0x7f.1/", /^is a loopback address/],
    ["https://0.0.0.0/", /^is an unspecified address/],
    ["file:///etc/passwd", /^uses file:, and only https may be called/],
    ["gopher://127.0.0.1:6379/", /^uses gopher:/],
    ["data:text/plain,hi", /^uses data:/],
    ["not a url", /^is not a URL$/],
  ])("refuses %s", (url, reason) => {
    const checked = checkUrl(url, rules());
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toMatch(reason);
  });

  it("lets an allowed host through over http, whatever its address, on its port", () => {
    const allowed = rules("127.0.0.1:4010,localhost,[::1]");
    expect(checkUrl("http://127.0.0.1:4010/x", allowed)).toMatchObject({ ok: true, allowed: true });
    expect(checkUrl("http://LOCALHOST.:1234/", allowed)).toMatchObject({ ok: true, allowed: true });
    expect(checkUrl("http://[::1]:80/", allowed)).toMatchObject({ ok: true, allowed: true });
    // Another port of an allowed address is not allowed.
    expect(checkUrl("http://127.0.0.1:4011/", allowed).ok).toBe(false);
    expect(checkUrl("https://127.0.0.1:4011/", allowed).ok).toBe(false);
    // The list names hosts as written, not addresses: a name is not its address.
    expect(checkUrl("http://127.0.0.1.nip.example:4010/", allowed).ok).toBe(false);
  });

  it("lets http through when allowed, still only to public addresses", () => {
    const http = { ...rules(), allowHttp: true };
    expect(checkUrl("http://hooks.example/x", http)).toMatchObject({ ok: true, allowed: false });
    expect(checkUrl("http://8.8.8.8/x", http).ok).toBe(true);
    expect(checkUrl("http://127.0.0.1/x", http).ok).toBe(false);
    expect(checkUrl("http://10.0.0.1/x", http).ok).toBe(false);
    expect(checkUrl("http://hooks.example/x", rules()).ok).toBe(false);
  });
});
