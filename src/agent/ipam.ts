/**
 * Pod IP allocation from a node's pod CIDR, as the host-local IPAM plugin of a bridge CNI does it:
 * the network address, the first address (the bridge's gateway) and the IPv4 broadcast address
 * are never handed out; allocation continues after the last address given, wrapping around.
 */
import { formatIPValue, ipValue, parseIP as parseAddress } from "../util/ip.ts";

export class CIDRError extends Error {}

interface Range {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

/** An address as family and integer. */
export function parseIP(s: string): { family: 4 | 6; value: bigint } | undefined {
  const ip = parseAddress(s);
  if (!ip) return undefined;
  // The family the text is written in: an IPv6 CIDR stays IPv6 even over ::ffff:0:0/96.
  const six = s.includes(":");
  return { family: six ? 6 : 4, value: ipValue({ bytes: ip.bytes, v4: !six }).value };
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatIP(family: 4 | 6, v: bigint): string {
  return formatIPValue({ family: family === 4 ? "IPv4" : "IPv6", value: v });
}

export function parseCIDR(cidr: string): Range {
  const [ip, prefix, extra] = cidr.split("/");
  const p = parseIP(ip ?? "");
  const len = Number(prefix);
  const max = p?.family === 4 ? 32 : 128;
  if (!p || extra !== undefined || !/^\d+$/.test(prefix ?? "") || len > max)
    throw new CIDRError(
      `invalid pod CIDR "${cidr}": want an address and prefix length such as 10.244.0.0/24`,
    );
  const bits = max - len;
  const base = (p.value >> BigInt(bits)) << BigInt(bits);
  return { family: p.family, base, bits };
}

/** One pod CIDR's free and used addresses. */
export class IPAllocator {
  readonly family: 4 | 6;
  private readonly range: Range;
  private readonly first: bigint;
  private readonly last: bigint;
  private readonly used = new Set<bigint>();
  private next: bigint;

  constructor(readonly cidr: string) {
    this.range = parseCIDR(cidr);
    this.family = this.range.family;
    const size = 1n << BigInt(this.range.bits);
    // Skip the network address and the gateway (.1); IPv4 also loses its broadcast address.
    this.first = this.range.base + (size > 2n ? 2n : 0n);
    this.last = this.range.base + size - (this.family === 4 && size > 2n ? 2n : 1n);
    if (this.last < this.first) throw new CIDRError(`pod CIDR ${cidr} has no room for pods`);
    this.next = this.first;
  }

  contains(ip: string): boolean {
    const p = parseIP(ip);
    return p !== undefined && p.family === this.family && p.value >= this.first && p.value <= this.last;
  }

  /** Mark an address as taken (an existing pod's); false when it is outside the range. */
  reserve(ip: string): boolean {
    if (!this.contains(ip)) return false;
    this.used.add((parseIP(ip) as { value: bigint }).value);
    return true;
  }

  release(ip: string): void {
    const p = parseIP(ip);
    if (p && p.family === this.family) this.used.delete(p.value);
  }

  get inUse(): number {
    return this.used.size;
  }

  allocate(): string {
    const span = this.last - this.first + 1n;
    if (BigInt(this.used.size) >= span)
      throw new CIDRError(`no free addresses left in pod CIDR ${this.cidr}`);
    for (let v = this.next; ; ) {
      if (!this.used.has(v)) {
        this.used.add(v);
        this.next = v === this.last ? this.first : v + 1n;
        return formatIP(this.family, v);
      }
      v = v === this.last ? this.first : v + 1n;
    }
  }
}
