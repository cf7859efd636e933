/**
 * IP ranges as integers, for the ClusterIP allocator: a service CIDR's usable addresses, kube's
 * static/dynamic split (KEP-3070) and canonical names (the IPAddress object's name).
 */
import { randomBytes } from "node:crypto";
import { formatIP, formatIPValue, type IPValue, ipValue } from "../../../util/ip.ts";
import { type IPFamily, maskedIP, parseCIDRSloppy, parseIPSloppy } from "../../machinery/validation/net.ts";

export { formatIPValue, type IPValue };

/** Parse an IP (kube's sloppy parser: IPv4-mapped IPv6 counts as IPv4). */
export function parseIP(s: string): IPValue | undefined {
  const ip = parseIPSloppy(s);
  return ip ? ipValue(ip) : undefined;
}

/** The canonical spelling of an IP string, or the string itself when it is not an IP. */
export function canonicalIP(s: string): string {
  const ip = parseIP(s);
  return ip ? formatIPValue(ip) : s;
}

export interface IPRange {
  /** The CIDR in canonical form, e.g. 10.96.0.0/12. */
  cidr: string;
  family: IPFamily;
  /** Network address. */
  base: bigint;
  /** Addresses in the CIDR (2^host bits). */
  size: bigint;
  /** First and last allocatable addresses (no network address; no broadcast for IPv4). */
  first: bigint;
  last: bigint;
  /** Addresses below first + offset are kept for static (pinned) allocation first. */
  offset: bigint;
}

/** kube's calculateRangeOffset for service CIDRs: min(max(16, size/16), 256); 0 for tiny ranges. */
export function rangeOffset(size: bigint): bigint {
  if (size <= 16n) return 0n;
  const o = size / 16n;
  if (o < 16n) return 16n;
  if (o > 256n) return 256n;
  return o;
}

/** A service CIDR as an allocation range; throws on a malformed CIDR. */
export function parseRange(cidr: string): IPRange {
  const c = parseCIDRSloppy(cidr);
  if (!c) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}`);
  const net = maskedIP(c);
  const family: IPFamily = c.ip.v4 ? "IPv4" : "IPv6";
  const width = family === "IPv4" ? 32 : 128;
  const prefix = c.bits === 128 && family === "IPv4" ? c.prefix - 96 : c.prefix;
  const base = ipValue({ bytes: net.bytes, v4: family === "IPv4" }).value;
  const size = 1n << BigInt(width - prefix);
  const first = base + 1n;
  const last = family === "IPv4" ? base + size - 2n : base + size - 1n;
  return {
    cidr: `${formatIP(net)}/${prefix}`,
    family,
    base,
    size,
    first,
    last,
    offset: rangeOffset(size),
  };
}

export function rangeContains(r: IPRange, ip: IPValue): boolean {
  return ip.family === r.family && ip.value >= r.base && ip.value < r.base + r.size;
}

/** The address at index i of a CIDR (kube's GetIndexedIP): 1 → 10.96.0.1, 10 → 10.96.0.10. */
export function indexedIP(cidr: string, i: number): string {
  const r = parseRange(cidr);
  return formatIPValue({ family: r.family, value: r.base + BigInt(i) });
}

/** A uniformly random integer in [0, n). */
export function randomBelow(n: bigint): bigint {
  if (n <= 1n) return 0n;
  const bytes = Math.ceil(n.toString(16).length / 2) + 8;
  return BigInt(`0x${randomBytes(bytes).toString("hex")}`) % n;
}
