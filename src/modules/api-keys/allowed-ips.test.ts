import { describe, expect, it } from "vitest";
import { invalidAllowedIps, ipAllowed } from "./allowed-ips.ts";

describe("API key IP allowlists", () => {
  it("match addresses and ranges, IPv4 clients seen as IPv4-mapped IPv6 too", () => {
    const list = ["203.0.113.0/24", "198.51.100.7", "2001:db8::/32"];
    expect(ipAllowed("203.0.113.9", list)).toBe(true);
    expect(ipAllowed("::ffff:203.0.113.9", list)).toBe(true);
    expect(ipAllowed("198.51.100.7", list)).toBe(true);
    expect(ipAllowed("198.51.100.8", list)).toBe(false);
    expect(ipAllowed("2001:db8:1::5", list)).toBe(true);
    expect(ipAllowed("2001:db9::1", list)).toBe(false);
    expect(ipAllowed("not an ip", list)).toBe(false);
  });

  it("name the entries that are not addresses or ranges", () => {
    expect(
      invalidAllowedIps(["10.0.0.0/8", "10.0.0.0/33", "example.com", "::1/129", "1.2.3.4/x"]),
    ).toEqual([
      { index: 1, entry: "10.0.0.0/33" },
      { index: 2, entry: "example.com" },
      { index: 3, entry: "::1/129" },
      { index: 4, entry: "1.2.3.4/x" },
    ]);
  });
});
