/**
 * The LoadBalancer address pool: CIDRs (IPv4 and IPv6) whose addresses are handed to Services,
 * one owner per address, lowest free address first (MetalLB's allocator walks each CIDR from its
 * first address). IPv4 addresses ending in .0 or .255 are never handed out: for a /24 or larger
 * these are the network and broadcast addresses of every /24 in it (MetalLB's avoidBuggyIPs).
 */
import { maskedIP, parseCIDRSloppy, parseIPSloppy } from "../../api/machinery/validation/net.ts";
import { formatIP, formatIPValue, type IPValue, ipValue } from "../../util/ip.ts";

export type Family = "IPv4" | "IPv6";

interface Range {
  cidr: string;
  family: Family;
  first: bigint;
  last: bigint;
  /** No address below this one is free (a search hint; lowered on release). */
  cursor: bigint;
}

type Addr = IPValue;

function parseAddr(s: string): Addr | undefined {
  const ip = parseIPSloppy(s);
  return ip ? ipValue(ip) : undefined;
}

/** The key an address is tracked under: its canonical text. */
export function canonicalIP(s: string): string | undefined {
  const a = parseAddr(s);
  return a ? formatIPValue(a) : undefined;
}

export function familyOf(ip: string): Family | undefined {
  return parseAddr(ip)?.family;
}

/** MetalLB's ipConfusesBuggyFirmwares: an IPv4 address ending in 0 or 255. */
function skipped(a: Addr): boolean {
  if (a.family !== "IPv4") return false;
  const last = a.value & 0xffn;
  return last === 0n || last === 255n;
}

/** Parse `--lb-pool` entries; throws with the offending text on a malformed CIDR. */
export function parsePool(cidrs: string[]): Range[] {
  return cidrs.map((text) => {
    const c = parseCIDRSloppy(text.trim());
    if (!c)
      throw new Error(
        `--lb-pool: ${JSON.stringify(text)} is not a CIDR (e.g. 192.168.1.240/28 or fd00::/120)`,
      );
    const net = maskedIP(c);
    const family: Family = net.v4 ? "IPv4" : "IPv6";
    const width = family === "IPv4" ? 32 : 128;
    const prefix = c.bits === 128 && net.v4 ? c.prefix - 96 : c.prefix;
    if (prefix < 0) throw new Error(`--lb-pool: ${JSON.stringify(text)} is not a CIDR`);
    const first = ipValue(net).value;
    const last = first + (1n << BigInt(width - prefix)) - 1n;
    return { cidr: `${formatIP(net)}/${prefix}`, family, first, last, cursor: first };
  });
}

export type AssignResult = "ok" | "not-in-pool" | "in-use";

export class AddressPool {
  private readonly ranges: Range[];
  /** canonical IP → owner key. */
  private readonly owners = new Map<string, string>();
  /** owner key → its canonical IPs. */
  private readonly held = new Map<string, Set<string>>();

  /** Called after addresses are freed (pending Services may now fit). */
  onRelease?: () => void;

  constructor(cidrs: string[]) {
    this.ranges = parsePool(cidrs);
  }

  /** Addresses handed out. */
  get used(): number {
    return this.owners.size;
  }

  get cidrs(): string[] {
    return this.ranges.map((r) => r.cidr);
  }

  hasFamily(f: Family): boolean {
    return this.ranges.some((r) => r.family === f);
  }

  /** True when ip is an address this pool may hand out. */
  contains(ip: string): boolean {
    const a = parseAddr(ip);
    return a !== undefined && this.rangeOf(a) !== undefined;
  }

  /** The canonical addresses owner holds. */
  addressesOf(owner: string): string[] {
    return [...(this.held.get(owner) ?? [])];
  }

  ownerOf(ip: string): string | undefined {
    const c = canonicalIP(ip);
    return c === undefined ? undefined : this.owners.get(c);
  }

  /** Give ip to owner if it is in the pool and free (or already owner's). */
  assign(owner: string, ip: string): AssignResult {
    const a = parseAddr(ip);
    if (!a || !this.rangeOf(a)) return "not-in-pool";
    const key = formatIPValue(a);
    const cur = this.owners.get(key);
    if (cur !== undefined) return cur === owner ? "ok" : "in-use";
    this.take(owner, key);
    return "ok";
  }

  /** The lowest free address of family for owner, or undefined when the family is exhausted. */
  allocate(owner: string, family: Family): string | undefined {
    for (const r of this.ranges) {
      if (r.family !== family) continue;
      for (let v = r.cursor; v <= r.last; v++) {
        const a: Addr = { family, value: v };
        if (skipped(a)) continue;
        const key = formatIPValue(a);
        if (this.owners.has(key)) continue;
        r.cursor = v + 1n;
        this.take(owner, key);
        return key;
      }
      r.cursor = r.last + 1n;
    }
    return undefined;
  }

  /** Free one address of owner's. */
  releaseIP(owner: string, ip: string, notify = true): void {
    const a = parseAddr(ip);
    if (!a) return;
    const key = formatIPValue(a);
    if (this.owners.get(key) !== owner) return;
    this.owners.delete(key);
    const set = this.held.get(owner);
    set?.delete(key);
    if (set?.size === 0) this.held.delete(owner);
    const r = this.rangeOf(a);
    if (r && a.value < r.cursor) r.cursor = a.value;
    if (notify) this.onRelease?.();
  }

  /** Free everything owner holds; true if it held anything. */
  release(owner: string): boolean {
    const ips = this.addressesOf(owner);
    for (const ip of ips) this.releaseIP(owner, ip, false);
    if (ips.length > 0) this.onRelease?.();
    return ips.length > 0;
  }

  private take(owner: string, key: string): void {
    this.owners.set(key, owner);
    let set = this.held.get(owner);
    if (!set) {
      set = new Set();
      this.held.set(owner, set);
    }
    set.add(key);
  }

  private rangeOf(a: Addr): Range | undefined {
    if (skipped(a)) return undefined;
    return this.ranges.find((r) => r.family === a.family && a.value >= r.first && a.value <= r.last);
  }
}
