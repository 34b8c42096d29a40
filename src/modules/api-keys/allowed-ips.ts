// A key's IP allowlist: addresses and CIDR ranges, IPv4 or IPv6, checked
// with node:net's BlockList (an IPv4-mapped IPv6 client matches its IPv4 rule).
import { BlockList, isIP } from "node:net";

/** The entries that are not an address or a CIDR range, with their index. */
export function invalidAllowedIps(entries: readonly string[]): { index: number; entry: string }[] {
  return entries
    .map((entry, index) => ({ index, entry }))
    .filter(({ entry }) => parseEntry(entry) === null);
}

function parseEntry(
  entry: string,
): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [address = "", bits, extra] = entry.trim().split("/");
  if (extra !== undefined) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (bits !== undefined && !/^\d+$/.test(bits))
  )
    return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

export function ipAllowed(ip: string, entries: readonly string[]): boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  return isIP(address) !== 0 && list.check(address, family);
}
